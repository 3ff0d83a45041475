"""Tests of week6.polymorphism: ``singledispatch`` overloading, ``@overload`` signatures, and
subclasses that override one step of a template method.

Images are tiny and made on the fly; PNG is lossless, so every route into ``load_image`` must give
exactly the same array. Run: ``pytest weeks/week6/tests/test_polymorphism.py``.
"""

from __future__ import annotations

import io
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from PIL import Image

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


@pytest.mark.parametrize("source", [42, [1, 2], None, {"path": "a.png"}, 3.5], ids=repr)
def test_unsupported_types_raise_a_clear_type_error(impl: ModuleType, source: object) -> None:
    impl.load_image(rgb())
    with pytest.raises(TypeError) as info:
        impl.load_image(source)
    assert type(source).__name__ in str(info.value), (
        f"the TypeError should name the type it got ({type(source).__name__}), got: {info.value}"
    )


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
def test_predict_is_a_template_method(impl: ModuleType) -> None:
    model = RecordingModel((0.0, 2.0, 1.0))
    p = impl.ImagePredictor(model, LABELS)
    image = rgb(seed=4)
    got = p.predict(png_bytes(image))
    probs = np.exp([0.0, 2.0, 1.0]) / np.exp([0.0, 2.0, 1.0]).sum()
    assert got == impl.Prediction("oval", pytest.approx(probs[1])), (
        f"logits (0, 2, 1) should give Prediction('oval', {probs[1]:.4f}), got {got}"
    )
    assert type(got.score) is float
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
    assert got == [p.predict(item) for item in batch]
    assert p.predict([]) == [], "an empty list is an empty batch"
    with pytest.raises(TypeError):
        p.predict((rgb(),))  # only a list is a batch; a tuple is not an image source
    overloads = typing.get_overloads(impl.ImagePredictor.predict)
    assert len(overloads) >= 2, (
        "declare predict's two signatures with @typing.overload (list -> list[Prediction], "
        f"one source -> Prediction) above the implementation; found {len(overloads)}"
    )
