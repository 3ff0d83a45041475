# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
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

import timm  # noqa: F401 (part 1)
import torch
import torch.nn.functional as F  # noqa: F401 (parts 3 and 4)
from torch import nn

from rxvision.data import CLASS_NAMES, PillDataset
from weeks.week1.vit import vit_tiny_patch16_224  # noqa: F401 (part 2)

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
# TODO: create timm's "vit_tiny_patch16_224" with pretrained=False, NUM_CLASSES outputs,
# img_size=IMAGE_SIZE, patch_size=PATCH_SIZE and depth=DEPTH; call it `model`. [#create] Fill:
#   results["params"]: its parameter count (count_params); [#params]
#   results["num_tokens"]: the number of tokens, pos_embed.shape[1] (1 class token + patches).
#   [#num-tokens]
raise NotImplementedError("part 1: create the timm model")

# %% [markdown]
# ## 2. Your ViT and timm's agree
#
# Your `vit_tiny_patch16_224` uses timm's parameter names, so timm's state dict loads into it
# with `strict=True`. In eval mode both must give the same logits.

# %%
# TODO: build your vit_tiny_patch16_224 with the same num_classes, img_size, patch_size and depth,
# load `model.state_dict()` into it with strict=True, put both in eval mode and, without
# gradients, compare their logits on `torch.randn(4, 3, IMAGE_SIZE, IMAGE_SIZE)`. Fill:
#   results["parity_max_abs_diff"]: the max absolute difference (float), should be < 1e-5.
#   [#parity]
raise NotImplementedError("part 2: your ViT against timm's")

# %% [markdown]
# ## 3. Fine-tune on synthetic pills
#
# A short AdamW run on a small training subset. Minibatch losses are noisy, so we also measure
# the loss on the whole training subset (eval mode) before and after training; then accuracy on
# the held-out `val` subset (different images). ViTs have little inductive bias and learn slowly
# from a few images: expect the loss to fall a little [#loss-falls] and the accuracy to stay near
# chance.

# %%
train = PillDataset(
    split="studio", subset="train", samples_per_class=SAMPLES_PER_CLASS, image_size=IMAGE_SIZE
)
val = PillDataset(split="studio", subset="val", samples_per_class=2, image_size=IMAGE_SIZE)
images = torch.stack([train[i][0] for i in range(len(train))])
labels = torch.tensor([train[i][1] for i in range(len(train))])
val_images = torch.stack([val[i][0] for i in range(len(val))])
val_labels = torch.tensor([val[i][1] for i in range(len(val))])

# TODO: fine-tune `model` (timm's) for STEPS steps: AdamW(lr=LEARNING_RATE, weight_decay=0.05),
# minibatches of BATCH_SIZE from a fresh torch.randperm whenever the previous one is used up,
# F.cross_entropy, zero_grad / backward / step, model.train(). Fill:
#   results["losses"]: the STEPS minibatch losses (finite floats); [#losses]
#   results["train_loss_before"], results["train_loss_after"]: the mean cross-entropy over ALL
#       training images in eval mode without gradients, before and after the training loop;
#       [#train-loss]
#   results["val_accuracy"]: accuracy on val_images (eval mode), a float in [0, 1].
#       [#val-accuracy]
raise NotImplementedError("part 3: fine-tune")

# %% [markdown]
# ## 4. Attention of the last block
#
# A forward hook on `model.blocks[-1].attn` receives the block's normalised tokens; recompute
# the attention probabilities from its `qkv` projection:
# `softmax(q @ k.T * head_dim ** -0.5)` over the keys, shape `(B, heads, N, N)`. Row 0 is what
# the class token attends to; its patch columns, reshaped to the patch grid and averaged over
# heads, are the attention map (upsample it to the image size to overlay it on the pill).

# %%
# TODO: register a forward hook on model.blocks[-1].attn that keeps its input tokens, run
# val_images[:1] through the model without gradients, remove the hook (try/finally), then
# recompute the attention probabilities from attn.qkv (reshape to (B, N, 3, heads, head_dim),
# permute to (3, B, heads, N, head_dim), softmax(q @ k.T * head_dim ** -0.5) over the keys).
# Fill:
#   results["attention_shape"]: list(weights.shape), (1, heads, N, N); [#attention-shape]
#   results["attention_row_sums"]: every row's sum, flattened to a list (each should be 1);
#       [#row-sums]
#   results["cls_attention"]: row 0 (the class token) over the patch columns 1:, averaged over
#       heads and reshaped to the (grid, grid) patch grid, as a nested list; [#cls-attention]
#   results["overlay_shape"]: the shape of that map upsampled to (IMAGE_SIZE, IMAGE_SIZE).
#       [#overlay-shape]
raise NotImplementedError("part 4: attention of the last block")

# %% [markdown]
# ## 5. Results
#
# The grader reads `results.json`. This cell checks that every part above filled its entries
# [#results-json], that every loss is finite and that the training loss fell.

# %%
required = ("params", "parity_max_abs_diff", "train_loss_after", "val_accuracy", "attention_shape")
missing = [key for key in required + ("cls_attention",) if key not in results]
assert not missing, f"fill results[...] for {missing} in the cells above"
assert all(math.isfinite(x) for x in results["losses"]), "a loss is NaN or infinite"
assert results["train_loss_after"] < results["train_loss_before"], "the training loss did not fall"
Path("results.json").write_text(json.dumps(results, indent=2))
print({key: results[key] for key in required if key != "losses"})
