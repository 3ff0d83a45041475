"""Tests of week1.augmentation: shapes, ranges, determinism, hue kept, never mirrored.

Oracles: torchvision's functional ops applied by hand (eval pipeline), colour statistics of
synthetic pill photographs (hue), and the orientation of a three-colour marker (mirroring).
Run: ``pytest weeks/week1/tests/test_augmentation.py``.
"""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np
import pytest
import torch
from torch import Tensor
from torchvision.transforms.v2 import functional as TF

from rxvision.data import CLASS_NAMES, generate

SIZE = 48
N_SEEDS = 8
# colourful classes: hue identifies them (yellow, blue, green)
COLOURFUL = ("levothyroxine_100", "warfarin_4", "losartan_50")


@pytest.fixture(scope="module")
def pills() -> np.ndarray:
    """One studio photograph per class, uint8 ``(26, 64, 64, 3)``."""
    images, _ = generate("studio", samples_per_class=1, size=64, seed=0, subset="test")
    return images


def _chw(image: np.ndarray) -> Tensor:
    return torch.from_numpy(image).permute(2, 0, 1).contiguous()


def _hue_degrees(image: Tensor) -> float:
    """Chroma-weighted mean hue of a float RGB image ``(3, H, W)``, in degrees."""
    r, g, b = image.clamp(0, 1)
    x, y = (2 * r - g - b).sum().item(), (math.sqrt(3) * (g - b)).sum().item()
    return math.degrees(math.atan2(y, x))


def _angle_gap(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


def _marker() -> Tensor:
    """A grey 64 px image with red, green and blue discs counter-clockwise around the centre."""
    yy, xx = torch.meshgrid(torch.arange(64.0), torch.arange(64.0), indexing="ij")
    img = torch.full((3, 64, 64), 120, dtype=torch.uint8)
    for channel, angle in enumerate((90.0, 210.0, 330.0)):
        cx = 31.5 + 11 * math.cos(math.radians(angle))
        cy = 31.5 - 11 * math.sin(math.radians(angle))
        disc = (xx - cx) ** 2 + (yy - cy) ** 2 <= 4.5**2
        img[:, disc] = 30
        img[channel, disc] = 235
    return img


def _orientation(image: Tensor) -> float | None:
    """Sign of the red -> green -> blue turn (+1 or -1), or None if a disc is not found."""
    centres = []
    for c in range(3):
        others = [o for o in range(3) if o != c]
        mask = (image[c] > image[others[0]] + 0.3) & (image[c] > image[others[1]] + 0.3)
        if mask.sum() < 3:
            return None
        ys, xs = torch.nonzero(mask, as_tuple=True)
        centres.append((xs.float().mean().item(), ys.float().mean().item()))
    (x0, y0), (x1, y1), (x2, y2) = centres
    cross = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0)
    return math.copysign(1.0, cross)


# -- shapes, dtypes, ranges ------------------------------------------------------------------
@pytest.mark.parametrize("pipeline", ["train_transforms", "eval_transforms"])
def test_outputs_have_the_right_shape_and_dtype(
    impl: ModuleType, pills: np.ndarray, pipeline: str
) -> None:
    transform = getattr(impl, pipeline)(SIZE)
    torch.manual_seed(0)
    for name, x, want in [
        ("a (3, 64, 64) uint8 tensor", _chw(pills[0]), (3, SIZE, SIZE)),
        ("a (64, 64, 3) uint8 NumPy array", pills[0], (3, SIZE, SIZE)),
        ("a (4, 3, 64, 64) uint8 batch", torch.from_numpy(pills[:4]).permute(0, 3, 1, 2), None),
    ]:
        out = transform(x)
        want = want or (4, 3, SIZE, SIZE)
        assert isinstance(out, Tensor) and tuple(out.shape) == want, (
            f"{pipeline}({SIZE}) on {name} should give a tensor of shape {want}, got "
            f"{type(out).__name__} {tuple(getattr(out, 'shape', ()))}"
        )
        assert out.dtype == torch.float32, f"{pipeline} should output float32, got {out.dtype}"


def test_eval_transforms_match_resize_and_normalize(impl: ModuleType, pills: np.ndarray) -> None:
    x = torch.from_numpy(pills[:6]).permute(0, 3, 1, 2)
    got = impl.eval_transforms(SIZE)(x)
    want = TF.resize(x, [SIZE, SIZE], antialias=True)
    want = TF.normalize(
        TF.to_dtype(want, torch.float32, scale=True), list(impl.MEAN), list(impl.STD)
    )
    err = (got - want).abs().max().item()
    assert err < 0.03, (
        f"eval_transforms({SIZE}) differs from resize -> to_dtype(scale=True) -> "
        f"normalize(MEAN, STD) by up to {err:.3g}. The evaluation pipeline is only that: no crop, "
        "no random op, values scaled to [0, 1] and normalised."
    )


def test_eval_transforms_are_deterministic(impl: ModuleType, pills: np.ndarray) -> None:
    transform = impl.eval_transforms(SIZE)
    outs = []
    for seed in (0, 1, 2):
        torch.manual_seed(seed)
        outs.append(transform(_chw(pills[3])))
    assert all(torch.equal(outs[0], o) for o in outs[1:]), (
        "eval_transforms gave different outputs for the same image under different seeds: the "
        "evaluation pipeline must not contain any random transform"
    )


def test_train_values_are_scaled_and_normalised(impl: ModuleType, pills: np.ndarray) -> None:
    transform = impl.train_transforms(SIZE)
    x = torch.from_numpy(pills[:8]).permute(0, 3, 1, 2)
    reference = impl.eval_transforms(SIZE)(x)
    torch.manual_seed(0)
    out = torch.cat([transform(x[i : i + 1]) for i in range(len(x))])
    back = impl.denormalize(out.transpose(0, 1).flatten(1).T.reshape(-1, 3, 1, 1))
    lo, hi = back.min().item(), back.max().item()
    assert lo >= -0.05 and hi <= 1.05, (
        f"after denormalize the training images should lie in [0, 1], got [{lo:.3g}, {hi:.3g}]. "
        "Did you use ToDtype(torch.float32, scale=True) (uint8 0..255 -> 0..1) before Normalize?"
    )
    spread, ref_spread = out.std().item(), reference.std().item()
    assert 0.5 < spread / ref_spread < 2, (
        f"training outputs have standard deviation {spread:.3g}, evaluation outputs "
        f"{ref_spread:.3g}: both pipelines must end with the same Normalize(MEAN, STD)"
    )


# -- randomness --------------------------------------------------------------------------------
def test_train_transforms_are_random_but_reproducible(impl: ModuleType, pills: np.ndarray) -> None:
    transform = impl.train_transforms(SIZE)
    x = _chw(pills[5])
    torch.manual_seed(3)
    a = transform(x)
    torch.manual_seed(3)
    b = transform(x)
    torch.manual_seed(4)
    c = transform(x)
    assert torch.equal(a, b), (
        "the same torch.manual_seed must give the same augmented image; do not use Python's or "
        "NumPy's random module, v2 transforms draw from torch's generator"
    )
    assert not torch.equal(a, c), "different seeds gave the same image: is anything random?"


# -- label-preserving --------------------------------------------------------------------------
@pytest.mark.parametrize("name", COLOURFUL)
def test_hue_is_preserved(impl: ModuleType, pills: np.ndarray, name: str) -> None:
    label = CLASS_NAMES.index(name)
    x = _chw(pills[label])
    want = _hue_degrees(x.float() / 255)
    transform = impl.train_transforms(SIZE)
    gaps = []
    for seed in range(N_SEEDS):
        torch.manual_seed(seed)
        gaps.append(_angle_gap(_hue_degrees(impl.denormalize(transform(x))), want))
    worst = max(gaps)
    assert worst < 12.0, (
        f"the mean hue of a {name} photograph moved by up to {worst:.1f} degrees over {N_SEEDS} "
        "augmentations. Colour identifies the medication: keep ColorJitter's hue at 0 (brightness, "
        "contrast and saturation are fine)."
    )


def test_images_are_never_mirrored(impl: ModuleType) -> None:
    x = _marker()
    want = _orientation(x.float() / 255)
    assert want is not None
    transform = impl.train_transforms(SIZE)
    seen, mirrored = 0, 0
    for seed in range(12):
        torch.manual_seed(seed)
        got = _orientation(impl.denormalize(transform(x)))
        if got is not None:
            seen += 1
            mirrored += got != want
    assert seen >= 6, f"the three-colour marker was found in only {seen} of 12 augmented images"
    assert mirrored == 0, (
        f"{mirrored} of {seen} augmented images were mirrored (red -> green -> blue turned the "
        "other way). Flips mirror imprint text into something no real pill has: remove "
        "RandomHorizontalFlip/RandomVerticalFlip (rotations are fine, they keep orientation)."
    )
