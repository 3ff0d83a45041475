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
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image, ImageOps

from grader import differential as diff
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
@pytest.mark.clause("otsu-int", "otsu-max")
def test_otsu_separates_two_levels(impl: ModuleType) -> None:
    values = np.array([50] * 100 + [200] * 100, dtype=np.uint8)
    t = impl.otsu_threshold(values)
    assert isinstance(t, int), f"return a Python int, got {type(t).__name__}"
    assert 50 <= t < 200, f"100 values 50 and 100 values 200: t should be in [50, 200), got {t}"


@pytest.mark.clause("otsu-max")
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
@pytest.mark.clause("mask-shape", "box-exclusive")
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


@pytest.mark.clause("border-median", "distance-otsu", "morphology", "largest")
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


@pytest.mark.clause("square")
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
@pytest.mark.clause("returns", "square-box", "size", "margin")
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


@pytest.mark.clause("normalise", "mean-std")
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


@pytest.mark.clause("pad-background")
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


@pytest.mark.clause("exif")
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


@pytest.mark.clause("modes")
@pytest.mark.parametrize("mode", ["RGBA", "L"])
def test_preprocess_accepts_other_modes(impl: ModuleType, mode: str) -> None:
    photo = Image.fromarray(_drawn(fg=(230, 230, 230))).convert(mode)
    x, box = impl.preprocess(photo)
    assert tuple(x.shape) == (3, 64, 64), (
        f"a {mode} image should be converted to RGB: expected shape (3, 64, 64), got "
        f"{tuple(x.shape)}"
    )
    assert tuple(box) == (8, 18, 32, 42), f"{mode} image: crop box should be (8, 18, 32, 42)"


@pytest.mark.clause("returns")
def test_preprocess_is_deterministic(impl: ModuleType) -> None:
    image = _photos("studio")[3][0]
    (a, box_a), (b, box_b) = impl.preprocess(image), impl.preprocess(image.copy())
    assert box_a == box_b and torch.equal(a, b), "the same photo must give the same output"


@pytest.mark.clause("no-pill", "no-pill-contrast")
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


# -- differential: judged against the reference ---------------------------------------------------
def _variance_of_threshold(values: np.ndarray) -> object:
    """compare= for Otsu: any t with the best between-class variance is right, and ties go low."""

    def compare(got: object, want: object) -> str | None:
        if not isinstance(got, int) or isinstance(got, bool) or not 0 <= got <= 255:
            return f"expected a Python int in [0, 255], got {got!r}"
        v = np.asarray(values, dtype=np.uint8).ravel()
        best = _between_variance(v, int(want))  # type: ignore[call-overload]
        mine = _between_variance(v, got)
        if mine < best * (1 - 1e-9) - 1e-12:
            return f"threshold {got} has between-class variance {mine:.6g}, the best is {best:.6g}"
        if got > int(want) and mine <= best * (1 + 1e-9) + 1e-12:  # type: ignore[call-overload]
            return f"threshold {got} ties with the smaller {want}: ties go to the smallest t"
        return None

    return compare


_LEVELS = st.sampled_from([0, 1, 50, 127, 128, 200, 254, 255])


@pytest.mark.clause("otsu-max", "otsu-ties", "otsu-int")
@given(
    values=st.one_of(
        st.lists(st.integers(0, 255), min_size=1, max_size=60),
        st.lists(_LEVELS, min_size=1, max_size=60),
    )
)
@example(values=[100] * 7)
@example(values=[50] * 100 + [200] * 100)
@example(values=[0, 255])
def test_otsu_agrees_with_the_reference(impl: ModuleType, reference: ModuleType, values) -> None:
    arr = np.array(values, dtype=np.uint8).reshape(-1, 1)
    diff.assert_same(
        impl.otsu_threshold,
        reference.otsu_threshold,
        arr,
        compare=_variance_of_threshold(arr),
    )


@pytest.mark.clause("otsu-ties")
def test_otsu_ties_go_to_the_smallest_threshold(impl: ModuleType) -> None:
    got = impl.otsu_threshold(np.array([50] * 10 + [200] * 30, dtype=np.uint8))
    assert got == 50, (
        "every t in [50, 199] splits values 50 and 200 the same way: the tie goes to the smallest "
        f"t, 50; got {got}"
    )
    got = impl.otsu_threshold(np.full((3, 4), 77, dtype=np.uint8))
    assert got == 0, f"a constant input has no split (every variance is 0): return 0, got {got}"


@st.composite
def _trays(draw: st.DrawFn) -> np.ndarray:
    """A small tray: a flat background with rectangles (some with holes), border outliers."""
    h, w = draw(st.integers(12, 28)), draw(st.integers(12, 28))
    bg = draw(st.sampled_from([(100, 100, 100), (20, 30, 40), (240, 235, 230), (0, 0, 0)]))
    a = np.empty((h, w, 3), np.uint8)
    a[:] = bg
    for _ in range(draw(st.integers(0, 3))):
        top, left = draw(st.integers(0, h - 2)), draw(st.integers(0, w - 2))
        bottom, right = draw(st.integers(top + 1, h)), draw(st.integers(left + 1, w))
        colour = draw(
            st.sampled_from([(220, 200, 60), (110, 110, 110), (108, 108, 108), (255, 255, 255)])
        )
        a[top:bottom, left:right] = colour
        if draw(st.booleans()) and bottom - top > 6 and right - left > 6:
            a[top + 2 : bottom - 2, left + 2 : right - 2] = bg  # a ring: fill its hole
    for _ in range(draw(st.integers(0, 3))):  # a few outliers on the border: the median ignores
        side = draw(st.integers(0, 3))
        k = draw(st.integers(0, min(h, w) - 1))
        y, x = [(0, k), (h - 1, k), (k, 0), (k, w - 1)][side]
        a[y, x] = (255, 0, 255)
    return a


def _bordered(inner: tuple[int, int, int], shape=(20, 24), pad: int = 1) -> np.ndarray:
    a = np.full((*shape, 3), 100, np.uint8)
    a[pad : shape[0] - pad, pad : shape[1] - pad] = inner
    return a


def _two_blobs() -> np.ndarray:
    a = np.full((24, 24, 3), 100, np.uint8)
    a[2:6, 2:6] = (220, 200, 60)  # small, found first
    a[10:20, 8:22] = (220, 200, 60)  # large
    return a


def _ring() -> np.ndarray:
    a = np.full((24, 24, 3), 100, np.uint8)
    a[3:21, 3:21] = (220, 200, 60)
    a[7:17, 7:17] = 100
    return a


def _tiny() -> np.ndarray:
    a = np.full((40, 40, 3), 100, np.uint8)
    a[10:14, 10:14] = (220, 200, 60)  # 16 px of 1600: 1%, 12 px after the opening
    return a


@pytest.mark.clause(
    "mask-shape",
    "border-median",
    "distance-otsu",
    "morphology",
    "largest",
    "no-pill-contrast",
    "no-pill-area",
)
@given(image=_trays())
@example(image=_bordered((108, 108, 108)))  # contrast 14: no pill
@example(image=_bordered((109, 109, 109)))  # contrast 16: a pill
@example(image=_bordered((220, 200, 60), shape=(100, 100), pad=1))  # mask: 92%
@example(image=_bordered((220, 200, 60), shape=(30, 30), pad=2))  # covers < 90%
@example(image=_two_blobs())
@example(image=_ring())
@example(image=_tiny())
def test_pill_mask_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, image: np.ndarray
) -> None:
    diff.assert_same(impl.pill_mask, reference.pill_mask, image)


@pytest.mark.clause("box-exclusive", "box-no-pill")
@given(image=_trays())
@example(image=_two_blobs())
@example(image=np.full((10, 10, 3), 5, np.uint8))
def test_pill_box_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, image: np.ndarray
) -> None:
    diff.assert_same(
        impl.pill_box,
        reference.pill_box,
        image,
        compare=lambda g, w: diff.same(tuple(int(v) for v in g), tuple(w)),
    )


@pytest.mark.clause("mask-not-rgb")
@pytest.mark.parametrize("shape", [(16, 16), (16, 16, 4), (16, 16, 1)], ids=str)
def test_pill_mask_rejects_non_rgb_arrays(impl: ModuleType, shape: tuple[int, ...]) -> None:
    image = np.full(shape, 100, np.uint8)
    image[4:12, 4:12] = 230
    with pytest.raises(ValueError):
        impl.pill_mask(image)
        pytest.fail(f"pill_mask of a {shape} array should raise ValueError (not (H, W, 3))")


def _same_tensor_and_box(std: tuple[float, ...]) -> object:
    """compare= for preprocess: the box exactly; the tensor within 1.5 grey levels (rounding of
    the resized uint8 canvas), scaled by 1 / std."""
    atol = 1.5 / 255 / min(std)

    def compare(got: object, want: object) -> str | None:
        (gx, gbox), (wx, wbox) = got, want  # type: ignore[misc]
        if tuple(int(v) for v in gbox) != tuple(wbox):
            return f"crop box {tuple(gbox)}, expected {tuple(wbox)}"
        if not isinstance(gx, torch.Tensor) or gx.dtype != torch.float32:
            return f"expected a float32 tensor, got {diff.describe(gx)}"
        return diff.same(gx.numpy(), wx.numpy(), rtol=0, atol=atol, path="tensor")

    return compare


@pytest.mark.clause(
    "returns",
    "square",
    "square-box",
    "pad-background",
    "resize",
    "normalise",
    "size",
    "margin",
    "mean-std",
    "array-input",
    "no-pill",
)
@given(
    image=_trays(),
    size=st.sampled_from([1, 8, 13]),
    margin=st.sampled_from([0.0, 0.1, 0.37, 1.0]),
    stats=st.sampled_from([((0.0, 0.0, 0.0), (1.0, 1.0, 1.0)), ((0.2, 0.5, 0.9), (0.1, 0.3, 2.0))]),
)
@example(
    image=_bordered((220, 200, 60), shape=(20, 30), pad=6),
    size=9,
    margin=0.5,
    stats=((0.2, 0.5, 0.9), (0.1, 0.3, 2.0)),
)
def test_preprocess_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, image: np.ndarray, size, margin, stats
) -> None:
    mean, std = stats
    diff.assert_same(
        impl.preprocess,
        reference.preprocess,
        image,
        size=size,
        margin=margin,
        mean=mean,
        std=std,
        compare=_same_tensor_and_box(std),
    )


def _pill_photo(h: int = 20, w: int = 28) -> np.ndarray:
    a = np.full((h, w, 3), 100, np.uint8)
    a[4:12, 5:20] = (230, 230, 230)
    return a


def _with_alpha(mode: str) -> Image.Image:
    a = _pill_photo()
    rgba = np.dstack([a, np.full(a.shape[:2], 255, np.uint8)])
    rgba[a[..., 0] == 100] = (0, 0, 0, 0)  # transparent black around the pill
    image = Image.fromarray(rgba, "RGBA")
    if mode == "LA":
        return image.convert("LA")
    if mode == "P":
        p = Image.fromarray(a[..., 0], "L").convert("P")
        p.info["transparency"] = 100  # the tray colour is transparent
        return p
    return image


@pytest.mark.clause("modes", "alpha-white")
@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparent_images_are_composited_on_white(
    impl: ModuleType, reference: ModuleType, mode: str
) -> None:
    image = _with_alpha(mode)
    diff.assert_same(
        impl.preprocess,
        reference.preprocess,
        image,
        size=8,
        margin=0.5,
        compare=_same_tensor_and_box(STD_ALL),
    )


STD_ALL = (0.229, 0.224, 0.225)


@pytest.mark.clause("modes", "array-input")
@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "CMYK", "I;16", "RGB"])
def test_any_mode_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, mode: str
) -> None:
    image = Image.fromarray(_pill_photo())
    image = image.convert(mode) if mode != "I;16" else image.convert("L").convert("I;16")
    diff.assert_same(
        impl.preprocess,
        reference.preprocess,
        image,
        size=8,
        compare=_same_tensor_and_box(STD_ALL),
    )


@pytest.mark.clause("exif")
@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_on_a_non_square_photo(
    impl: ModuleType, reference: ModuleType, orientation: int
) -> None:
    upright = Image.fromarray(_pill_photo())
    undo = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90}
    stored = upright.transpose(undo.get(orientation, Image.Transpose.ROTATE_270))
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    stored.save(buffer, format="PNG", exif=exif.tobytes())
    photo = Image.open(io.BytesIO(buffer.getvalue()))
    assert ImageOps.exif_transpose(photo).size == upright.size, (
        f"test setup: PIL should turn the stored photo (EXIF orientation {orientation}) back to "
        f"{upright.size}, got {ImageOps.exif_transpose(photo).size}; please report this"
    )
    want = reference.preprocess(upright, size=8)
    got = impl.preprocess(photo, size=8)
    problem = _same_tensor_and_box(STD_ALL)(got, want)  # type: ignore[operator]
    assert problem is None, (
        f"a {stored.size} photo with EXIF orientation {orientation} should be processed upright "
        f"{upright.size} (PIL.ImageOps.exif_transpose): {problem}"
    )
