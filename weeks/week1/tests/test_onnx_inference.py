"""Tests of week1.onnx_inference: an ONNX Runtime predictor with TorchPredictor's behaviour.

Oracle: :class:`rxvision.serving.predictor.TorchPredictor` running the same small CNN in PyTorch,
on synthetic pill photos; the ONNX file is exported by ``torch.onnx.export`` in the fixture.
Run: ``pytest weeks/week1/tests/test_onnx_inference.py``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from types import ModuleType

import numpy as np
import onnxruntime as ort
import pytest
import torch
from PIL import Image
from torch import Tensor, nn

from rxvision.data import CLASS_NAMES, generate
from rxvision.serving.predictor import TorchPredictor

SIZE = 32
MEAN = (0.5, 0.4, 0.3)
STD = (0.2, 0.25, 0.3)


class TinyNet(nn.Module):
    """A small CNN whose output depends on every channel (so a channel swap shows)."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(32, len(CLASS_NAMES))
        with torch.no_grad():
            self.conv.weight.mul_(4.0)
            self.fc.weight.mul_(4.0)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.pool(torch.relu(self.conv(x))).flatten(1))


@pytest.fixture(scope="module")
def model_and_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[nn.Module, Path]:
    model = TinyNet().eval()
    path = tmp_path_factory.mktemp("onnx_inference") / "tiny.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (torch.zeros(1, 3, SIZE, SIZE),),
            str(path),
            input_names=["pixels"],  # deliberately not "image": read the name from the session
            output_names=["logits"],
            dynamic_axes={"pixels": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    return model, path


@pytest.fixture(scope="module")
def arrays() -> np.ndarray:
    """13 uint8 RGB pill photos of 48 px (resized to 32 px by the predictors)."""
    images, _ = generate(split="field", samples_per_class=1, size=48, seed=0)
    return images[:13]


@pytest.fixture(scope="module")
def oracle(model_and_file, arrays: np.ndarray) -> np.ndarray:
    model, _ = model_and_file
    torch_predictor = TorchPredictor(model, CLASS_NAMES, SIZE, mean=MEAN, std=STD)
    return torch_predictor.predict_proba([Image.fromarray(a) for a in arrays])


def _predictor(impl: ModuleType, path: Path, **kwargs):
    return impl.OnnxPredictor(path, CLASS_NAMES, SIZE, mean=MEAN, std=STD, **kwargs)


def test_preprocess_matches_the_torch_predictor(impl: ModuleType, model_and_file, arrays) -> None:
    model, path = model_and_file
    pil = [Image.fromarray(a) for a in arrays[:3]]
    want = TorchPredictor(model, CLASS_NAMES, SIZE, mean=MEAN, std=STD).preprocess(pil).numpy()
    got = _predictor(impl, path).preprocess(pil)
    assert got.shape == want.shape and got.dtype == np.float32, (
        f"preprocess of 3 images should be float32 {want.shape}, got {got.dtype} {got.shape}"
    )
    np.testing.assert_allclose(
        got,
        want,
        atol=1e-5,
        err_msg="preprocess differs from TorchPredictor.preprocess: keep RGB order, resize "
        "bilinear with Pillow, divide by 255, subtract mean and divide by std per channel",
    )


def test_probabilities_match_torch_for_pil_images(
    impl: ModuleType, model_and_file, arrays, oracle
) -> None:
    _, path = model_and_file
    got = _predictor(impl, path).predict_proba([Image.fromarray(a) for a in arrays])
    assert got.shape == oracle.shape, (
        f"predict_proba shape should be {oracle.shape}, got {got.shape}"
    )
    np.testing.assert_allclose(
        got,
        oracle,
        atol=1e-5,
        err_msg="ONNX probabilities differ from TorchPredictor's on the same PIL images (softmax "
        "over the class axis, same preprocessing)",
    )


def test_probabilities_match_torch_for_uint8_arrays(
    impl: ModuleType, model_and_file, arrays, oracle
) -> None:
    _, path = model_and_file
    got = _predictor(impl, path).predict_proba(list(arrays))
    np.testing.assert_allclose(
        got,
        oracle,
        atol=1e-5,
        err_msg="uint8 (H, W, 3) RGB arrays should give the same probabilities as the same "
        "images as PIL images: Image.fromarray(array), no channel swap",
    )


def test_rows_sum_to_one(impl: ModuleType, model_and_file, arrays) -> None:
    _, path = model_and_file
    got = _predictor(impl, path).predict_proba(list(arrays[:5]))
    assert got.dtype == np.float64, f"return float64 probabilities, got {got.dtype}"
    np.testing.assert_allclose(
        got.sum(axis=1),
        np.ones(5),
        atol=1e-9,
        err_msg="each row (one image) should sum to 1: softmax over axis 1, not axis 0",
    )


def test_top_k_is_sorted_and_named(impl: ModuleType, model_and_file, arrays, oracle) -> None:
    _, path = model_and_file
    got = _predictor(impl, path).predict(list(arrays), k=3)
    assert len(got) == len(arrays), f"predict should return one list per image, got {len(got)}"
    for i, (row, top) in enumerate(zip(oracle, got, strict=True)):
        want = [CLASS_NAMES[j] for j in np.argsort(-row, kind="stable")[:3]]
        labels = [label for label, _ in top]
        probs = [p for _, p in top]
        assert labels == want, (
            f"image {i}: top-3 should be {want} (most probable first), got {labels}"
        )
        assert probs == sorted(probs, reverse=True), (
            f"image {i}: top-k probabilities should decrease, got {probs}"
        )
        np.testing.assert_allclose(probs, np.sort(row)[::-1][:3], atol=1e-5)


def test_uneven_list_runs_in_chunks(impl: ModuleType, model_and_file, arrays, oracle) -> None:
    _, path = model_and_file
    predictor = _predictor(impl, path, max_batch=4)
    sizes: list[int] = []
    run = predictor.session.run

    def counting_run(output_names, feeds, *args, **kwargs):
        sizes.append(next(iter(feeds.values())).shape[0])
        return run(output_names, feeds, *args, **kwargs)

    predictor.session.run = counting_run
    got = predictor.predict_proba(list(arrays[:10]))
    assert sizes == [4, 4, 2], (
        f"10 images with max_batch=4 should run as batches [4, 4, 2], they ran as {sizes}"
    )
    np.testing.assert_allclose(got, oracle[:10], atol=1e-5, err_msg="chunked results differ")


def test_session_is_created_once(
    impl: ModuleType, model_and_file, arrays, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, path = model_and_file
    predictor = _predictor(impl, path)
    created: list[object] = []
    original = ort.InferenceSession.__init__

    def counting_init(self, *args, **kwargs):
        created.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ort.InferenceSession, "__init__", counting_init)
    predictor.predict_proba(list(arrays[:2]))
    predictor.predict(list(arrays[:2]), k=1)
    assert not created, (
        f"{len(created)} InferenceSession(s) were created while predicting: build the session "
        "once in __init__ and reuse self.session"
    )


def test_session_options(impl: ModuleType, model_and_file) -> None:
    _, path = model_and_file
    options = _predictor(impl, path, threads=1).session.get_session_options()
    assert options.intra_op_num_threads == 1, (
        f"threads=1 should set intra_op_num_threads = 1, got {options.intra_op_num_threads}"
    )
    assert options.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL, (
        f"enable all graph optimisations, got {options.graph_optimization_level}"
    )


def test_empty_list(impl: ModuleType, model_and_file) -> None:
    _, path = model_and_file
    got = _predictor(impl, path).predict_proba([])
    assert got.shape == (0, len(CLASS_NAMES)), (
        f"no images should give shape (0, {len(CLASS_NAMES)}), got {got.shape}"
    )


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (np.zeros((32, 32, 3), np.float32), TypeError),
        (np.zeros((32, 32), np.uint8), ValueError),
        ("pill.png", TypeError),
    ],
    ids=["float_array", "grey_array", "path_string"],
)
def test_invalid_images_are_refused(
    impl: ModuleType, model_and_file, bad: object, error: type[Exception]
) -> None:
    _, path = model_and_file
    with pytest.raises(error):
        _predictor(impl, path).predict_proba([bad])


def test_wrong_number_of_classes_is_refused(impl: ModuleType, model_and_file) -> None:
    _, path = model_and_file
    with pytest.raises(ValueError):
        impl.OnnxPredictor(path, ["a", "b", "c"], SIZE)
