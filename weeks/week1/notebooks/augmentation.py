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
from torchvision.transforms import v2  # noqa: F401 (part 1)
from torchvision.utils import make_grid, save_image  # noqa: F401 (part 2)

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
# grayscale (the colour is gone). [#expected-verdicts] Random transforms that should always act
# are set to act with probability 1 (`p=1.0`): a flip applied half of the time measures half a
# flip. [#flip-always]

# %%
# TODO: a dict TRANSFORMS from name to a torchvision.transforms.v2 transform, with these names:
#   "identity" (v2.Identity), "rotate_small" (up to 15 degrees), "gaussian_blur" (kernel 5,
#   sigma 0.5 to 1.5), "brightness" (ColorJitter brightness 0.25), "hue_jitter" (ColorJitter
#   with a hue shift of 0.2 to 0.5), "horizontal_flip" (always flips), "big_crop"
#   (RandomResizedCrop back to SIZE from 5-15% of the area), "grayscale" (3 channels).
#   [#transforms]
raise NotImplementedError("part 1: the transforms")

# %% [markdown]
# ## 2. A contact sheet
#
# One row per pill: the original, then each transform. Look at it (`augmentations.png`):
# the flipped imprints, the recoloured tablets, the crops that show only background.

# %%
# TODO: after torch.manual_seed(0), for each of the first SHEET_PILLS images append the original
# and then every transform of it (wrap it as tv_tensors.Image) to a list of tiles; make_grid of
# the tiles as floats in [0, 1] with nrow=1 + len(TRANSFORMS) and padding=2; save_image it to
# "augmentations.png". Fill results["contact_sheet"] = {"path": "augmentations.png",
# "shape": list(grid.shape), "rows": SHEET_PILLS, "cols": 1 + len(TRANSFORMS)}. [#contact-sheet]
raise NotImplementedError("part 2: the contact sheet")


# %% [markdown]
# ## 3. Measurements
#
# For every pill and transform, apply the transform to the image *and* the disk mask in one call
# (v2 transforms draw their random parameters once per call, so both get the same geometry).


# %%
# TODO: for every transform (torch.manual_seed(0) before each) and every image, call
# `out, mask = transform(tv_tensors.Image(image), DISK)` (one call: the same geometry for both)
# and measure, then average over the images into measurements[name] = {"colour_drift",
# "mirrored", "pill_intact"}:
#   colour_drift: sum over r, g, b of |chroma(out) - chroma(image)|, where chroma is the mean of
#     (r, g, b) / (r + g + b) over the pixels of the fixed central `disk` (clamp r + g + b at a
#     minimum of 1); [#colour-drift]
#   mirrored: 1.0 if the Pearson correlation of the gray images (mean over channels, flattened)
#     of `out` and `image.flip(-1)` is larger than that of `out` and `image`, else 0.0;
#     [#mirrored]
#   pill_intact: 1.0 if the transformed mask is non-empty and touches none of the 4 borders.
#     [#pill-intact]
# Print one line per transform.
measurements: dict[str, dict[str, float]] = {}
raise NotImplementedError("part 3: the measurements")


# %% [markdown]
# ## 4. Verdicts
#
# A transform is pill-safe when the colour stays (drift at most 0.05), the imprint is not
# mirrored (in at most half of the pills) and the pill stays whole in the frame (in at least 90%
# of the pills). The safe ones form the augmentation policy of `week1.augmentation`.

# %%
# TODO: a transform is unsafe when colour_drift > THRESHOLDS["colour_drift"] ("changes the
# colour"), mirrored > THRESHOLDS["mirrored"] ("mirrors the imprint") or pill_intact <
# THRESHOLDS["pill_intact"] ("cuts the pill off"). Fill results["transforms"][name] = {the three
# measurements, "safe": bool, "reasons": [the reasons]} [#verdicts] and results["policy"] = [the
# names of the safe transforms, in TRANSFORMS order]. [#policy] Print the verdicts.
raise NotImplementedError("part 4: the verdicts")

# %% [markdown]
# ## 5. Results
#
# The grader reads `results.json`. This cell checks that every part above filled its entries.
# [#results-json]

# %%
required = ("contact_sheet", "transforms", "policy")
missing = [key for key in required if key not in results]
assert not missing, f"fill results[...] for {missing} in the cells above"
Path("results.json").write_text(json.dumps(results, indent=2))
print("policy:", results["policy"])
