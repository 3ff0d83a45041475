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
# # Calibration analysis notebook
#
# Does the model's confidence mean what it says, in the studio and in the field? Here you:
#
# 1. train a small CNN with dropout on 32 px studio pills;
# 2. measure accuracy, NLL and ECE on held-out studio and field photos (`raw`);
# 3. fit a temperature on a *validation* split and re-measure (`temperature`);
# 4. average 20 MC-dropout passes and re-measure (`mc_dropout`);
# 5. draw reliability diagrams before and after temperature scaling.
#
# It uses your `week1.calibration_metrics`, `week1.temperature_scaling` and `week1.mc_dropout`.
# The grader runs this file headless and reads `results.json` written by the last cell.

# %%
import json
from pathlib import Path

import numpy as np  # noqa: F401 (you will use it in part 5)
import torch
import torch.nn.functional as F  # noqa: F401 (parts 1-4)
from PIL import Image, ImageDraw  # noqa: F401 (part 5)
from torch import nn  # noqa: F401 (part 1)

from rxvision.data import CLASS_NAMES, generate
from weeks.week1.calibration_metrics import (  # noqa: F401 (parts 2-4)
    expected_calibration_error,
    reliability_bins,
)
from weeks.week1.mc_dropout import mc_dropout_predict  # noqa: F401 (part 4)
from weeks.week1.temperature_scaling import fit_temperature  # noqa: F401 (part 3)

torch.manual_seed(0)
NUM_CLASSES, IMAGE_SIZE, N_BINS = len(CLASS_NAMES), 32, 10
STEPS, BATCH_SIZE, LEARNING_RATE, MC_SAMPLES = 100, 32, 3e-3, 20


def load(split: str, subset: str, per_class: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Synthetic pills as float NCHW tensors in [0, 1] and int64 labels."""
    x, y = generate(split, samples_per_class=per_class, size=IMAGE_SIZE, subset=subset)
    return torch.from_numpy(x).permute(0, 3, 1, 2).float() / 255, torch.from_numpy(y)


data = {
    "train": load("studio", "train", 12),
    "val": load("studio", "val", 4),
    "studio": load("studio", "test", 4),
    "field": load("field", "test", 4),
}
results: dict = {"n_bins": N_BINS, "sizes": {k: len(v[1]) for k, v in data.items()}}

# %% [markdown]
# ## 1. A small CNN with dropout, trained on studio photos
#
# Trained on studio photos only, it must clearly beat chance on the studio test photos, and do
# worse on the field photos it never saw. [#trained]

# %%
# TODO: build `model`: Conv(3->16)-BN-ReLU-MaxPool, Conv(16->32)-BN-ReLU-MaxPool,
# Conv(32->64)-BN-ReLU, AdaptiveAvgPool2d(1), Flatten, Dropout(0.3), Linear(64, NUM_CLASSES);
# the dropout is what MC dropout samples, so its predictions differ from the raw ones. [#dropout]
# Train it for STEPS steps of Adam(lr=LEARNING_RATE) on random minibatches of BATCH_SIZE from
# data["train"] with F.cross_entropy, then put it in eval mode.
raise NotImplementedError("part 1: build and train the model")

# %% [markdown]
# ## 2-4. Raw, temperature-scaled and MC-dropout predictions
#
# The temperature is fitted on the validation split only; the studio and field *test* splits
# are where we report. On the studio test photos, drawn like the validation ones, temperature
# scaling must not make the ECE worse (by more than 0.01). [#studio-ece]

# %%
# TODO:
# - logits of every split of `data` (no grad); T = fit_temperature on the *val* logits only;
#   results["temperature"] = T; results["val_nll"] = {"raw": ..., "temperature": ...} (the
#   validation cross-entropy of logits and of logits / T: fitted there, T cannot make it worse).
#   [#val-nll]
# - for split in ("studio", "field") and method in ("raw", "temperature", "mc_dropout"): append
#   {"split", "method", "acc", "nll", "ece"} to results["table"]. [#table] The probabilities of
#   the methods are the softmax of logits, of logits / T, and
#   mc_dropout_predict(model, images, MC_SAMPLES).probs. [#method-probs] The ECE uses N_BINS
#   bins; NLL = mean -log p[label]. [#metrics]
# - store reliability_bins(probs, labels, N_BINS) as results["bins"]["<split>/<method>"] =
#   {"counts", "confidence", "accuracy"} (lists), for the same probabilities. [#bins]
raise NotImplementedError("parts 2-4: raw, temperature and MC-dropout metrics")

# %% [markdown]
# ## 5. Reliability diagrams
#
# One panel per split, before and after temperature scaling: a bar per bin of accuracy against
# mean confidence, and the diagonal of perfect calibration. Bars below it mean over-confidence.

# %%
# TODO: draw the four panels "studio/raw", "studio/temperature", "field/raw",
# "field/temperature" with PIL.ImageDraw (matplotlib is not installed): a bar of height
# accuracy per non-empty bin, the diagonal, a title; save "reliability.png" and set
# results["diagram"] = "reliability.png". [#diagram]
raise NotImplementedError("part 5: reliability diagrams")

# %% [markdown]
# ## Results

# %%
required = ("temperature", "val_nll", "table", "bins", "diagram")
missing = [key for key in required if key not in results]
assert not missing, f"fill results[...] for {missing} in the cells above"
Path("results.json").write_text(json.dumps(results, indent=2))
print({k: results[k] for k in ("temperature", "val_nll")})
