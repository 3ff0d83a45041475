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
import torch.nn.functional as F  # noqa: F401 (you will use it in part 4)
from torch import nn

from rxvision.data import CLASS_NAMES, PillDataset
from weeks.week1.efficientnet import (
    SCALING,  # noqa: F401 (you will use it in part 2)
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
# TODO: build B0 with NUM_CLASSES outputs and call it `model` (later cells use it). [#num-classes]
# Print one row per stage of `model.blocks`: number of blocks, output channels, stride of its
# first block and parameters (`count_params`), then the total. Fill:
#   results["params_b0"]: the total parameter count (int); [#params]
#   results["stages"]: one dict per stage with keys "blocks", "out_chs", "stride" [#stages] and
#   "params", the parameters of the whole stage (all its blocks). [#stage-params]
raise NotImplementedError("part 1: build B0 and summarise its stages")

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
# TODO: for "b0", "b1" and "b3": read (width, depth, resolution, dropout) from SCALING, build the
# model with NUM_CLASSES outputs (CONSTRUCTORS[variant]; reuse `model` for b0), and print a table
# of the multipliers, the resolution, the blocks per stage and the parameter count. Fill:
#   results["params_b0"], results["params_b1"], results["params_b3"]: parameter counts (int);
#   [#params]
#   results["scaling"]: {variant: {"width", "depth", "resolution", "dropout" (all four from
#   SCALING[variant]), "blocks" (list of blocks per stage), "params" (= params_<variant>)}}.
#   [#scaling]
raise NotImplementedError("part 2: tabulate B0, B1 and B3")

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
# TODO: put `model` in eval mode and, without gradients, push `batch = images[:8]` through
# `model.forward_features` and `model`. Fill:
#   results["feature_shape"]: list(features.shape), should be [8, 1280, 1, 1]; [#feature-shape]
#   results["out_shape"]: list(logits.shape), should be [8, NUM_CLASSES]; [#out-shape]
#   results["prob_sums"]: the softmax of each row of logits, summed (each should be 1).
#   [#prob-sums]
raise NotImplementedError("part 3: a forward pass")

# %% [markdown]
# ## 4. Train for a few dozen steps
#
# A short AdamW run on the training subset: shuffled minibatches of `BATCH_SIZE`, cross-entropy,
# `STEPS` steps, the model in train mode (batch norm uses batch statistics, stochastic depth and
# dropout are on). Record every step's loss in a list. The loss starts near or above
# $\ln(26) \approx 3.3$ [#initial-loss] and should fall clearly within these few steps
# [#loss-falls]; it will not reach a good accuracy yet: that is next week's job.

# %%
# TODO: train `model` for STEPS steps: AdamW(lr=LEARNING_RATE, weight_decay=0.01), minibatches
# of BATCH_SIZE drawn from a fresh torch.randperm of the images whenever the previous one is used
# up, F.cross_entropy, zero_grad / backward / step, model.train(). Append `loss.item()` of
# every step to a list and print it every 5 steps. Fill:
#   results["losses"]: the list of STEPS losses, one finite number per step; results["steps"];
#   results["batch_size"]. [#losses]
raise NotImplementedError("part 4: the training loop")

# %% [markdown]
# ## 5. Results
#
# The grader reads `results.json`. This cell checks that every part above filled its entries
# [#results-json], that every loss is finite and that the loss fell.

# %%
required = ("params_b0", "params_b1", "params_b3", "stages", "scaling", "out_shape", "losses")
missing = [key for key in required if key not in results]
assert not missing, f"fill results[...] for {missing} in the cells above"
assert all(math.isfinite(x) for x in results["losses"]), "a loss is NaN or infinite"
first, last = results["losses"][:5], results["losses"][-5:]
assert sum(last) < sum(first), f"the loss did not fall: first steps {first}, last steps {last}"
Path("results.json").write_text(json.dumps(results, indent=2))
print({key: results[key] for key in ("params_b0", "params_b1", "params_b3", "out_shape")})
