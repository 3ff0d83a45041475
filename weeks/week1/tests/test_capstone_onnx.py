"""Tests of week1.capstone_onnx: your ensemble, export, quantisation and predictor, chained.

Two small CNNs (batch norm and dropout) are trained briefly on 32-px studio pills; your wiring
module turns them into an ensemble, a float ONNX file, a static int8 file and a predictor. The
oracles are a hand-computed ensemble, onnxruntime run directly on your files, and the ``onnx``
graph. The wiring of ``export_ensemble`` and ``quantize_ensemble`` is checked with stand-ins for
your ``export_onnx``, ``verify_onnx`` and ``quantize_static_onnx`` that record how they are
called. Run: ``pytest weeks/week1/tests/test_capstone_onnx.py``.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from grader import differential
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


def _cnn() -> nn.Sequential:
    """A member's architecture, untrained."""
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(16 * 8 * 8, len(CLASS_NAMES)),
    )


def _member(seed: int, x: torch.Tensor, y: torch.Tensor) -> nn.Module:
    torch.manual_seed(seed)
    model = _cnn()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(20):
        index = torch.randint(0, len(x), (64,))
        loss = F.cross_entropy(model(x[index]), y[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval()


def _train_members() -> list[nn.Module]:
    """Two small CNNs trained for a few steps on normalised studio pills (different seeds)."""
    photos, labels = generate(split="studio", samples_per_class=6, size=SIZE, seed=0)
    x, y = torch.from_numpy(_normalise(photos)), torch.from_numpy(labels)
    with _one_thread():
        return [_member(seed, x, y) for seed in (1, 2)]


@pytest.fixture(scope="module")
def members() -> Callable[[], list[nn.Module]]:
    """``members()``: the two trained CNNs, trained on the first call (seconds), so that a test
    can let your function raise NotImplementedError first. Each member's training seeds itself
    (``torch.manual_seed(seed)``): when it runs changes nothing."""
    return functools.cache(_train_members)


@pytest.fixture(scope="module")
def calibration() -> Callable[[], np.ndarray]:
    """``calibration()``: 52 normalised validation pills, generated on the first call."""

    def make() -> np.ndarray:
        photos, _ = generate(split="studio", samples_per_class=2, size=SIZE, seed=1, subset="val")
        return _normalise(photos)

    return functools.cache(make)


@pytest.fixture(scope="module")
def held_out() -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    """``held_out()``: uint8 photos ``(78, 32, 32, 3)`` and their labels, on the first call."""
    return functools.cache(
        lambda: generate(split="studio", samples_per_class=3, size=SIZE, seed=2, subset="test")
    )


@pytest.fixture(scope="module")
def _cache() -> dict[str, Any]:
    return {}


class _Deployed(NamedTuple):
    out_dir: Path
    result: Any


@pytest.fixture
def deployment(
    impl: ModuleType,
    members: Callable[[], list[nn.Module]],
    calibration: Callable[[], np.ndarray],
    tmp_path_factory: pytest.TempPathFactory,
    _cache: dict[str, Any],
) -> Callable[[], _Deployed]:
    """``deployment()`` runs ``impl.deploy(members, <tmp>/nested/out, calibration, 32)`` once per
    implementation (in the test, so that an exception of yours fails the test); ``out_dir``
    does not exist yet. It first calls ``deploy`` with no members (an error at once for a
    working one), so that an untouched stub raises before the members are trained."""

    def get() -> _Deployed:
        if impl.__name__ not in _cache:
            probe_dir = tmp_path_factory.mktemp("probe") / "out"
            no_images = np.zeros((0, 3, SIZE, SIZE), np.float32)
            differential.probe(lambda: impl.deploy([], probe_dir, no_images, SIZE))
            out_dir = tmp_path_factory.mktemp("capstone_onnx") / "nested" / "out"
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = impl.deploy(members(), out_dir, calibration(), SIZE)
                _cache[impl.__name__] = _Deployed(out_dir, result)
            except Exception as exc:  # noqa: BLE001 (re-raised in every test that asks)
                _cache[impl.__name__] = exc
        cached = _cache[impl.__name__]
        if isinstance(cached, Exception):
            raise cached
        return cached

    return get


def _reference_log_probs(
    members: list[nn.Module], x: torch.Tensor, weights: tuple[float, ...] | None = None
) -> torch.Tensor:
    w = torch.full((len(members),), 1 / len(members)) if weights is None else torch.tensor(weights)
    with torch.no_grad():
        probs = torch.stack([m.eval()(x).softmax(dim=-1) for m in members])
    return (w.view(-1, 1, 1) * probs).sum(dim=0).clamp_min(1e-12).log()


def _ort(path: Path, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def _bound(function: Callable[..., Any], args: tuple, kwargs: dict) -> dict[str, Any]:
    """The arguments of a call of ``function`` by parameter name, defaults included."""
    bound = inspect.signature(function).bind(*args, **kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


# -- 1. the ensemble --------------------------------------------------------------------------
@pytest.mark.clause("your-ensemble", "log-probs", "weights", "build-eval", "your-pieces")
def test_build_ensemble_is_your_ensemble(
    impl: ModuleType,
    exercise: Any,
    members: Callable[[], list[nn.Module]],
    held_out: Callable[[], tuple[np.ndarray, Any]],
) -> None:
    differential.probe(lambda: impl.build_ensemble([_cnn(), _cnn()]))
    trained = members()
    yours = exercise("week1.ensemble")
    x = torch.from_numpy(_normalise(held_out()[0][:8]))
    for weights in (None, (0.75, 0.25)):
        for member in trained:
            member.train()  # handed over in training mode: the ensemble must be in eval mode
        try:
            model = impl.build_ensemble(trained, weights)
            training = [name or "(the ensemble)" for name, m in model.named_modules() if m.training]
        finally:
            for member in trained:
                member.eval()
        assert isinstance(model, yours.Ensemble), (
            f"build_ensemble should return your week1.ensemble Ensemble ({yours.__name__}), got "
            f"{type(model).__module__}.{type(model).__name__}"
        )
        assert not training, (
            "build_ensemble should return the ensemble in eval mode (dropout off, batch norm on "
            f"its running statistics), but these modules are in training mode: {training[:5]}"
        )
        with torch.no_grad():
            got = model.eval()(x)
        expected = _reference_log_probs(trained, x, weights)
        what = "uniform weights" if weights is None else f"weights={list(weights)}"
        assert tuple(got.shape) == tuple(expected.shape), (
            f"build_ensemble(members, {weights})(x) should have shape {tuple(expected.shape)}, "
            f"got {tuple(got.shape)}"
        )
        assert torch.allclose(got, expected, atol=1e-5), (
            f"build_ensemble(members, {weights})(x) should be log(sum_m w_m softmax(member_m(x))) "
            f"with {what}; max difference {(got - expected).abs().max().item():.3g}"
        )


# -- 2. export, then verify ------------------------------------------------------------------
def _export_with_stand_ins(
    impl: ModuleType, yours: ModuleType, model: nn.Module, path: str, *, verify_fails: bool
) -> tuple[list[tuple[str, dict[str, Any]]], Any]:
    """``impl.export_ensemble(model, path, SIZE)`` with recording stand-ins for your
    ``export_onnx`` and ``verify_onnx`` (the latter raising when ``verify_fails``)."""
    real_export, real_verify = yours.export_onnx, yours.verify_onnx
    calls: list[tuple[str, dict[str, Any]]] = []

    def export(*args: Any, **kwargs: Any) -> Path:
        calls.append(("export_onnx", _bound(real_export, args, kwargs)))
        return Path(calls[-1][1]["path"])

    def verify(*args: Any, **kwargs: Any) -> dict[int, float]:
        calls.append(("verify_onnx", _bound(real_verify, args, kwargs)))
        if verify_fails:
            raise ValueError("onnxruntime differs from torch by more than 0.0001 (grader)")
        return {1: 0.0, 5: 0.0}

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yours, "export_onnx", export)
        patch.setattr(yours, "verify_onnx", verify)
        return calls, impl.export_ensemble(model, path, SIZE)


@pytest.mark.clause("one-graph", "verify", "export-returns-path", "your-pieces")
def test_export_ensemble_exports_then_verifies_the_whole_model(
    impl: ModuleType, exercise: Any, members: Callable[[], list[nn.Module]], tmp_path: Path
) -> None:
    differential.probe(lambda: impl.build_ensemble([_cnn(), _cnn()]))
    yours = exercise("week1.onnx_export")
    model = impl.build_ensemble(members())
    path = str(tmp_path / "model.onnx")  # a str: the result must be a Path all the same
    calls, got = _export_with_stand_ins(impl, yours, model, path, verify_fails=False)
    names = [name for name, _ in calls]
    assert names == ["export_onnx", "verify_onnx"], (
        "export_ensemble should call your onnx_export.export_onnx once, then "
        f"onnx_export.verify_onnx once (through the module object), got the calls {names}"
    )
    for name, arguments in calls:
        assert arguments["model"] is model, (
            f"{name} should get the ensemble itself (one graph averaging all members), got "
            f"{type(arguments['model']).__name__}"
        )
        assert Path(arguments["path"]) == Path(path) and arguments["image_size"] == SIZE, (
            f"{name} should get path={path!r} and image_size={SIZE}, got "
            f"path={arguments['path']!r}, image_size={arguments['image_size']!r}"
        )
    assert isinstance(got, Path) and got == Path(path), (
        f"export_ensemble(model, {path!r}, {SIZE}) should return Path({path!r}), got {got!r}"
    )
    try:
        _export_with_stand_ins(impl, yours, model, path, verify_fails=True)
    except ValueError as exc:
        assert "grader" in str(exc), f"expected the grader's verify_onnx error, got {exc}"
    else:
        pytest.fail(
            "when verify_onnx raises (onnxruntime and PyTorch disagree), export_ensemble should "
            "let the error propagate; it returned normally"
        )


# -- 3. the calibration reader ----------------------------------------------------------------
@pytest.mark.clause("static-reader", "all-calibration", "quantize-returns-path", "your-pieces")
def test_quantize_ensemble_feeds_every_calibration_image_unchanged(
    impl: ModuleType, exercise: Any, calibration: Callable[[], np.ndarray], tmp_path: Path
) -> None:
    probe = tmp_path / "probe"  # no float file there: a working quantize_ensemble fails at once
    one_image = np.zeros((1, 3, SIZE, SIZE), np.float32)
    differential.probe(
        lambda: impl.quantize_ensemble(probe / "fp32.onnx", probe / "int8.onnx", one_image)
    )
    calib = calibration()
    yours = exercise("week1.quantization")
    real = yours.quantize_static_onnx
    calls: list[dict[str, Any]] = []
    fed: list[dict[str, np.ndarray]] = []

    def quantize(*args: Any, **kwargs: Any) -> Path:
        arguments = _bound(real, args, kwargs)
        calls.append(arguments)
        reader = arguments["reader"]
        while (batch := reader.get_next()) is not None:
            fed.append({k: np.asarray(v) for k, v in batch.items()})
        return Path(arguments["dst"])

    fp32, int8 = str(tmp_path / "fp32.onnx"), str(tmp_path / "int8.onnx")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yours, "quantize_static_onnx", quantize)
        got = impl.quantize_ensemble(fp32, int8, calib)
    assert len(calls) == 1, (
        "quantize_ensemble should call your quantization.quantize_static_onnx once (through the "
        f"module object), got {len(calls)} calls"
    )
    assert Path(calls[0]["src"]) == Path(fp32) and Path(calls[0]["dst"]) == Path(int8), (
        f"quantize_static_onnx should get src={fp32!r} and dst={int8!r}, got "
        f"src={calls[0]['src']!r}, dst={calls[0]['dst']!r}"
    )
    names = sorted({name for batch in fed for name in batch})
    assert names == ["image"], (
        f'the calibration reader should feed the input "image", it fed {names or "nothing"}'
    )
    images = np.concatenate([batch["image"] for batch in fed]) if fed else np.zeros((0,))
    assert images.shape == calib.shape, (
        f"the calibration reader should feed all {len(calib)} calibration images "
        f"{calib.shape}, it fed {images.shape}"
    )
    diff = float(np.abs(images.astype(np.float64) - calib).max())
    assert diff <= 1e-6, (
        "the calibration images are already preprocessed (scaled and normalised like inference "
        f"inputs): feed them unchanged, in order; yours differ by {diff:.3g}"
    )
    assert isinstance(got, Path) and got == Path(int8), (
        f"quantize_ensemble should return Path({int8!r}), got {got!r}"
    )


# -- 4. the deployment: one float graph ----------------------------------------------------
@pytest.mark.clause("deployed-ensemble", "fp32-path", "int8-path", "mkdir", "your-pieces")
def test_deploy_lays_out_its_files_and_keeps_the_ensemble(
    deployment: Callable[[], _Deployed],
    exercise: Any,
    members: Callable[[], list[nn.Module]],
    held_out: Callable[[], tuple[np.ndarray, Any]],
) -> None:
    out_dir, result = deployment()
    for name, file in [("fp32_path", "ensemble_fp32.onnx"), ("int8_path", "ensemble_int8.onnx")]:
        got = getattr(result, name)
        assert Path(got) == out_dir / file, (
            f"Deployment.{name} should be <out_dir>/{file} = {out_dir / file}, got {got}"
        )
        assert Path(got).is_file(), f"deploy wrote no file at Deployment.{name} = {got}"
    yours = exercise("week1.ensemble")
    assert isinstance(result.ensemble, yours.Ensemble), (
        f"Deployment.ensemble should be your week1.ensemble Ensemble ({yours.__name__}), got "
        f"{type(result.ensemble).__module__}.{type(result.ensemble).__name__}"
    )
    training = [
        name or "(the ensemble)" for name, m in result.ensemble.named_modules() if m.training
    ]
    assert not training, f"Deployment.ensemble should be in eval mode; in training: {training[:5]}"
    x = torch.from_numpy(_normalise(held_out()[0][:8]))
    with torch.no_grad():
        got = result.ensemble(x)
    expected = _reference_log_probs(members(), x)
    assert torch.allclose(got, expected, atol=1e-5), (
        "Deployment.ensemble should be build_ensemble(members) with uniform weights; max "
        f"difference {(got - expected).abs().max().item():.3g}"
    )


@pytest.mark.clause("fp32-matches", "one-graph")
def test_fp32_file_is_the_whole_ensemble(
    deployment: Callable[[], _Deployed],
    members: Callable[[], list[nn.Module]],
    held_out: Callable[[], tuple[np.ndarray, Any]],
) -> None:
    result = deployment().result
    assert Path(result.fp32_path).is_file(), f"no float ONNX file at {result.fp32_path}"
    onnx.checker.check_model(onnx.load(str(result.fp32_path)))
    x = _normalise(held_out()[0])
    got = _ort(result.fp32_path, x)
    expected = _reference_log_probs(members(), torch.from_numpy(x)).numpy()
    assert got.shape == expected.shape, (
        f"the float ONNX file should output {expected.shape} log-probabilities, got {got.shape}"
    )
    diff = float(np.abs(got - expected).max())
    assert diff <= 1e-4, (
        "onnxruntime on your float file should reproduce the PyTorch ensemble (the average of "
        f"ALL members' probabilities, as log-probabilities) to 1e-4; max difference {diff:.3g}. "
        "Export the ensemble itself, not one member, and export it in eval mode."
    )


# -- 5. static int8 ----------------------------------------------------------------------------
@pytest.mark.clause("quantize-linear", "int8-smaller")
def test_int8_file_is_static_and_smaller(deployment: Callable[[], _Deployed]) -> None:
    result = deployment().result
    fp32, int8 = Path(result.fp32_path), Path(result.int8_path)
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


# -- 6. the predictor ------------------------------------------------------------------------
@pytest.mark.clause("predictor", "predictor-normalise", "your-pieces")
def test_predictor_is_yours_and_serves_the_int8_file(
    deployment: Callable[[], _Deployed],
    exercise: Any,
    held_out: Callable[[], tuple[np.ndarray, Any]],
) -> None:
    result = deployment().result
    yours = exercise("week1.onnx_inference")
    predictor = result.predictor
    assert isinstance(predictor, yours.OnnxPredictor), (
        f"deploy should build your week1.onnx_inference OnnxPredictor ({yours.__name__}), got "
        f"{type(predictor).__module__}.{type(predictor).__name__}"
    )
    photos = held_out()[0][:16]
    got = np.asarray(predictor.predict_proba(list(photos)))
    logits = _ort(result.int8_path, _normalise(photos)).astype(np.float64)
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


@pytest.mark.clause("agreement")
def test_int8_predictor_agrees_with_pytorch(
    deployment: Callable[[], _Deployed],
    members: Callable[[], list[nn.Module]],
    held_out: Callable[[], tuple[np.ndarray, np.ndarray]],
) -> None:
    result = deployment().result
    photos, _ = held_out()
    torch_top1 = _reference_log_probs(members(), torch.from_numpy(_normalise(photos))).argmax(1)
    served = np.asarray(result.predictor.predict_proba(list(photos))).argmax(axis=1)
    agreement = float((served == torch_top1.numpy()).mean())
    assert agreement >= MIN_AGREEMENT, (
        f"the int8 predictor's top-1 class should agree with the PyTorch ensemble on at least "
        f"{MIN_AGREEMENT:.0%} of {len(photos)} held-out photos, got {agreement:.1%}. Calibrate "
        "on all the preprocessed calibration images (normalised like inference inputs)."
    )
