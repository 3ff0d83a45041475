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
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image
from torch import Tensor
from torchvision.transforms.v2 import functional as TF

from grader import differential as diff
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
@pytest.mark.clause("train-shape", "inputs")
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


@pytest.mark.clause("eval-pipeline")
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


@pytest.mark.clause("eval-deterministic")
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


@pytest.mark.clause("scaled", "normalize", "train-order")
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
@pytest.mark.clause("seeded")
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
@pytest.mark.clause("no-hue")
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


@pytest.mark.clause("no-flip")
def test_images_are_never_mirrored(impl: ModuleType) -> None:
    x = _marker()
    want = _orientation(x.float() / 255)
    assert want is not None, (
        "test setup: the three colour discs should be found in the marker image before "
        "augmentation; please report this"
    )
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


# -- more clauses ------------------------------------------------------------------------------
_STATS = [(None, None), ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)), ((0.1, 0.9, 0.3), (0.05, 2.0, 0.3))]


def _kw(stats: tuple) -> dict:
    mean, std = stats
    return {} if mean is None else {"mean": mean, "std": std}


@st.composite
def _uint8_images(draw: st.DrawFn) -> Tensor:
    h, w = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    batch = draw(st.sampled_from([None, 1, 2]))
    shape = (3, h, w) if batch is None else (batch, 3, h, w)
    seed = draw(st.integers(0, 2**16))
    kind = draw(st.sampled_from(["random", "constant", "extremes"]))
    g = torch.Generator().manual_seed(seed)
    if kind == "constant":
        return torch.full(shape, draw(st.sampled_from([0, 128, 255])), dtype=torch.uint8)
    x = torch.randint(0, 256, shape, generator=g, dtype=torch.uint8)
    return x if kind == "random" else (x > 127).to(torch.uint8) * 255


@pytest.mark.clause("eval-pipeline", "inputs", "normalize", "scaled")
@given(x=_uint8_images(), size=st.sampled_from([2, 5, 16]), stats=st.sampled_from(_STATS))
@example(x=torch.full((3, 7, 3), 255, dtype=torch.uint8), size=4, stats=_STATS[2])
def test_eval_transforms_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, x: Tensor, size: int, stats: tuple
) -> None:
    kw = _kw(stats)
    std = kw.get("std", reference.STD)
    # torchvision's uint8 antialiased resize uses fixed-point weights and rounds: a resize of
    # floats differs by up to ~1 grey level. (Size 1 is left out: torch's uint8 antialias
    # kernel fails on a 1 x 1 output.)
    atol = 1.5 / 255 / min(std)
    diff.assert_same(
        lambda: impl.eval_transforms(size, **kw)(x.clone()),
        lambda: reference.eval_transforms(size, **kw)(x.clone()),
        compare=lambda got, want: (
            f"expected a tensor, got {diff.describe(got)}"
            if not isinstance(got, Tensor)
            else diff.same(
                got.as_subclass(Tensor).numpy(), want.as_subclass(Tensor).numpy(), rtol=0, atol=atol
            )
        ),
    )


@pytest.mark.clause("inputs", "train-shape")
@pytest.mark.parametrize("pipeline", ["train_transforms", "eval_transforms"])
@pytest.mark.parametrize("kind", ["pil", "numpy", "batch"])
def test_non_square_inputs_give_square_outputs(impl: ModuleType, pipeline: str, kind: str) -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (2, 3, 20, 33), generator=g, dtype=torch.uint8)
    arr = x[0].permute(1, 2, 0).numpy()
    data = {"pil": Image.fromarray(arr), "numpy": arr, "batch": x}[kind]
    want = (2, 3, 12, 12) if kind == "batch" else (3, 12, 12)
    torch.manual_seed(0)
    out = getattr(impl, pipeline)(12)(data)
    assert isinstance(out, Tensor) and tuple(out.shape) == want and out.dtype == torch.float32, (
        f"{pipeline}(12) on a 20 x 33 {kind} image should give a float32 {want} tensor, got "
        f"{type(out).__name__} {tuple(getattr(out, 'shape', ()))} {getattr(out, 'dtype', '')}"
    )


@pytest.mark.clause("normalize")
def test_train_normalises_with_the_given_mean_and_std(impl: ModuleType, pills: np.ndarray) -> None:
    mean, std = (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)
    transform = impl.train_transforms(24, mean=mean, std=std)
    for seed in range(4):
        torch.manual_seed(seed)
        back = impl.denormalize(transform(_chw(pills[seed])), mean, std)
        lo, hi = back.min().item(), back.max().item()
        assert lo >= -0.1 and hi <= 1.1, (
            f"train_transforms(mean={mean}, std={std}): after undoing that normalisation the "
            f"image should be in [0, 1], got [{lo:.3g}, {hi:.3g}]; use the mean and std given"
        )


def _disc() -> Tensor:
    yy, xx = torch.meshgrid(torch.arange(64.0), torch.arange(64.0), indexing="ij")
    img = torch.zeros(3, 64, 64, dtype=torch.uint8)
    img[:, (xx - 31.5) ** 2 + (yy - 31.5) ** 2 <= 28**2] = 255
    return img


@pytest.mark.clause("scale")
def test_scale_sets_the_crop_area(impl: ModuleType) -> None:
    # a white disc covering 60% of a black image: a whole-image crop (scale=(1, 1)) keeps that
    # fraction under rotation; smaller crops (default 0.8..1) zoom in on the disc (~67%)
    transform = impl.train_transforms(32, scale=(1.0, 1.0))
    fractions = []
    for seed in range(16):
        torch.manual_seed(seed)
        fractions.append((impl.denormalize(transform(_disc())).mean(0) > 0.4).float().mean().item())
    mean = sum(fractions) / len(fractions)
    assert mean < 0.61, (
        f"with scale=(1.0, 1.0) the crop is the whole image and a disc covering 60% of it should "
        f"cover about 56% of the output (rotation cuts the corners), got {mean:.2f} on average: "
        "pass scale to RandomResizedCrop"
    )


@pytest.mark.clause("batch-same")
def test_a_batch_shares_its_random_parameters(impl: ModuleType, pills: np.ndarray) -> None:
    x = _chw(pills[7])[None].repeat(3, 1, 1, 1)
    transform = impl.train_transforms(24)
    for seed in range(4):
        torch.manual_seed(seed)
        out = transform(x)
        gap = max((out[0] - out[i]).abs().mean().item() for i in (1, 2))
        assert gap < 0.25, (
            f"three copies of one image in a batch should get the same crop, angle and colour "
            f"(only the pixel noise may differ), but differ by {gap:.3f} on average (seed {seed})"
        )


@pytest.mark.clause("rotation")
def test_rotations_cover_all_angles(impl: ModuleType) -> None:
    x = _marker()
    transform = impl.train_transforms(SIZE, scale=(1.0, 1.0))
    angles = []
    for seed in range(16):
        torch.manual_seed(seed)
        img = impl.denormalize(transform(x))
        red = (img[0] > img[1] + 0.3) & (img[0] > img[2] + 0.3)
        if red.sum() >= 3:
            ys, xs = torch.nonzero(red, as_tuple=True)
            c = (SIZE - 1) / 2
            angles.append(math.degrees(math.atan2(c - ys.float().mean(), xs.float().mean() - c)))
    quadrants = {int(((a + 45) % 360) // 90) for a in angles}
    assert len(angles) >= 8 and len(quadrants) >= 3, (
        f"pills lie at any angle: over 16 seeds the red disc (at 90 degrees) should turn up in "
        f"at least 3 of the 4 quadrants, found in {sorted(quadrants)} ({len(angles)} seen). "
        "Use RandomRotation(180)."
    )


def _leaves(t: object) -> list[object]:
    children = getattr(t, "transforms", None)
    if isinstance(children, (list, tuple)):
        return [leaf for c in children for leaf in _leaves(c)]
    return [t]


@pytest.mark.clause("train-order")
def test_train_pipeline_order(impl: ModuleType) -> None:
    from torchvision.transforms import v2

    names = [type(t).__name__ for t in _leaves(impl.train_transforms(SIZE))]
    want = ["RandomResizedCrop", "RandomRotation", "ColorJitter", "JPEG", "ToDtype",
            "GaussianNoise", "Normalize"]  # fmt: skip
    missing = [w for w in want if w not in names]
    assert not missing, f"the training pipeline should contain {missing}; it has {names}"
    where = [names.index(w) for w in want]
    assert where == sorted(where) and names[-1] == "Normalize", (
        f"the training pipeline should run, in this order, {want} (Normalize last); it runs {names}"
    )
    assert v2 is not None, "torchvision.transforms.v2 should import: the pipeline is built from it"
