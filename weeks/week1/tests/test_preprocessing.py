"""Tests of week1.preprocessing: Otsu, pill mask and box, square crop, EXIF, modes, errors.

Oracles: a brute-force between-class variance for Otsu, hand-drawn images with exact boxes, and
the synthetic renderer's own geometry: the pill's true box is recomputed from the same random
stream the photo was drawn with (its alpha mask, before any lighting or clutter).
Run: ``pytest weeks/week1/tests/test_preprocessing.py``.
"""

from __future__ import annotations

import functools
import io
from types import ModuleType

import numpy as np
import pytest
import torch
from PIL import Image

from rxvision.data import CATALOGUE, generate, synthetic

SIZE = 64
PER_CLASS = 2


def _true_box(split: str, label: int, index: int) -> tuple[int, int, int, int]:
    """The pill's box in ``generate(split, subset="test", size=SIZE)``'s sample, from its alpha."""
    rng = np.random.Generator(
        np.random.PCG64(synthetic.sample_seed(0, split, "test", label, index))
    )
    canvas = 2 * SIZE  # the renderer draws at 2x and box-downsamples
    coeffs, _ = synthetic._homography(rng, canvas, split == "field")
    warped = synthetic._sprite(CATALOGUE[label], canvas).transform(
        (canvas, canvas),
        Image.Transform.PERSPECTIVE,
        tuple(coeffs),
        resample=Image.Resampling.BILINEAR,
    )
    ys, xs = np.nonzero(np.asarray(warped.reduce(2))[..., 3] >= 128)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


@functools.cache
def _photos(split: str) -> list[tuple[np.ndarray, tuple[int, int, int, int]]]:
    images, labels = generate(split, samples_per_class=PER_CLASS, size=SIZE, subset="test")
    n = len(CATALOGUE)
    return [
        (img, _true_box(split, int(lab), k // n))
        for k, (img, lab) in enumerate(zip(images, labels, strict=True))
    ]


def _inter(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def _area(a: tuple[int, ...]) -> int:
    return (a[2] - a[0]) * (a[3] - a[1])


def _iou(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    i = _inter(a, b)
    return i / (_area(a) + _area(b) - i)


def _drawn(fg: tuple[int, int, int] = (220, 200, 60)) -> np.ndarray:
    """A 64 px grey tray with a flat rectangle over columns 10..29 and rows 20..39."""
    a = np.full((SIZE, SIZE, 3), 100, np.uint8)
    a[20:40, 10:30] = fg
    return a


def _between_variance(values: np.ndarray, t: int) -> float:
    lo, hi = values[values <= t].astype(float), values[values > t].astype(float)
    if not len(lo) or not len(hi):
        return 0.0
    w0, w1 = len(lo) / values.size, len(hi) / values.size
    return w0 * w1 * (lo.mean() - hi.mean()) ** 2


# -- Otsu ------------------------------------------------------------------------------------------
def test_otsu_separates_two_levels(impl: ModuleType) -> None:
    values = np.array([50] * 100 + [200] * 100, dtype=np.uint8)
    t = impl.otsu_threshold(values)
    assert isinstance(t, int), f"return a Python int, got {type(t).__name__}"
    assert 50 <= t < 200, f"100 values 50 and 100 values 200: t should be in [50, 200), got {t}"


def test_otsu_maximises_between_class_variance(impl: ModuleType) -> None:
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(70, 12, 3000), rng.normal(160, 25, 1000)])
    values = np.clip(values, 0, 255).astype(np.uint8)
    best = max(_between_variance(values, t) for t in range(256))
    t = impl.otsu_threshold(values)
    assert _between_variance(values, t) == pytest.approx(best, rel=1e-9), (
        f"your threshold {t} gives a between-class variance of {_between_variance(values, t):.2f}"
        f", the best threshold gives {best:.2f} (classes values <= t and values > t)"
    )


# -- mask and box --------------------------------------------------------------------------------
def test_box_of_a_drawn_rectangle_is_exact(impl: ModuleType) -> None:
    image = _drawn()
    mask = impl.pill_mask(image)
    assert mask.shape == (SIZE, SIZE) and mask.dtype == bool, (
        f"pill_mask should return a bool (H, W) array, got {mask.dtype} {mask.shape}"
    )
    inside, outside = int(mask[20:40, 10:30].sum()), int(mask.sum() - mask[20:40, 10:30].sum())
    assert inside >= 380 and outside == 0, (
        "the mask of a flat 20 x 20 rectangle should cover it (an opening may round its corners) "
        f"and nothing else: {inside} of 400 pixels inside, {outside} outside"
    )
    got = impl.pill_box(image)
    assert tuple(got) == (10, 20, 30, 40), (
        "a pill over columns 10..29 and rows 20..39 has the box (10, 20, 30, 40) (right and "
        f"bottom exclusive, as in PIL), got {got}"
    )


def test_studio_boxes_match_the_true_pill(impl: ModuleType) -> None:
    photos = _photos("studio")
    ious = np.array([_iou(impl.pill_box(img), box) for img, box in photos])
    good = (ious > 0.8).mean()
    assert good >= 0.9, (
        f"on {len(photos)} studio photos, the IoU of your pill_box with the true pill box should "
        f"exceed 0.8 for at least 90% of them; it does for {good:.0%} (median IoU "
        f"{np.median(ious):.2f}, worst {ious.min():.2f}). Check the border colour model, the "
        "closing that joins the pill across its imprint, and the largest component."
    )


def test_field_crops_contain_the_pill(impl: ModuleType) -> None:
    photos = _photos("field")
    covered = []
    for img, box in photos:
        _, crop = impl.preprocess(img)
        covered.append(_inter(tuple(crop), box) / _area(box))
    covered_arr = np.array(covered)
    good = (covered_arr >= 0.9).mean()
    assert good >= 0.85, (
        f"on {len(photos)} field photos (clutter, glare, textured tables) the crop box should "
        f"contain at least 90% of the pill for 85% of them; it does for {good:.0%}"
    )


# -- preprocess ----------------------------------------------------------------------------------
def test_preprocess_crop_box_is_a_square_around_the_pill(impl: ModuleType) -> None:
    image = _drawn()
    x, box = impl.preprocess(image, size=32, margin=0.25)
    assert tuple(x.shape) == (3, 32, 32) and x.dtype == torch.float32, (
        f"preprocess should return a float32 (3, size, size) tensor, got {x.dtype} {tuple(x.shape)}"
    )
    # pill box (10, 20, 30, 40): side 20 * 1.5 = 30, centred on (20, 30)
    assert tuple(box) == (5, 15, 35, 45), (
        "for the pill box (10, 20, 30, 40) and margin 0.25 the square crop should be "
        f"(5, 15, 35, 45) (side round(20 * 1.5) = 30, centred on the pill), got {box}"
    )


def test_preprocess_normalises_with_mean_and_std(impl: ModuleType) -> None:
    image = _drawn()
    raw, _ = impl.preprocess(image, mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0))
    assert float(raw.min()) >= 0.0 and float(raw.max()) <= 1.0, (
        f"with mean 0 and std 1 the tensor is the image scaled to [0, 1], got range "
        f"[{float(raw.min()):.3f}, {float(raw.max()):.3f}]"
    )
    mean, std = torch.tensor(impl.MEAN)[:, None, None], torch.tensor(impl.STD)[:, None, None]
    x, _ = impl.preprocess(image)
    assert torch.allclose(x, (raw - mean) / std, atol=1e-5), (
        "with the default mean/std the tensor should be (x - MEAN) / STD per channel"
    )


def test_crop_past_the_edge_is_padded_with_the_background(impl: ModuleType) -> None:
    image = np.full((SIZE, SIZE, 3), 100, np.uint8)
    image[2:22, 2:22] = (220, 200, 60)  # pill box (2, 2, 22, 22): a 30 px crop starts at -3
    raw, box = impl.preprocess(image, margin=0.25, mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0))
    assert tuple(box) == (-3, -3, 27, 27), f"the crop box should be (-3, -3, 27, 27), got {box}"
    corner = raw[:, 0, 0] * 255
    assert torch.allclose(corner, torch.tensor([100.0, 100.0, 100.0]), atol=1.5), (
        "a crop that reaches past the image edge is padded with the background colour (the "
        f"median border colour, here grey 100), not black; the corner pixel is {corner.tolist()}"
    )


def test_preprocess_applies_exif_orientation(impl: ModuleType) -> None:
    upright = Image.fromarray(_drawn())
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what a sideways camera stores
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    buffer = io.BytesIO()
    stored.save(buffer, format="PNG", exif=exif.tobytes())
    photo = Image.open(io.BytesIO(buffer.getvalue()))
    want_x, want_box = impl.preprocess(upright)
    got_x, got_box = impl.preprocess(photo)
    assert tuple(got_box) == tuple(want_box) and torch.allclose(got_x, want_x), (
        f"a photo stored sideways with EXIF orientation 6 should give the same crop as the "
        f"upright photo ({want_box}), got {got_box}: apply PIL.ImageOps.exif_transpose first"
    )


@pytest.mark.parametrize("mode", ["RGBA", "L"])
def test_preprocess_accepts_other_modes(impl: ModuleType, mode: str) -> None:
    photo = Image.fromarray(_drawn(fg=(230, 230, 230))).convert(mode)
    x, box = impl.preprocess(photo)
    assert tuple(x.shape) == (3, 64, 64), (
        f"a {mode} image should be converted to RGB: expected shape (3, 64, 64), got "
        f"{tuple(x.shape)}"
    )
    assert tuple(box) == (8, 18, 32, 42), f"{mode} image: crop box should be (8, 18, 32, 42)"


def test_preprocess_is_deterministic(impl: ModuleType) -> None:
    image = _photos("studio")[3][0]
    (a, box_a), (b, box_b) = impl.preprocess(image), impl.preprocess(image.copy())
    assert box_a == box_b and torch.equal(a, b), "the same photo must give the same output"


@pytest.mark.parametrize("kind", ["blank", "noise"])
def test_no_pill_raises_value_error(impl: ModuleType, kind: str) -> None:
    if kind == "blank":
        image = np.full((SIZE, SIZE, 3), 140, np.uint8)
    else:
        rng = np.random.default_rng(1)
        image = np.clip(140 + rng.normal(0, 3, (SIZE, SIZE, 3)), 0, 255).astype(np.uint8)
    with pytest.raises(ValueError, match="no pill"):
        impl.preprocess(image)
        pytest.fail(f"a {kind} tray should raise ValueError('no pill found ...')")
