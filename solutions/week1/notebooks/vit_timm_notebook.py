# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A ViT from a model library: create, fine-tune, look at attention
#
# The Hugging Face tutorials load `google/vit-base-patch16-224` with `from_pretrained`, swap the
# classifier for the new labels, fine-tune, and look at attention maps. Nothing can be
# downloaded here, so we do the same with timm's `vit_tiny_patch16_224` built with
# `pretrained=False` (same architecture family, random weights):
#
# 1. create the model for our 26 pill classes at a small image size and count its parameters;
# 2. check that *your* `week1.vit` computes exactly what timm's model computes;
# 3. fine-tune it for a few dozen steps on synthetic pills and measure held-out accuracy;
# 4. extract the last block's attention and the class token's attention map over the patches.
#
# The grader runs this file headless (`jupytext` percent format: each `# %%` starts a cell) and
# reads the `results` dict that the last cell writes to `results.json`. Run it yourself with
# `python weeks/week1/notebooks/vit_timm_notebook.py`.
#
# Paper: Dosovitskiy et al., *An Image is Worth 16x16 Words*, ICLR 2021,
# https://arxiv.org/abs/2010.11929

# %%
import json
import math
from pathlib import Path

import timm
import torch
import torch.nn.functional as F
from torch import nn

from rxvision.data import CLASS_NAMES, PillDataset
from rxvision.models.vit import vit_tiny_patch16_224

torch.manual_seed(0)
NUM_CLASSES = len(CLASS_NAMES)
IMAGE_SIZE, PATCH_SIZE = 32, 8  # a 4 x 4 grid of patches: tiny, so CPU training takes seconds
DEPTH = 4  # vit_tiny's width and heads, but 4 blocks instead of 12: seconds, not minutes, on CPU
SAMPLES_PER_CLASS = 2
STEPS, BATCH_SIZE, LEARNING_RATE = 30, 16, 3e-4

results: dict = {
    "num_classes": NUM_CLASSES,
    "image_size": IMAGE_SIZE,
    "patch_size": PATCH_SIZE,
    "depth": DEPTH,
}


def count_params(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


# %% [markdown]
# ## 1. Create the model
#
# `timm.create_model(name, pretrained=False, num_classes=..., img_size=..., patch_size=...)`
# is timm's `from_pretrained`: the name selects the architecture, the keyword arguments
# override it. With `pretrained=True` timm would download weights from the Hugging Face hub
# (and fail here). A new `num_classes` means a new, randomly initialised `head`.

# %%
model = timm.create_model(
    "vit_tiny_patch16_224",
    pretrained=False,
    num_classes=NUM_CLASSES,
    img_size=IMAGE_SIZE,
    patch_size=PATCH_SIZE,
    depth=DEPTH,
)
results["params"] = count_params(model)
results["num_tokens"] = model.pos_embed.shape[1]
print(f"vit_tiny ({DEPTH} blocks) at {IMAGE_SIZE} px, patch {PATCH_SIZE}: ", end="")
print(f"{results['params']:,} parameters, ", end="")
print(f"{results['num_tokens']} tokens (1 class token + {results['num_tokens'] - 1} patches)")

# %% [markdown]
# ## 2. Your ViT and timm's agree
#
# Your `vit_tiny_patch16_224` uses timm's parameter names, so timm's state dict loads into it
# with `strict=True`. In eval mode both must give the same logits.

# %%
mine = vit_tiny_patch16_224(
    num_classes=NUM_CLASSES, img_size=IMAGE_SIZE, patch_size=PATCH_SIZE, depth=DEPTH
)
mine.load_state_dict(model.state_dict(), strict=True)
probe = torch.randn(4, 3, IMAGE_SIZE, IMAGE_SIZE)
model.eval()
mine.eval()
with torch.no_grad():
    results["parity_max_abs_diff"] = float((mine(probe) - model(probe)).abs().max())
print(f"max |yours - timm| = {results['parity_max_abs_diff']:.2e}")

# %% [markdown]
# ## 3. Fine-tune on synthetic pills
#
# A short AdamW run on a small training subset. Minibatch losses are noisy, so we also measure
# the loss on the whole training subset (eval mode) before and after training; then accuracy on
# the held-out `val` subset (different images). ViTs have little inductive bias and learn slowly
# from a few images: expect the loss to fall a little and the accuracy to stay near chance.

# %%
train = PillDataset(
    split="studio", subset="train", samples_per_class=SAMPLES_PER_CLASS, image_size=IMAGE_SIZE
)
val = PillDataset(split="studio", subset="val", samples_per_class=2, image_size=IMAGE_SIZE)
images = torch.stack([train[i][0] for i in range(len(train))])
labels = torch.tensor([train[i][1] for i in range(len(train))])
val_images = torch.stack([val[i][0] for i in range(len(val))])
val_labels = torch.tensor([val[i][1] for i in range(len(val))])


def train_loss() -> float:
    """Mean cross-entropy over the whole training subset, in eval mode."""
    model.eval()
    with torch.no_grad():
        return F.cross_entropy(model(images), labels).item()


results["train_loss_before"] = train_loss()
optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.05)
losses: list[float] = []
order = torch.randperm(len(images))
cursor = 0
model.train()
for step in range(STEPS):
    if cursor + BATCH_SIZE > len(order):
        order, cursor = torch.randperm(len(images)), 0
    batch = order[cursor : cursor + BATCH_SIZE]
    cursor += BATCH_SIZE
    loss = F.cross_entropy(model(images[batch]), labels[batch])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if step % 5 == 0:
        print(f"step {step:3d}  loss {loss.item():.3f}")
results["train_loss_after"] = train_loss()
with torch.no_grad():
    predictions = model(val_images).argmax(dim=1)
results["losses"] = losses
results["val_accuracy"] = float((predictions == val_labels).float().mean())
before, after = results["train_loss_before"], results["train_loss_after"]
print(f"training-set loss {before:.3f} -> {after:.3f}")
print(f"held-out accuracy {results['val_accuracy']:.1%} (chance {1 / NUM_CLASSES:.1%})")

# %% [markdown]
# ## 4. Attention of the last block
#
# A forward hook on `model.blocks[-1].attn` receives the block's normalised tokens; recompute
# the attention probabilities from its `qkv` projection:
# `softmax(q @ k.T * head_dim ** -0.5)` over the keys, shape `(B, heads, N, N)`. Row 0 is what
# the class token attends to; its patch columns, reshaped to the patch grid and averaged over
# heads, are the attention map (upsample it to the image size to overlay it on the pill).

# %%
captured: dict[str, torch.Tensor] = {}


def keep_input(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
    captured["tokens"] = inputs[0].detach()


attn = model.blocks[-1].attn
handle = attn.register_forward_hook(keep_input)
try:
    with torch.no_grad():
        model(val_images[:1])
finally:
    handle.remove()
tokens = captured["tokens"]
batch, num_tokens, dim = tokens.shape
qkv = attn.qkv(tokens).reshape(batch, num_tokens, 3, attn.num_heads, dim // attn.num_heads)
q, k, _ = qkv.permute(2, 0, 3, 1, 4)
weights = (q @ k.transpose(-2, -1) * (dim // attn.num_heads) ** -0.5).softmax(dim=-1)
grid = IMAGE_SIZE // PATCH_SIZE
cls_map = weights[0, :, 0, 1:].mean(dim=0).reshape(grid, grid)
overlay = F.interpolate(cls_map[None, None], size=(IMAGE_SIZE, IMAGE_SIZE), mode="nearest")[0, 0]
results["attention_shape"] = list(weights.shape)
results["attention_row_sums"] = weights.sum(dim=-1).flatten().tolist()
results["cls_attention"] = cls_map.tolist()
results["overlay_shape"] = list(overlay.shape)
for row in cls_map.tolist():
    print(" ".join(f"{v:.3f}" for v in row))

# %% [markdown]
# ## 5. Results
#
# The grader reads `results.json`. This cell checks that every part above filled its entries.

# %%
required = ("params", "parity_max_abs_diff", "train_loss_after", "val_accuracy", "attention_shape")
missing = [key for key in required + ("cls_attention",) if key not in results]
assert not missing, f"fill results[...] for {missing} in the cells above"
assert all(math.isfinite(x) for x in results["losses"]), "a loss is NaN or infinite"
assert results["train_loss_after"] < results["train_loss_before"], "the training loss did not fall"
Path("results.json").write_text(json.dumps(results, indent=2))
print({key: results[key] for key in required if key != "losses"})
