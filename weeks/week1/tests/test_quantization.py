"""Tests of week1.quantization: calibration reader, dynamic and static int8, the report.

A small CNN is trained briefly on synthetic pills and exported with ``torch.onnx.export``; the
quantised files are inspected with ``onnx`` and run with onnxruntime, and compared with the float
model on held-out pills. Run: ``pytest weeks/week1/tests/test_quantization.py``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from onnxruntime.quantization import CalibrationDataReader
from torch import nn

from grader import differential as diff
from rxvision.data import CLASS_NAMES, generate

SIZE = 32
MIN_AGREEMENT = 0.9


@contextmanager
def _one_thread() -> Iterator[None]:
    """Train with one thread: small models run faster so on a busy 2-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _batch(images: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(images.transpose(0, 3, 1, 2) / np.float32(255.0), np.float32)


def _train_and_export(path: Path) -> Path:
    """A small CNN trained for a few steps on studio pills, exported to ONNX (input 'image')."""
    images, labels = generate(split="studio", samples_per_class=8, size=SIZE, seed=0)
    x, y = torch.from_numpy(_batch(images)), torch.from_numpy(labels)
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(4),
        nn.Flatten(),
        nn.Linear(8 * 8 * 8, len(CLASS_NAMES)),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    with _one_thread():
        for _ in range(40):
            index = torch.randint(0, len(x), (64,))
            loss = F.cross_entropy(model(x[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model.eval(),
            (x[:2],),
            str(path),
            input_names=["image"],
            output_names=["logits"],
            dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    return path


@pytest.fixture(scope="module")
def float_model(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Path]:
    """``float_model()``: the path of the trained, exported CNN, made on the first call (seconds),
    so that a test can let your function raise NotImplementedError first. The training seeds
    itself (``torch.manual_seed(0)``): when it runs changes nothing."""
    directory = tmp_path_factory.mktemp("quantization")
    return functools.cache(lambda: _train_and_export(directory / "fp32.onnx"))


@pytest.fixture(scope="module")
def calibration() -> Callable[[], np.ndarray]:
    """``calibration()``: 52 validation pills, generated on the first call."""

    def make() -> np.ndarray:
        images, _ = generate(split="studio", samples_per_class=2, size=SIZE, seed=1, subset="val")
        return _batch(images)

    return functools.cache(make)


@pytest.fixture(scope="module")
def held_out() -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    """``held_out()``: 78 test pills and their labels, generated on the first call."""

    def make() -> tuple[np.ndarray, np.ndarray]:
        images, labels = generate(
            split="studio", samples_per_class=3, size=SIZE, seed=2, subset="test"
        )
        return _batch(images), labels

    return functools.cache(make)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A float ONNX model written in milliseconds (input 'image' ``(N, 3, 2, 2)``, flattened,
    times a fixed ``(12, 26)`` matrix): what the probes quantise and compare."""
    weight = np.linspace(-1, 1, 12 * len(CLASS_NAMES), dtype=np.float32).reshape(12, -1)
    graph = onnx.helper.make_graph(
        [
            onnx.helper.make_node("Flatten", ["image"], ["flat"]),
            onnx.helper.make_node("MatMul", ["flat", "weight"], ["logits"]),
        ],
        "tiny",
        [onnx.helper.make_tensor_value_info("image", onnx.TensorProto.FLOAT, ["batch", 3, 2, 2])],
        [
            onnx.helper.make_tensor_value_info(
                "logits", onnx.TensorProto.FLOAT, ["batch", len(CLASS_NAMES)]
            )
        ],
        [onnx.numpy_helper.from_array(weight, "weight")],
    )
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 17)])
    model.ir_version = 8  # what every onnxruntime reads
    path = tmp_path_factory.mktemp("tiny") / "tiny.onnx"
    onnx.save(model, str(path))
    return path


TINY_IMAGES = np.linspace(0, 1, 4 * 3 * 2 * 2, dtype=np.float32).reshape(4, 3, 2, 2)


class CountingReader(CalibrationDataReader):
    """Wraps a reader: counts batches and stops after ``limit`` (a reader that never ends)."""

    def __init__(self, inner: CalibrationDataReader, limit: int = 200) -> None:
        self.inner, self.limit, self.batches = inner, limit, 0

    def get_next(self):
        if self.batches >= self.limit:
            return None
        item = self.inner.get_next()
        if item is not None:
            self.batches += 1
        return item


_QUANTISED: dict[tuple[str, str], tuple[Path, int]] = {}


def _probe_quantise(
    module: ModuleType, kind: str, tiny_model: Path, readers: ModuleType, **kwargs
) -> None:
    """``module.quantize_{kind}_onnx`` on ``tiny_model`` (static: calibrated by
    ``readers.PillCalibrationReader``), so that a stub raises before the CNN is trained."""
    dst = tiny_model.parent / "probe" / f"{kind}.onnx"
    if kind == "dynamic":
        diff.probe(lambda: module.quantize_dynamic_onnx(tiny_model, dst, **kwargs))
    else:
        diff.probe(
            lambda: module.quantize_static_onnx(
                tiny_model, dst, readers.PillCalibrationReader(TINY_IMAGES, "image", 8), **kwargs
            )
        )


def _quantised(
    impl: ModuleType,
    kind: str,
    float_model: Callable[[], Path],
    calibration: Callable[[], np.ndarray],
    tiny_model: Path,
):
    """(path, calibration batches read) of the dynamic or static model, once per implementation.
    ``tiny_model`` is quantised first: a stub raises before the CNN is trained."""
    key = (str(getattr(impl, "__file__", impl.__name__)), kind)
    if key not in _QUANTISED:
        _probe_quantise(impl, kind, tiny_model, impl)
        src = float_model()
        dst = src.parent / f"{abs(hash(key))}_{kind}.onnx"
        if kind == "dynamic":
            got, batches = impl.quantize_dynamic_onnx(src, dst), 0
        else:
            reader = CountingReader(impl.PillCalibrationReader(calibration(), "image", 8))
            got, batches = impl.quantize_static_onnx(src, dst, reader), reader.batches
        assert Path(got) == dst, f"quantize_{kind}_onnx should return {dst}, got {got}"
        _QUANTISED[key] = (dst, batches)
    return _QUANTISED[key]


def _ops(path: Path) -> set[str]:
    return {node.op_type for node in onnx.load(str(path)).graph.node}


def _int8_initialisers(path: Path) -> int:
    return sum(
        init.data_type == onnx.TensorProto.INT8 for init in onnx.load(str(path)).graph.initializer
    )


def _top1(path: Path, images: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"image": images})[0].argmax(axis=1)


# -- the calibration reader --------------------------------------------------------------------
@pytest.mark.clause("input-name", "batches", "none-after", "rewind")
def test_reader_yields_every_image_once_then_none(impl: ModuleType) -> None:
    images = np.random.default_rng(0).random((10, 3, 4, 4), dtype=np.float32)
    reader = impl.PillCalibrationReader(images, "pixels", batch_size=4)
    batches = []
    for _ in range(50):  # a reader that never ends would loop forever inside onnxruntime
        item = reader.get_next()
        if item is None:
            break
        batches.append(item)
    assert [list(b) for b in batches] == [["pixels"]] * len(batches), (
        f"each batch should be a dict {{input_name: array}} with input_name='pixels', got keys "
        f"{[list(b) for b in batches][:3]}"
    )
    sizes = [b["pixels"].shape[0] for b in batches]
    assert sizes == [4, 4, 2], (
        f"10 images with batch_size=4 should come as batches of [4, 4, 2] then None, got {sizes}"
        + (" (never None)" if len(batches) == 50 else "")
    )
    np.testing.assert_array_equal(
        np.concatenate([b["pixels"] for b in batches]),
        images,
        err_msg="the batches should be the images in order, each exactly once",
    )
    assert reader.get_next() is None, "after the last batch, get_next keeps returning None"
    reader.rewind()
    again = reader.get_next()
    assert again is not None and again["pixels"].shape[0] == 4, (
        "rewind() should start again from the first image"
    )


@pytest.mark.clause("images-shape")
def test_reader_refuses_no_images(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.PillCalibrationReader(np.zeros((0, 3, 4, 4), np.float32))


# -- dynamic -----------------------------------------------------------------------------------
@pytest.mark.clause("dynamic-int8", "dynamic-returns-path")
def test_dynamic_model_is_smaller_and_int8(
    impl: ModuleType, float_model, calibration, tiny_model
) -> None:
    path, _ = _quantised(impl, "dynamic", float_model, calibration, tiny_model)
    ratio = path.stat().st_size / float_model().stat().st_size
    assert ratio < 0.5, (
        f"the dynamic int8 file should be well under half the float one (int8 weights are 1 "
        f"byte, not 4), it is {ratio:.2f}x"
    )
    assert _int8_initialisers(path) > 0, "the quantised file should store int8 weights"
    assert "DynamicQuantizeLinear" in _ops(path), (
        f"dynamic quantisation quantises activations on the fly (DynamicQuantizeLinear); ops: "
        f"{sorted(_ops(path))}"
    )


@pytest.mark.clause("dynamic-int8")
def test_dynamic_model_agrees_with_float(
    impl: ModuleType, float_model, calibration, held_out, tiny_model
):
    path, _ = _quantised(impl, "dynamic", float_model, calibration, tiny_model)
    images, _ = held_out()
    agreement = float((_top1(path, images) == _top1(float_model(), images)).mean())
    assert agreement >= MIN_AGREEMENT, (
        f"the dynamic int8 model should predict the float model's class on at least "
        f"{MIN_AGREEMENT:.0%} of held-out pills, it did on {agreement:.0%}"
    )


# -- static ------------------------------------------------------------------------------------
@pytest.mark.clause("static-reads", "static-returns-path")
def test_static_model_reads_the_calibration_data(
    impl, float_model, calibration, tiny_model
) -> None:
    _, batches = _quantised(impl, "static", float_model, calibration, tiny_model)
    images = calibration()
    assert batches >= len(images) // 8, (
        f"quantize_static_onnx should calibrate on the reader's batches: {len(images)} "
        f"images in batches of 8, but {batches} batch(es) were read"
    )


@pytest.mark.clause("static-activations")
def test_static_model_quantises_activations(impl, float_model, calibration, tiny_model) -> None:
    path, _ = _quantised(impl, "static", float_model, calibration, tiny_model)
    ops = _ops(path)
    assert "QuantizeLinear" in ops and "DynamicQuantizeLinear" not in ops, (
        f"static QDQ quantisation puts QuantizeLinear/DequantizeLinear around operators, with "
        f"no DynamicQuantizeLinear; ops found: {sorted(ops)}"
    )
    model = onnx.load(str(path))
    weights = {init.name for init in model.graph.initializer}
    on_activations = [
        n for n in model.graph.node if n.op_type == "QuantizeLinear" and n.input[0] not in weights
    ]
    assert on_activations, "static quantisation should quantise activations, not only weights"
    assert path.stat().st_size < 0.5 * float_model().stat().st_size, (
        "the static int8 file should be well under half the size of the float one"
    )


@pytest.mark.clause("static-activations")
def test_static_model_agrees_with_float(
    impl, float_model, calibration, held_out, tiny_model
) -> None:
    path, _ = _quantised(impl, "static", float_model, calibration, tiny_model)
    images, _ = held_out()
    agreement = float((_top1(path, images) == _top1(float_model(), images)).mean())
    assert agreement >= MIN_AGREEMENT, (
        f"the static int8 model should predict the float model's class on at least "
        f"{MIN_AGREEMENT:.0%} of held-out pills, it did on {agreement:.0%}: calibrate on "
        "images preprocessed like the inference inputs"
    )


# -- the report --------------------------------------------------------------------------------
@pytest.mark.clause("report-sizes", "report-accuracy", "report-agreement")
def test_compare_models_report(impl, float_model, calibration, held_out, tiny_model) -> None:
    path, _ = _quantised(impl, "dynamic", float_model, calibration, tiny_model)
    float_path = float_model()
    images, labels = held_out()
    labels = labels.copy()
    labels[::3] = (labels[::3] + 1) % len(CLASS_NAMES)  # so accuracy and agreement differ
    report = impl.compare_models(float_path, path, images, labels)
    fp32, int8 = _top1(float_path, images), _top1(path, images)
    want = {
        "fp32_bytes": float_path.stat().st_size,
        "int8_bytes": path.stat().st_size,
        "fp32_accuracy": float((fp32 == labels).mean()),
        "int8_accuracy": float((int8 == labels).mean()),
        "agreement": float((fp32 == int8).mean()),
    }
    got = {name: getattr(report, name) for name in want}
    assert got == pytest.approx(want), (
        f"compare_models should report {want}, got {got} (agreement compares the two models' "
        "argmax with each other, accuracies compare each with the labels)"
    )
    ratio = want["int8_bytes"] / want["fp32_bytes"]
    assert report.size_ratio == pytest.approx(ratio), (
        f"the report's size_ratio should be int8_bytes / fp32_bytes = {ratio:.4f}, got "
        f"{report.size_ratio!r}: return the given QuantizationReport, with both file sizes"
    )


# -- differential: the learner's functions and the reference's on the same inputs ---------------
def _read(reader, ops: list[str]) -> list:
    out = []
    for op in ops:
        if op == "rewind":
            reader.rewind()
            continue
        item = reader.get_next()
        out.append(None if item is None else {k: (str(v.dtype), v) for k, v in item.items()})
    return out


@pytest.mark.clause(
    "input-name", "float32", "batches", "none-after", "rewind", "defaults", "images-shape",
    "batch-size-range",
)  # fmt: skip
@given(
    n=st.integers(0, 9),
    ndim=st.sampled_from([4, 4, 3]),
    dtype=st.sampled_from([np.float32, np.float64]),
    name=st.sampled_from([None, "pixels"]),
    batch_size=st.sampled_from([None, -1, 0, 1, 2, 3, 4, 20]),
    ops=st.lists(st.sampled_from(["next", "next", "next", "rewind"]), max_size=14),
)
@example(n=10, ndim=4, dtype=np.float64, name=None, batch_size=None, ops=["next"] * 3)
@example(n=20, ndim=4, dtype=np.float32, name="pixels", batch_size=None, ops=["next"] * 3)
@example(n=3, ndim=4, dtype=np.float32, name=None, batch_size=0, ops=["next"])
@example(n=3, ndim=4, dtype=np.float32, name=None, batch_size=-1, ops=[])
@example(n=0, ndim=4, dtype=np.float32, name=None, batch_size=2, ops=["next"])
@example(n=3, ndim=3, dtype=np.float32, name=None, batch_size=2, ops=["next"])
def test_reader_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, n, ndim, dtype, name, batch_size, ops
) -> None:
    shape = (n, 3, 2, 2)[:ndim]
    images = np.arange(np.prod(shape), dtype=dtype).reshape(shape) / 7.0
    kwargs = {} if name is None else {"input_name": name}
    if batch_size is not None:
        kwargs["batch_size"] = batch_size

    def run(module: ModuleType):
        return _read(module.PillCalibrationReader(images, **kwargs), ops)

    diff.assert_same(lambda: run(impl), lambda: run(reference))


def _signature(path: Path) -> tuple:
    """Operators and the dtypes/shapes of the stored tensors: what the quantiser decided."""
    model = onnx.load(str(path))
    ops = sorted(node.op_type for node in model.graph.node)
    tensors = sorted((t.data_type, tuple(t.dims)) for t in model.graph.initializer)
    return ops, tensors


_REFERENCE_RUNS: dict[tuple, tuple] = {}


# Same graph, same calibration: the int8 models compute the same integers, so the logits agree to
# float32 rounding of the dequantisation (1e-5 on logits of a few units).
@pytest.mark.clause(
    "dynamic-per-channel", "dynamic-mkdir", "dynamic-returns-path", "static-per-channel",
    "static-mkdir", "static-returns-path", "dynamic-int8", "static-activations",
)  # fmt: skip
@pytest.mark.parametrize(
    "kind, per_channel", [("dynamic", True), ("dynamic", None), ("static", False), ("static", None)]
)
def test_quantised_graphs_agree_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    float_model,
    calibration,
    held_out,
    tiny_model,
    kind,
    per_channel,
) -> None:
    kwargs = {} if per_channel is None else {"per_channel": per_channel}
    _probe_quantise(impl, kind, tiny_model, reference, **kwargs)
    src, (images, _) = float_model(), held_out()

    def run(module: ModuleType):
        key = (module.__name__, kind, per_channel)
        if module is reference and key in _REFERENCE_RUNS:
            return _REFERENCE_RUNS[key]
        dst = src.parent / f"new_{abs(hash(key))}" / "deeper" / f"{kind}.onnx"
        if kind == "dynamic":
            got = module.quantize_dynamic_onnx(str(src), str(dst), **kwargs)
        else:
            reader = reference.PillCalibrationReader(calibration(), "image", 8)
            got = module.quantize_static_onnx(str(src), str(dst), reader, **kwargs)
        assert isinstance(got, Path) and got == dst, (
            f"should return Path({str(dst)!r}), got {got!r}"
        )
        session = ort.InferenceSession(str(dst), providers=["CPUExecutionProvider"])
        out = (_signature(dst), session.run(None, {"image": images})[0])
        if module is reference:
            _REFERENCE_RUNS[key] = out
        return out

    diff.assert_same(lambda: run(impl), lambda: run(reference), rtol=1e-5, atol=1e-5)


@pytest.mark.clause("batches-of-64", "report-sizes", "report-accuracy", "report-agreement")
def test_compare_models_runs_in_batches_and_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    float_model,
    calibration,
    held_out,
    tiny_model,
    monkeypatch,
) -> None:
    diff.probe(lambda: impl.compare_models(tiny_model, tiny_model, TINY_IMAGES, [0, 1, 2, 3]))
    path, _ = _quantised(reference, "dynamic", float_model, calibration, tiny_model)
    src, (images, labels) = float_model(), held_out()
    images = np.concatenate([images, images[:60]])  # 138 images: batches of 64, 64 and 10
    labels = [int(v) for v in np.concatenate([labels, (labels[:60] + 1) % len(CLASS_NAMES)])]
    sizes: list[int] = []
    original = ort.InferenceSession.run

    def counting_run(self, output_names, feeds, *args, **kwargs):
        sizes.append(next(iter(feeds.values())).shape[0])
        return original(self, output_names, feeds, *args, **kwargs)

    monkeypatch.setattr(ort.InferenceSession, "run", counting_run)
    got = impl.compare_models(str(src), str(path), images, labels)
    assert sizes and max(sizes) <= 64 and sum(sizes) == 2 * len(images), (
        f"compare_models should run each model on all {len(images)} images in batches of at most "
        f"64; the session ran batches of {sizes}"
    )
    monkeypatch.setattr(ort.InferenceSession, "run", original)
    want = reference.compare_models(str(src), str(path), images, labels)
    fields = ("fp32_bytes", "int8_bytes", "fp32_accuracy", "int8_accuracy", "agreement")
    problem = diff.same(
        {f: getattr(got, f) for f in fields}, {f: getattr(want, f) for f in fields}, rtol=1e-12
    )
    assert problem is None, f"compare_models(...) with 138 images: {problem}"
