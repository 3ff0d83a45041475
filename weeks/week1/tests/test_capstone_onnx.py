"""Tests of week1.capstone_onnx: your ensemble, export, quantisation and predictor, chained.

Two small CNNs (batch norm and dropout) are trained briefly on 32-px studio pills; your wiring
module turns them into an ensemble, a float ONNX file, a static int8 file and a predictor. The
oracles are a hand-computed ensemble, onnxruntime run directly on your files, and the ``onnx``
graph. Run: ``pytest weeks/week1/tests/test_capstone_onnx.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rxvision.data import CLASS_NAMES, generate

SIZE = 32
MEAN = np.array([0.485, 0.456, 0.406], np.float32).reshape(1, 3, 1, 1)
STD = np.array([0.229, 0.224, 0.225], np.float32).reshape(1, 3, 1, 1)
MIN_AGREEMENT = 0.95  # measured: reference 1.0, calibration on one image 0.92 (78 photos)


@contextmanager
def _one_thread() -> Iterator[None]:
    """Train with one thread: small models run faster so on a busy 2-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _normalise(photos: np.ndarray) -> np.ndarray:
    """uint8 ``(N, H, W, 3)`` -> float32 ``(N, 3, H, W)`` scaled to [0, 1] and normalised."""
    x = photos.transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255.0)
    return np.ascontiguousarray((x - MEAN) / STD, np.float32)


def _member(seed: int, x: torch.Tensor, y: torch.Tensor) -> nn.Module:
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(16 * 8 * 8, len(CLASS_NAMES)),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(20):
        index = torch.randint(0, len(x), (64,))
        loss = F.cross_entropy(model(x[index]), y[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval()


@pytest.fixture(scope="module")
def members() -> list[nn.Module]:
    """Two small CNNs trained for a few steps on normalised studio pills (different seeds)."""
    photos, labels = generate(split="studio", samples_per_class=6, size=SIZE, seed=0)
    x, y = torch.from_numpy(_normalise(photos)), torch.from_numpy(labels)
    with _one_thread():
        return [_member(seed, x, y) for seed in (1, 2)]


@pytest.fixture(scope="module")
def calibration() -> np.ndarray:
    photos, _ = generate(split="studio", samples_per_class=2, size=SIZE, seed=1, subset="val")
    return _normalise(photos)


@pytest.fixture(scope="module")
def held_out() -> tuple[np.ndarray, np.ndarray]:
    """uint8 photos ``(78, 32, 32, 3)`` and their labels."""
    return generate(split="studio", samples_per_class=3, size=SIZE, seed=2, subset="test")


@pytest.fixture(scope="module")
def _cache() -> dict[str, Any]:
    return {}


@pytest.fixture
def deployment(
    impl: ModuleType,
    members: list[nn.Module],
    calibration: np.ndarray,
    tmp_path_factory: pytest.TempPathFactory,
    _cache: dict[str, Any],
) -> Any:
    """``impl.deploy(members, <tmp>, calibration, 32)``, run once per implementation."""
    if impl.__name__ not in _cache:
        out_dir = tmp_path_factory.mktemp("capstone_onnx")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _cache[impl.__name__] = impl.deploy(members, out_dir, calibration, SIZE)
    return _cache[impl.__name__]


def _reference_log_probs(members: list[nn.Module], x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        probs = torch.stack([m.eval()(x).softmax(dim=-1) for m in members]).mean(dim=0)
    return probs.clamp_min(1e-12).log()


def _ort(path: Path, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


# -- 1. the ensemble --------------------------------------------------------------------------
def test_build_ensemble_is_your_ensemble(
    impl: ModuleType, exercise: Any, members: list[nn.Module], held_out: tuple[np.ndarray, Any]
) -> None:
    model = impl.build_ensemble(members)
    yours = exercise("week1.ensemble")
    assert isinstance(model, yours.Ensemble), (
        f"build_ensemble should return your week1.ensemble Ensemble ({yours.__name__}), got "
        f"{type(model).__module__}.{type(model).__name__}"
    )
    x = torch.from_numpy(_normalise(held_out[0][:8]))
    with torch.no_grad():
        got = model(x)
    expected = _reference_log_probs(members, x)
    assert torch.allclose(got, expected, atol=1e-5), (
        "build_ensemble(members)(x) should be log(mean_m softmax(member_m(x))) with uniform "
        f"weights; max difference {(got - expected).abs().max().item():.3g}"
    )


# -- 2. one float graph ------------------------------------------------------------------------
def test_fp32_file_is_the_whole_ensemble(
    deployment: Any, members: list[nn.Module], held_out: tuple[np.ndarray, Any]
) -> None:
    assert Path(deployment.fp32_path).is_file(), f"no float ONNX file at {deployment.fp32_path}"
    onnx.checker.check_model(onnx.load(str(deployment.fp32_path)))
    x = _normalise(held_out[0])
    got = _ort(deployment.fp32_path, x)
    expected = _reference_log_probs(members, torch.from_numpy(x)).numpy()
    assert got.shape == expected.shape, (
        f"the float ONNX file should output {expected.shape} log-probabilities, got {got.shape}"
    )
    diff = float(np.abs(got - expected).max())
    assert diff <= 1e-4, (
        "onnxruntime on your float file should reproduce the PyTorch ensemble (the average of "
        f"ALL members' probabilities, as log-probabilities) to 1e-4; max difference {diff:.3g}. "
        "Export the ensemble itself, not one member, and export it in eval mode."
    )


# -- 3. static int8 ----------------------------------------------------------------------------
def test_int8_file_is_static_and_smaller(deployment: Any) -> None:
    fp32, int8 = Path(deployment.fp32_path), Path(deployment.int8_path)
    assert int8.is_file(), f"no int8 ONNX file at {int8}"
    assert int8.resolve() != fp32.resolve(), "the int8 file must be a copy, not the float file"
    graph = onnx.load(str(int8)).graph
    ops = {node.op_type for node in graph.node}
    input_name = graph.input[0].name
    quantised_input = any(
        node.op_type == "QuantizeLinear" and input_name in node.input for node in graph.node
    )
    assert quantised_input, (
        "static int8 quantisation quantises activations, starting with the input image "
        f"(a QuantizeLinear node reading {input_name!r}); your file has the ops {sorted(ops)}. "
        "Use quantization.quantize_static_onnx with a calibration reader, not dynamic "
        "quantisation."
    )
    sizes = fp32.stat().st_size, int8.stat().st_size
    assert sizes[1] < sizes[0], (
        f"the int8 file ({sizes[1]} bytes) should be smaller than the float file ({sizes[0]} bytes)"
    )


# -- 4. the predictor ------------------------------------------------------------------------
def test_predictor_is_yours_and_serves_the_int8_file(
    deployment: Any, exercise: Any, held_out: tuple[np.ndarray, Any]
) -> None:
    yours = exercise("week1.onnx_inference")
    predictor = deployment.predictor
    assert isinstance(predictor, yours.OnnxPredictor), (
        f"deploy should build your week1.onnx_inference OnnxPredictor ({yours.__name__}), got "
        f"{type(predictor).__module__}.{type(predictor).__name__}"
    )
    photos = held_out[0][:16]
    got = np.asarray(predictor.predict_proba(list(photos)))
    logits = _ort(deployment.int8_path, _normalise(photos)).astype(np.float64)
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    assert got.shape == expected.shape, (
        f"predict_proba shape {got.shape}, expected {expected.shape}"
    )
    diff = float(np.abs(got - expected).max())
    assert diff <= 1e-4, (
        "the predictor's probabilities should equal onnxruntime's on the INT8 file for the same "
        "photos scaled to [0, 1] and normalised with MEAN and STD; max difference "
        f"{diff:.3g}. Build OnnxPredictor on int8_path (not the float file) with mean=MEAN and "
        "std=STD."
    )


def test_int8_predictor_agrees_with_pytorch(
    deployment: Any, members: list[nn.Module], held_out: tuple[np.ndarray, np.ndarray]
) -> None:
    photos, _ = held_out
    torch_top1 = _reference_log_probs(members, torch.from_numpy(_normalise(photos))).argmax(1)
    served = np.asarray(deployment.predictor.predict_proba(list(photos))).argmax(axis=1)
    agreement = float((served == torch_top1.numpy()).mean())
    assert agreement >= MIN_AGREEMENT, (
        f"the int8 predictor's top-1 class should agree with the PyTorch ensemble on at least "
        f"{MIN_AGREEMENT:.0%} of {len(photos)} held-out photos, got {agreement:.1%}. Calibrate "
        "on all the preprocessed calibration images (normalised like inference inputs)."
    )
