"""Tests of week6.polymorphism: ``singledispatch`` overloading, ``@overload`` signatures, and
subclasses that override one step of a template method.

Images are tiny and made on the fly; PNG is lossless, so every route into ``load_image`` must give
exactly the same array. Run: ``pytest weeks/week6/tests/test_polymorphism.py``.
"""

from __future__ import annotations

import io
import os
import typing
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from grader import differential as diff

LABELS = ("round", "oval", "capsule")


def rgb(height: int = 6, width: int = 8, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


class RecordingModel:
    """Returns fixed logits and remembers every array it was given."""

    def __init__(self, logits: tuple[float, ...] = (0.0, 2.0, 1.0)) -> None:
        self.logits = np.asarray(logits)
        self.inputs: list[np.ndarray] = []

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.inputs.append(np.array(x))
        return self.logits


def _check_array(got: Any, want: np.ndarray, route: str) -> None:
    assert isinstance(got, np.ndarray), f"load_image({route}) should return an ndarray"
    assert got.dtype == np.uint8 and got.shape == want.shape, (
        f"load_image({route}) should give {want.shape} uint8, got {got.shape} {got.dtype}"
    )
    assert np.array_equal(got, want), f"load_image({route}) returned different pixels"


# -- load_image: one function, one implementation per type -------------------------------------
@pytest.mark.clause("rgb-uint8", "bytes", "path", "pil")
def test_load_image_dispatches_on_every_supported_type(impl: ModuleType, tmp_path: Path) -> None:
    want = rgb()
    path = tmp_path / "pill.png"
    path.write_bytes(png_bytes(want))
    routes = {
        "an ndarray": want,
        "a PIL image": Image.fromarray(want),
        "PNG bytes": png_bytes(want),
        "a bytearray": bytearray(png_bytes(want)),
        "a str path": str(path),
        "a pathlib.Path": path,
    }
    for route, source in routes.items():
        _check_array(impl.load_image(source), want, route)


@pytest.mark.clause("array-channels", "array-dtype", "array-shape", "pil", "copy", "bytes-invalid")
def test_load_image_makes_three_channels_and_a_copy(impl: ModuleType) -> None:
    colour = rgb(seed=1)
    grey = colour[:, :, 0]
    cases = {
        "an (H, W) grey array": (grey, np.repeat(grey[:, :, None], 3, axis=2)),
        "an (H, W, 1) array": (grey[:, :, None], np.repeat(grey[:, :, None], 3, axis=2)),
        "an (H, W, 4) RGBA array": (np.dstack([colour, np.full(grey.shape, 7, np.uint8)]), colour),
        "a grey PIL image": (Image.fromarray(grey, "L"), np.repeat(grey[:, :, None], 3, axis=2)),
        "an RGBA PIL image": (Image.fromarray(colour).convert("RGBA"), colour),
    }
    for route, (source, want) in cases.items():
        _check_array(impl.load_image(source), want, route)
    palette = Image.fromarray(colour).convert("P")
    _check_array(impl.load_image(palette), np.asarray(palette.convert("RGB")), "a palette image")
    out = impl.load_image(colour)
    assert not np.shares_memory(out, colour), (
        "load_image(array) must return a copy: the caller's array may change later"
    )
    for bad in (colour.astype(np.float32), np.zeros((2, 3, 5), np.uint8), np.zeros(4, np.uint8)):
        with pytest.raises(ValueError):
            impl.load_image(bad)
            pytest.fail(f"an array of {bad.dtype} {bad.shape} should raise ValueError")
    with pytest.raises(ValueError):
        impl.load_image(b"definitely not an image")


@pytest.mark.clause("unsupported")
@pytest.mark.parametrize("source", [42, [1, 2], None, {"path": "a.png"}, 3.5], ids=repr)
def test_unsupported_types_raise_a_clear_type_error(impl: ModuleType, source: object) -> None:
    impl.load_image(rgb())
    with pytest.raises(TypeError) as info:
        impl.load_image(source)
    assert type(source).__name__ in str(info.value), (
        f"the TypeError should name the type it got ({type(source).__name__}), got: {info.value}"
    )


@pytest.mark.clause("singledispatch")
def test_load_image_is_open_for_extension(impl: ModuleType) -> None:
    impl.load_image(rgb())
    registry = getattr(impl.load_image, "registry", None)
    assert registry is not None and hasattr(impl.load_image, "register"), (
        "load_image should be a @functools.singledispatch function (it has .register and .registry)"
    )
    for cls in (np.ndarray, Image.Image, bytes, str):
        assert cls in registry, f"no implementation registered for {cls.__name__}: {registry}"

    class Thumbnail:  # a type load_image has never heard of
        def __init__(self, array: np.ndarray) -> None:
            self.array = array

    impl.load_image.register(Thumbnail, lambda thumb: impl.load_image(thumb.array))
    want = rgb(seed=3)
    _check_array(impl.load_image(Thumbnail(want)), want, "a newly registered type")


# -- the template method and its overrides -----------------------------------------------------
@pytest.mark.clause("predict", "preprocess", "template")
def test_predict_is_a_template_method(impl: ModuleType) -> None:
    model = RecordingModel((0.0, 2.0, 1.0))
    p = impl.ImagePredictor(model, LABELS)
    image = rgb(seed=4)
    got = p.predict(png_bytes(image))
    probs = np.exp([0.0, 2.0, 1.0]) / np.exp([0.0, 2.0, 1.0]).sum()
    assert got == impl.Prediction("oval", pytest.approx(probs[1])), (
        f"logits (0, 2, 1) should give Prediction('oval', {probs[1]:.4f}), got {got}"
    )
    assert type(got.score) is float, (
        f"Prediction.score should be a Python float, got {type(got.score).__name__}"
    )
    seen = model.inputs[-1]
    assert seen.shape == (3, 6, 8) and seen.dtype == np.float32, (
        f"the model should get preprocess(image): (3, H, W) float32, got {seen.shape} {seen.dtype}"
    )
    np.testing.assert_allclose(seen, image.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    huge = impl.ImagePredictor(RecordingModel((1000.0, 0.0, 999.0)), LABELS).predict(image)
    assert huge.label == "round" and np.isfinite(huge.score), "softmax must not overflow"
    for sub in (impl.NormalizedPredictor, impl.CenterCropPredictor):
        assert issubclass(sub, impl.ImagePredictor) and "predict" not in vars(sub), (
            f"{sub.__name__} should inherit predict and override only preprocess"
        )


@pytest.mark.clause("normalized")
def test_normalized_predictor_overrides_preprocess(impl: ModuleType) -> None:
    model = RecordingModel()
    image = rgb(seed=5)
    impl.NormalizedPredictor(model, LABELS).predict(image)
    mean = np.array([0.485, 0.456, 0.406])[:, None, None]
    std = np.array([0.229, 0.224, 0.225])[:, None, None]
    want = (image.transpose(2, 0, 1) / 255.0 - mean) / std
    np.testing.assert_allclose(
        model.inputs[-1],
        want,
        rtol=1e-5,
        atol=1e-5,
        err_msg="NormalizedPredictor.preprocess should be (super().preprocess(x) - MEAN) / STD",
    )


@pytest.mark.clause("center-crop", "crop-too-small")
def test_center_crop_predictor_overrides_preprocess(impl: ModuleType) -> None:
    model = RecordingModel()
    image = rgb(height=11, width=14, seed=6)
    p = impl.CenterCropPredictor(model, LABELS, size=4)
    p.predict(image)
    top, left = (11 - 4) // 2, (14 - 4) // 2
    want = image[top : top + 4, left : left + 4].transpose(2, 0, 1) / 255.0
    got = model.inputs[-1]
    assert got.shape == (3, 4, 4), f"a 4x4 centre crop should reach the model, got {got.shape}"
    np.testing.assert_allclose(
        got,
        want,
        rtol=1e-6,
        err_msg=f"crop rows {top}..{top + 3} and columns {left}..{left + 3} "
        "(top = (H - size) // 2, left = (W - size) // 2), then the base preprocess",
    )
    with pytest.raises(ValueError):
        impl.CenterCropPredictor(model, LABELS, size=12).predict(image)


# -- @overload: one source or a list -----------------------------------------------------------
@pytest.mark.clause("batch", "overload")
def test_predict_accepts_a_list_and_declares_overloads(impl: ModuleType, tmp_path: Path) -> None:
    model = RecordingModel()
    p = impl.ImagePredictor(model, LABELS)
    path = tmp_path / "a.png"
    path.write_bytes(png_bytes(rgb(seed=7)))
    batch = [rgb(seed=8), png_bytes(rgb(seed=9)), path]
    got = p.predict(batch)
    assert isinstance(got, list) and len(got) == 3, (
        f"predict(list of 3 sources) should return a list of 3 Predictions, got {got!r}"
    )
    each = [p.predict(item) for item in batch]
    assert got == each, (
        "predict(list) should give the Predictions of predict on each item, in order: got "
        f"{got!r}, one by one {each!r}"
    )
    assert p.predict([]) == [], "an empty list is an empty batch"
    with pytest.raises(TypeError):
        p.predict((rgb(),))  # only a list is a batch; a tuple is not an image source
    overloads = typing.get_overloads(impl.ImagePredictor.predict)
    assert len(overloads) >= 2, (
        "declare predict's two signatures with @typing.overload (list -> list[Prediction], "
        f"one source -> Prediction) above the implementation; found {len(overloads)}"
    )


# -- differential: judged against the reference on drawn inputs --------------------------------
small_side = st.integers(1, 5)
uint8_images = hnp.arrays(
    np.uint8,
    st.one_of(
        st.tuples(small_side, small_side),
        st.tuples(small_side, small_side, st.integers(1, 5)),
        hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=3),
    ),
    elements=st.sampled_from([0, 1, 127, 128, 254, 255]) | st.integers(0, 255),
)
other_dtypes = hnp.arrays(
    st.sampled_from([np.float32, np.float64, np.int64, np.uint16, np.int8, np.bool_]),
    st.tuples(small_side, small_side, st.sampled_from([1, 3])),
)
PIL_MODES = ["RGB", "L", "P", "RGBA", "1", "LA", "I", "F", "CMYK"]


def encode(array: np.ndarray, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt)
    return buffer.getvalue()


rgb_arrays = hnp.arrays(np.uint8, st.tuples(small_side, small_side, st.just(3)))
sources = st.one_of(
    uint8_images,
    other_dtypes,
    st.tuples(rgb_arrays, st.sampled_from(PIL_MODES)).map(
        lambda a: Image.fromarray(a[0]).convert(a[1])
    ),
    st.tuples(rgb_arrays, st.sampled_from(["PNG", "BMP", "TIFF"])).map(lambda a: encode(*a)),
    rgb_arrays.map(lambda a: bytearray(encode(a, "PNG"))),
    st.sampled_from([b"", b"definitely not an image", b"\x89PNG\r\n\x1a\n", bytearray(b"GIF8")]),
    st.sampled_from([42, 3.5, None, [1, 2], (1, 2), {"path": "a.png"}, memoryview(b"ab"), {1}]),
)


@pytest.mark.clause(
    "rgb-uint8", "array-dtype", "array-channels", "array-shape", "pil", "bytes",
    "bytes-invalid", "unsupported",
)  # fmt: skip
@settings(report_multiple_bugs=False)  # a stub's NotImplementedError: one "not started"
@given(source=sources)
@example(source=np.zeros((2, 3, 4), np.uint8) + np.arange(4, dtype=np.uint8))
@example(source=np.zeros((2, 3, 2), np.uint8))
@example(source=np.zeros((0, 3, 3), np.uint8))
@example(source=np.zeros((2, 3), np.float64))
@example(source=b"")
def test_load_image_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, source
) -> None:
    diff.assert_same(impl.load_image, reference.load_image, source)


class FsPath(os.PathLike):
    """A path type that is neither ``str`` nor ``pathlib.Path``: only ``os.PathLike``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __fspath__(self) -> str:
        return self.path


@pytest.mark.clause("path")
def test_load_image_reads_any_os_pathlike(impl: ModuleType, tmp_path: Path) -> None:
    want = rgb(seed=11)
    path = tmp_path / "pill.png"
    path.write_bytes(png_bytes(want))
    _check_array(impl.load_image(FsPath(str(path))), want, "an os.PathLike that is not a Path")
    grey = tmp_path / "grey.png"
    Image.fromarray(want[:, :, 1], "L").save(grey)
    _check_array(impl.load_image(str(grey)), np.repeat(want[:, :, 1:2], 3, axis=2), "a grey file")


@pytest.mark.clause("copy")
@given(
    source=hnp.arrays(
        np.uint8,
        st.tuples(small_side, small_side, st.sampled_from([None, 1, 3, 4])).map(
            lambda s: s[:2] if s[2] is None else s
        ),
    )
)
def test_load_image_never_shares_memory_with_the_input(
    impl: ModuleType, source: np.ndarray
) -> None:
    before = source.copy()
    out = impl.load_image(source)
    assert not np.shares_memory(out, source), (
        f"load_image(array of shape {source.shape}) must return a new array, not a view of "
        "the caller's (slicing off alpha or broadcasting grey gives a view: copy it)"
    )
    out[...] = 255 - out
    assert np.array_equal(source, before), "writing into the result changed the caller's array"
    image = Image.fromarray(before if before.ndim == 2 or before.shape[2] != 1 else before[:, :, 0])
    pixels = np.asarray(image).copy()
    out = impl.load_image(image)
    out[...] = 255 - out
    assert np.array_equal(np.asarray(image), pixels), (
        "writing into the result of load_image(a PIL image) must not change the image"
    )


class IntegerMeans:
    """Logits from the exact uint8 values behind ``preprocess``: per channel, the mean of
    ``rint(x * 255)`` divided by ``scale`` (exact in float64, so no rounding decides a label)."""

    def __init__(self, scale: float = 32.0) -> None:
        self.scale = scale

    def __call__(self, x: np.ndarray) -> np.ndarray:
        levels = np.rint(np.asarray(x, dtype=np.float64) * 255.0)
        return levels.reshape(levels.shape[0], -1).mean(axis=1) / self.scale


def predictions(
    module: ModuleType, kind: str, size: int, scale: float, batch: list[object]
) -> Callable[[], object]:
    def run() -> object:
        model = IntegerMeans(scale)
        if kind == "crop":
            p = module.CenterCropPredictor(model, LABELS, size=size)
        else:
            p = module.ImagePredictor(model, LABELS)
        got = p.predict(batch)
        single = [p.predict(item) for item in batch]
        return [(g.label, g.score, type(g.score).__name__) for g in got], [
            (g.label, g.score) for g in single
        ]

    return run


images_for_predict = st.one_of(
    rgb_arrays,
    hnp.arrays(np.uint8, st.tuples(small_side, small_side)),  # grey: a three-way tie
    hnp.arrays(
        np.uint8, st.tuples(small_side, small_side, st.just(3)), elements=st.sampled_from([0, 255])
    ),
)


@pytest.mark.clause("predict", "batch", "center-crop", "crop-too-small", "template")
@settings(report_multiple_bugs=False)
@given(
    kind=st.sampled_from(["base", "crop"]),
    size=st.integers(1, 4),
    scale=st.sampled_from([32.0, 1.0, 0.01, 1e-4]),  # 1e-4: logits in the thousands
    batch=st.lists(images_for_predict, max_size=3),
)
@example(kind="base", size=1, scale=1.0, batch=[np.full((2, 2), 9, np.uint8)])
@example(kind="crop", size=2, scale=1e-4, batch=[rgb(3, 4, seed=1), rgb(1, 5, seed=2)])
@example(kind="crop", size=3, scale=1.0, batch=[rgb(5, 5, seed=3), rgb(4, 6, seed=4)])
@example(kind="crop", size=3, scale=1.0, batch=[rgb(5, 2, seed=6)])
def test_predict_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, kind: str, size: int, scale: float, batch: list
) -> None:
    diff.assert_same(
        predictions(impl, kind, size, scale, batch),
        predictions(reference, kind, size, scale, batch),
        rtol=1e-9,  # a softmax in float64 (any textbook form) agrees to ~1e-15
    )


@pytest.mark.clause("preprocess", "normalized", "center-crop", "crop-too-small")
@settings(report_multiple_bugs=False)
@given(
    kind=st.sampled_from(["base", "normalized", "crop"]),
    size=st.integers(1, 5),
    image=rgb_arrays,
)
@example(kind="normalized", size=1, image=np.full((2, 3, 3), 255, np.uint8))
@example(kind="crop", size=2, image=rgb(5, 4, seed=5))
def test_preprocess_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, kind: str, size: int, image: np.ndarray
) -> None:
    def run(module: ModuleType) -> Callable[[], np.ndarray]:
        def go() -> np.ndarray:
            if kind == "crop":
                p = module.CenterCropPredictor(IntegerMeans(), LABELS, size=size)
            elif kind == "normalized":
                p = module.NormalizedPredictor(IntegerMeans(), LABELS)
            else:
                p = module.ImagePredictor(IntegerMeans(), LABELS)
            out = p.preprocess(image.copy())
            assert out.dtype == np.float32, f"preprocess should give float32, got {out.dtype}"
            return out

        return go

    # float32 results: a few ulps of float32 (eps 1.2e-7) for any order of the same operations,
    # and an absolute floor scaled to the largest normalized value (|x| <= 2.7) near zero
    diff.assert_same(run(impl), run(reference), rtol=1e-6, atol=3e-6)
