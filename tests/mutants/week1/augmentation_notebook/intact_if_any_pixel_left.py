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
# Mutant (a plausible wrong notebook): a pill counts as intact when any pixel of it is
# left in the frame (no border check).

# %% [markdown]
# # What each transform does to a pill
#
# Data augmentation only helps when it preserves the label. On ImageNet a horizontal flip is
# free; on pills it is not: the imprint reads backwards, and a mirrored "L 10" is not a
# lisinopril tablet. A hue shift turns a pink tablet into a blue one, which is *another
# medication* in our catalogue; a tight random crop can cut the pill out of the frame. Here you
# apply each `torchvision.transforms.v2` transform to synthetic pills and measure three things:
#
# 1. **colour drift**: how far the pill's colour moves, in brightness-free chromaticity
#    `(r, g, b) / (r + g + b)` over a central disk that the pill covers;
# 2. **mirroring**: whether the result looks more like the mirrored original than the original;
# 3. **pill intact**: whether the central disk (tracked as a `tv_tensors.Mask`, so it undergoes
#    the same geometry as the image) is still whole inside the frame.
#
# Then classify each transform as pill-safe or not, save a contact sheet, and write
# `results.json`. The grader runs this file headless and checks the verdicts and measurements.

# %%
import json
from pathlib import Path

import torch
from torchvision import tv_tensors
from torchvision.transforms import v2
from torchvision.utils import make_grid, save_image

from rxvision.data import CLASS_NAMES, generate

SIZE = 64
SAMPLES_PER_CLASS = 1
DISK_RADIUS = 0.2 * SIZE  # every pill covers the central disk of radius 0.2 * SIZE
SHEET_PILLS = 6  # rows of the contact sheet
THRESHOLDS = {"colour_drift": 0.05, "mirrored": 0.5, "pill_intact": 0.9}

images_np, labels_np = generate("studio", samples_per_class=SAMPLES_PER_CLASS, size=SIZE, seed=0)
images = torch.from_numpy(images_np).permute(0, 3, 1, 2).contiguous()  # uint8 (N, 3, H, W)
yy, xx = torch.meshgrid(torch.arange(SIZE), torch.arange(SIZE), indexing="ij")
centre = (SIZE - 1) / 2
disk = ((yy - centre) ** 2 + (xx - centre) ** 2) <= DISK_RADIUS**2
DISK = tv_tensors.Mask(disk[None].to(torch.uint8))  # (1, H, W)
print(f"{len(images)} pills of {len(CLASS_NAMES)} classes, {SIZE} px")
results: dict = {"image_size": SIZE, "n_images": len(images), "thresholds": THRESHOLDS}

# %% [markdown]
# ## 1. The transforms
#
# Three that should be pill-safe (small rotation, mild blur, brightness), three that should not
# (hue jitter, horizontal flip, a tight random crop), plus two references: the identity and
# grayscale (the colour is gone). Random transforms that should always act are set to act with
# probability 1 (`p=1.0`): a flip applied half of the time measures half a flip.

# %%
TRANSFORMS = {
    "identity": v2.Identity(),
    "rotate_small": v2.RandomRotation(15),
    "gaussian_blur": v2.GaussianBlur(5, sigma=(0.5, 1.5)),
    "brightness": v2.ColorJitter(brightness=0.25),
    "hue_jitter": v2.ColorJitter(hue=(0.2, 0.5)),
    "horizontal_flip": v2.RandomHorizontalFlip(p=1.0),
    "big_crop": v2.RandomResizedCrop(SIZE, scale=(0.05, 0.15), antialias=True),
    "grayscale": v2.Grayscale(num_output_channels=3),
}

# %% [markdown]
# ## 2. A contact sheet
#
# One row per pill: the original, then each transform. Look at it (`augmentations.png`):
# the flipped imprints, the recoloured tablets, the crops that show only background.

# %%
torch.manual_seed(0)
tiles = []
for image in images[:SHEET_PILLS]:
    tiles.append(image)
    tiles.extend(transform(tv_tensors.Image(image)) for transform in TRANSFORMS.values())
grid = make_grid(torch.stack(tiles).float() / 255, nrow=1 + len(TRANSFORMS), padding=2)
save_image(grid, "augmentations.png")
results["contact_sheet"] = {
    "path": "augmentations.png",
    "shape": list(grid.shape),
    "rows": SHEET_PILLS,
    "cols": 1 + len(TRANSFORMS),
}
print("contact sheet", tuple(grid.shape), "columns: original,", ", ".join(TRANSFORMS))


# %% [markdown]
# ## 3. Measurements
#
# For every pill and transform, apply the transform to the image *and* the disk mask in one call
# (v2 transforms draw their random parameters once per call, so both get the same geometry).


# %%
def chromaticity(image: torch.Tensor) -> torch.Tensor:
    """Mean (r, g, b) / (r + g + b) over the central disk: colour without brightness."""
    pixels = image.float()[:, disk]
    return (pixels / pixels.sum(0).clamp(min=1.0)).mean(1)


def gray(image: torch.Tensor) -> torch.Tensor:
    return image.float().mean(0).flatten()


def correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / (a.norm() * b.norm()).clamp(min=1e-8))


def pill_intact(mask: torch.Tensor) -> bool:
    """The tracked disk is non-empty and touches no border: the pill is whole in the frame."""
    m = mask[0].bool()
    return bool(m.any())


measurements = {}
for name, transform in TRANSFORMS.items():
    torch.manual_seed(0)
    drift, mirrored, intact = [], [], []
    for image in images:
        out, mask = transform(tv_tensors.Image(image), DISK)
        drift.append(float((chromaticity(out) - chromaticity(image)).abs().sum()))
        same = correlation(gray(out), gray(image))
        mirror = correlation(gray(out), gray(image.flip(-1)))
        mirrored.append(float(mirror > same))
        intact.append(float(pill_intact(mask)))
    measurements[name] = {
        "colour_drift": sum(drift) / len(drift),
        "mirrored": sum(mirrored) / len(mirrored),
        "pill_intact": sum(intact) / len(intact),
    }
    print(
        f"{name:16s} colour drift {measurements[name]['colour_drift']:.4f}  "
        f"mirrored {measurements[name]['mirrored']:.2f}  "
        f"pill intact {measurements[name]['pill_intact']:.2f}"
    )

# %% [markdown]
# ## 4. Verdicts
#
# A transform is pill-safe when the colour stays (drift at most 0.05), the imprint is not
# mirrored (in at most half of the pills) and the pill stays whole in the frame (in at least 90%
# of the pills). The safe ones form the augmentation policy of `week1.augmentation`.

# %%
transforms_report = {}
for name, m in measurements.items():
    reasons = []
    if m["colour_drift"] > THRESHOLDS["colour_drift"]:
        reasons.append("changes the colour")
    if m["mirrored"] > THRESHOLDS["mirrored"]:
        reasons.append("mirrors the imprint")
    if m["pill_intact"] < THRESHOLDS["pill_intact"]:
        reasons.append("cuts the pill off")
    transforms_report[name] = {**m, "safe": not reasons, "reasons": reasons}
    print(f"{name:16s} {'safe' if not reasons else 'UNSAFE: ' + ', '.join(reasons)}")
results["transforms"] = transforms_report
results["policy"] = [name for name, r in transforms_report.items() if r["safe"]]

# %% [markdown]
# ## 5. Results
#
# The grader reads `results.json`. This cell checks that every part above filled its entries.

# %%
required = ("contact_sheet", "transforms", "policy")
missing = [key for key in required if key not in results]
assert not missing, f"fill results[...] for {missing} in the cells above"
Path("results.json").write_text(json.dumps(results, indent=2))
print("policy:", results["policy"])
