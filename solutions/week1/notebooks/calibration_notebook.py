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

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw
from torch import nn

from rxvision.data import CLASS_NAMES, generate
from rxvision.evaluation.calibration import (
    expected_calibration_error,
    fit_temperature,
    reliability_bins,
)
from rxvision.models.uncertainty import mc_dropout_predict

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

# %%
model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(64, NUM_CLASSES),
)  # fmt: skip
optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
x_train, y_train = data["train"]
model.train()
for _ in range(STEPS):
    idx = torch.randint(0, len(x_train), (BATCH_SIZE,))
    loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
model.eval()
print(f"final training loss {loss.item():.3f}")

# %% [markdown]
# ## 2-4. Raw, temperature-scaled and MC-dropout predictions
#
# The temperature is fitted on the validation split only; the studio and field *test* splits
# are where we report.

# %%
with torch.no_grad():
    logits = {name: model(x) for name, (x, _) in data.items()}
temperature = fit_temperature(logits["val"], data["val"][1])
val_labels = data["val"][1]
results["temperature"] = temperature
results["val_nll"] = {
    "raw": float(F.cross_entropy(logits["val"], val_labels)),
    "temperature": float(F.cross_entropy(logits["val"] / temperature, val_labels)),
}


def metrics(probs: torch.Tensor, labels: torch.Tensor) -> dict:
    bins = reliability_bins(probs, labels, N_BINS)
    return {
        "acc": float((probs.argmax(1) == labels).float().mean()),
        "nll": float(F.nll_loss(probs.clamp_min(1e-12).log(), labels)),
        "ece": expected_calibration_error(probs, labels, N_BINS),
        "bins": {
            "counts": [int(c) for c in bins.counts],
            "confidence": [float(c) for c in bins.confidence],
            "accuracy": [float(a) for a in bins.accuracy],
        },
    }


table, bins = [], {}
for split in ("studio", "field"):
    labels = data[split][1]
    torch.manual_seed(1)
    probs = {
        "raw": logits[split].softmax(1),
        "temperature": (logits[split] / temperature).softmax(1),
        "mc_dropout": mc_dropout_predict(model, data[split][0], MC_SAMPLES).probs,
    }
    for method, p in probs.items():
        m = metrics(p, labels)
        bins[f"{split}/{method}"] = m.pop("bins")
        table.append({"split": split, "method": method, **m})
        print(f"{split:6s} {method:11s} acc {m['acc']:.3f} nll {m['nll']:.3f} ece {m['ece']:.3f}")
results["table"], results["bins"] = table, bins

# %% [markdown]
# ## 5. Reliability diagrams
#
# One panel per split, before and after temperature scaling: a bar per bin of accuracy against
# mean confidence, and the diagonal of perfect calibration. Bars below it mean over-confidence.

# %%
PANEL, PAD = 200, 20
canvas = Image.new("RGB", (4 * (PANEL + PAD) + PAD, PANEL + 2 * PAD), "white")
draw = ImageDraw.Draw(canvas)
keys = ["studio/raw", "studio/temperature", "field/raw", "field/temperature"]
for i, key in enumerate(keys):
    x0, y0 = PAD + i * (PANEL + PAD), PAD
    draw.rectangle((x0, y0, x0 + PANEL, y0 + PANEL), outline="black")
    draw.line((x0, y0 + PANEL, x0 + PANEL, y0), fill="grey")
    width = PANEL / N_BINS
    for b, (count, acc) in enumerate(zip(bins[key]["counts"], bins[key]["accuracy"], strict=True)):
        if count:
            left = x0 + b * width
            draw.rectangle(
                (left + 1, y0 + PANEL * (1 - acc), left + width - 1, y0 + PANEL), fill="steelblue"
            )
    draw.text((x0 + 4, y0 + 4), key, fill="black")
canvas.save("reliability.png")
results["diagram"] = "reliability.png"
print(np.asarray(canvas).shape)

# %% [markdown]
# ## Results

# %%
required = ("temperature", "val_nll", "table", "bins", "diagram")
missing = [key for key in required if key not in results]
assert not missing, f"fill results[...] for {missing} in the cells above"
Path("results.json").write_text(json.dumps(results, indent=2))
print({k: results[k] for k in ("temperature", "val_nll")})
