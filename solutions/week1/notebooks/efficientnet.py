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
# # EfficientNet implementation notebook
#
# You wrote EfficientNet in `weeks/week1/efficientnet.py`. Here you *use* it:
#
# 1. build B0 for our pill classes and look at its stages and parameter count;
# 2. check the compound-scaling table: how B1 and B3 grow from B0;
# 3. push a batch of synthetic pill photographs through it;
# 4. train it for a few dozen steps and watch the loss fall.
#
# The grader runs this file headless (`jupytext` percent format: each `# %%` starts a cell) and
# reads the `results` dict that the last cell writes to `results.json`. Run it yourself with
# `python weeks/week1/notebooks/efficientnet.py`, or open it in Jupyter after
# `jupytext --to ipynb weeks/week1/notebooks/efficientnet.py`.
#
# Paper: Tan & Le, *EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks*,
# ICML 2019, https://arxiv.org/abs/1905.11946

# %%
import json
import math
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from rxvision.data import CLASS_NAMES, PillDataset
from rxvision.models.efficientnet import (
    SCALING,
    efficientnet_b0,
    efficientnet_b1,
    efficientnet_b3,
)

torch.manual_seed(0)
NUM_CLASSES = len(CLASS_NAMES)  # one class per medication of the synthetic catalogue
IMAGE_SIZE = 32  # small images keep CPU training to seconds
SAMPLES_PER_CLASS = 8
STEPS, BATCH_SIZE, LEARNING_RATE = 30, 32, 1e-3
CONSTRUCTORS = {"b0": efficientnet_b0, "b1": efficientnet_b1, "b3": efficientnet_b3}

results: dict = {"num_classes": NUM_CLASSES, "image_size": IMAGE_SIZE}


def count_params(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


# %% [markdown]
# ## 1. B0 and its stages
#
# B0 is a 3x3 stem convolution (stride 2), seven stages of blocks (a depthwise-separable block,
# then MBConv blocks), a 1x1 head convolution to 1280 channels, global average pooling and a
# linear classifier. Each stage halves the resolution or not (its first block's stride) and sets
# the number of channels. Print one line per stage: number of blocks, output channels, stride
# and parameters, then the total. Most parameters sit in the last stages and the head.

# %%
model = efficientnet_b0(num_classes=NUM_CLASSES)
stages = []
print(f"{'stage':>5} {'blocks':>6} {'out_chs':>7} {'stride':>6} {'params':>10}")
for index, stage in enumerate(model.blocks):
    first = stage[0]
    stride = first.conv_dw.stride[0]
    out_chs = (first.conv_pwl if hasattr(first, "conv_pwl") else first.conv_pw).out_channels
    row = {
        "blocks": len(stage),
        "out_chs": out_chs,
        "stride": stride,
        "params": count_params(stage),
    }
    stages.append(row)
    print(f"{index:>5} {row['blocks']:>6} {out_chs:>7} {stride:>6} {row['params']:>10,}")
results["params_b0"] = count_params(model)
results["stages"] = stages
print(f"B0 with {NUM_CLASSES} classes: {results['params_b0']:,} parameters")

# %% [markdown]
# ## 2. Compound scaling: B0 -> B1 -> B3
#
# The paper scales depth by $\alpha^\phi$, width by $\beta^\phi$ and resolution by $\gamma^\phi$
# with $\alpha = 1.2, \beta = 1.1, \gamma = 1.15$ (so FLOPs grow about $2^\phi$); the released
# B1..B7 round those into the table `SCALING` (width, depth, resolution, dropout). Build B1 and
# B3 and tabulate, for B0, B1 and B3: the multipliers, the input resolution, the blocks per
# stage and the parameter count. Note that B1 only adds blocks (width 1.0) and that the
# parameter count grows much faster with width than with depth.

# %%
scaling = {}
print(f"{'':4} {'width':>5} {'depth':>5} {'res':>4} {'blocks per stage':>22} {'params':>11}")
for variant, build in CONSTRUCTORS.items():
    width, depth, resolution, dropout = SCALING[variant]
    net = model if variant == "b0" else build(num_classes=NUM_CLASSES)
    row = {
        "width": width,
        "depth": depth,
        "resolution": resolution,
        "dropout": dropout,
        "blocks": [len(stage) for stage in net.blocks],
        "params": count_params(net),
    }
    scaling[variant] = row
    results[f"params_{variant}"] = row["params"]
    print(
        f"{variant:4} {width:>5} {depth:>5} {resolution:>4} {str(row['blocks']):>22} "
        f"{row['params']:>11,}"
    )
results["scaling"] = scaling
print(f"B3 / B0 parameters: {results['params_b3'] / results['params_b0']:.2f}x")

# %% [markdown]
# ## 3. A forward pass on synthetic pills
#
# `rxvision.data.PillDataset` renders deterministic synthetic pill photographs (no download).
# We keep a small training subset in memory as one tensor. Then push a batch of 8 images through
# B0 in eval mode: the features before pooling are `(8, 1280, 1, 1)` at 32 px (the network
# downsamples 32x), the logits `(8, NUM_CLASSES)`, and softmax turns each row into
# probabilities.

# %%
train = PillDataset(
    split="studio", subset="train", samples_per_class=SAMPLES_PER_CLASS, image_size=IMAGE_SIZE
)
images = torch.stack([train[i][0] for i in range(len(train))])
labels = torch.tensor([train[i][1] for i in range(len(train))])
print(f"{len(train)} images {tuple(images.shape[1:])}, {NUM_CLASSES} classes")

# %%
model.eval()
batch = images[:8]
with torch.no_grad():
    features = model.forward_features(batch)
    logits = model(batch)
probs = logits.softmax(dim=1)
results["feature_shape"] = list(features.shape)
results["out_shape"] = list(logits.shape)
results["prob_sums"] = probs.sum(dim=1).tolist()
print("features", tuple(features.shape), "logits", tuple(logits.shape))
print("untrained top-1:", [CLASS_NAMES[i] for i in probs.argmax(dim=1).tolist()][:4], "...")

# %% [markdown]
# ## 4. Train for a few dozen steps
#
# A short AdamW run on the training subset: shuffled minibatches of `BATCH_SIZE`, cross-entropy,
# `STEPS` steps, the model in train mode (batch norm uses batch statistics, stochastic depth and
# dropout are on). Record every step's loss in a list. The loss starts near or above
# $\ln(26) \approx 3.3$ and should fall clearly within these few steps; it will not reach a good
# accuracy yet: that is next week's job.

# %%
optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
generator = torch.Generator().manual_seed(0)
order = torch.empty(0, dtype=torch.long)
losses = []
model.train()
for step in range(STEPS):
    if len(order) < BATCH_SIZE:
        order = torch.randperm(len(images), generator=generator)
    index, order = order[:BATCH_SIZE], order[BATCH_SIZE:]
    loss = F.cross_entropy(model(images[index]), labels[index])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if step % 5 == 0 or step == STEPS - 1:
        print(f"step {step:>3}  loss {loss.item():.3f}")
results["losses"] = losses
results["steps"] = STEPS
results["batch_size"] = BATCH_SIZE

# %% [markdown]
# ## 5. Results
#
# The grader reads `results.json`. This cell checks that every part above filled its entries.

# %%
required = ("params_b0", "params_b1", "params_b3", "stages", "scaling", "out_shape", "losses")
missing = [key for key in required if key not in results]
assert not missing, f"fill results[...] for {missing} in the cells above"
assert all(math.isfinite(x) for x in results["losses"]), "a loss is NaN or infinite"
first, last = results["losses"][:5], results["losses"][-5:]
assert sum(last) < sum(first), f"the loss did not fall: first steps {first}, last steps {last}"
Path("results.json").write_text(json.dumps(results, indent=2))
print({key: results[key] for key in ("params_b0", "params_b1", "params_b3", "out_shape")})
