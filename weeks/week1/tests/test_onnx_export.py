"""Tests of week1.onnx_export: a valid graph, named I/O, dynamic batch, opset, parity with torch.

Oracles: ``onnx.checker``, the graph itself (``onnx.load``) and onnxruntime's CPU outputs compared
with PyTorch's on a small CNN with batch norm (random statistics) and dropout.
Run: ``pytest weeks/week1/tests/test_onnx_export.py``.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from torch import Tensor, nn

SIZE = 24
CLASSES = 26


class TinyNet(nn.Module):
    """Conv -> BN -> ReLU -> pool -> flatten (with x.size(0)) -> dropout -> linear."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(32, CLASSES)
        with torch.no_grad():
            self.bn.running_mean.normal_(0.0, 0.3)
            self.bn.running_var.uniform_(0.3, 2.0)
            self.bn.weight.uniform_(0.5, 1.5)

    def forward(self, x: Tensor) -> Tensor:
        x = self.pool(torch.relu(self.bn(self.conv(x))))
        return self.fc(self.drop(x.reshape(x.size(0), -1)))


_EXPORTS: dict[tuple[str, int], tuple[nn.Module, Path, bool]] = {}


def _exported(impl: ModuleType, tmp_path_factory: pytest.TempPathFactory, opset: int = 17):
    """(model, path, model.training after export): TinyNet exported once per implementation."""
    key = (str(getattr(impl, "__file__", impl.__name__)), opset)
    if key not in _EXPORTS:
        model = TinyNet().train()  # the learner's function must switch to eval itself
        path = tmp_path_factory.mktemp("onnx") / "tiny.onnx"
        got = impl.export_onnx(model, path, SIZE, opset=opset)
        assert Path(got) == path, f"export_onnx should return the path it wrote ({path}), got {got}"
        _EXPORTS[key] = (model, path, model.training)
    return _EXPORTS[key]


@pytest.fixture
def exported(impl: ModuleType, tmp_path_factory: pytest.TempPathFactory):
    return _exported(impl, tmp_path_factory)


def test_export_writes_a_valid_graph(exported) -> None:
    _, path, _ = exported
    assert path.is_file(), f"export_onnx did not write {path}"
    onnx.checker.check_model(onnx.load(str(path)))


def test_input_and_output_are_named(exported) -> None:
    _, path, _ = exported
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inputs = [i.name for i in session.get_inputs()]
    outputs = [o.name for o in session.get_outputs()]
    assert inputs == ["image"] and outputs == ["logits"], (
        f"the graph should have input ['image'] and output ['logits'], it has {inputs} and "
        f"{outputs}: pass input_names=['image'], output_names=['logits'] to torch.onnx.export"
    )


def test_batch_axis_is_symbolic(exported) -> None:
    _, path, _ = exported
    graph = onnx.load(str(path)).graph
    for value in (graph.input[0], graph.output[0]):
        dim = value.type.tensor_type.shape.dim[0]
        assert dim.dim_param and not dim.dim_value, (
            f"axis 0 of {value.name!r} should be symbolic (a name such as 'batch'), but it is "
            f"fixed to {dim.dim_value}: declare it with dynamic_axes (or dynamic_shapes)"
        )


@pytest.mark.parametrize("batch", [1, 5])
def test_onnxruntime_matches_torch(exported, batch: int) -> None:
    model, path, _ = exported
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = torch.rand(batch, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(batch))
    model.eval()
    with torch.no_grad():
        want = model(x).numpy()
    got = session.run(None, {session.get_inputs()[0].name: x.numpy()})[0]
    assert got.shape == want.shape, (
        f"at batch {batch} onnxruntime returned {got.shape}, torch {want.shape}"
    )
    diff = float(np.abs(got - want).max())
    assert diff <= 1e-4, (
        f"at batch {batch} onnxruntime differs from torch (eval mode) by {diff:.3g} > 1e-4: "
        "export in eval mode (dropout off, batch-norm running statistics) and export the raw "
        "logits, without a softmax"
    )


def test_export_restores_the_training_flag(exported) -> None:
    _, _, training_after = exported
    assert training_after, (
        "export_onnx received a model in train mode and left it in eval mode: restore it with "
        "model.train(was_training) after exporting"
    )


def test_opset_is_the_requested_one(impl: ModuleType, tmp_path_factory) -> None:
    for opset in (17, 18):
        _, path, _ = _exported(impl, tmp_path_factory, opset)
        versions = {o.domain: o.version for o in onnx.load(str(path)).opset_import}
        got = versions.get("", versions.get("ai.onnx"))
        assert got == opset, (
            f"export_onnx(..., opset={opset}) wrote a graph with opset {got}: pass "
            "opset_version=opset"
        )


def test_verify_onnx_reports_each_batch_size(impl: ModuleType, exported) -> None:
    model, path, _ = exported
    diffs = impl.verify_onnx(model, path, SIZE, batch_sizes=(1, 3, 5))
    assert sorted(diffs) == [1, 3, 5], (
        f"verify_onnx(..., batch_sizes=(1, 3, 5)) should return one entry per batch size, got "
        f"keys {sorted(diffs)}"
    )
    assert all(0.0 <= d <= 1e-4 for d in diffs.values()), (
        f"verify_onnx should report small differences for a correct export, got {diffs}"
    )


def test_verify_onnx_rejects_a_different_model(impl: ModuleType, exported) -> None:
    _, path, _ = exported
    other = TinyNet(seed=1)
    with pytest.raises(ValueError):
        impl.verify_onnx(other, path, SIZE)


def test_verify_onnx_rejects_a_malformed_graph(impl: ModuleType, exported, tmp_path) -> None:
    model, path, _ = exported
    broken = onnx.load(str(path))
    broken.graph.node[0].op_type = "NoSuchOperator"
    bad = tmp_path / "broken.onnx"
    onnx.save(broken, str(bad))
    with pytest.raises(onnx.checker.ValidationError):
        impl.verify_onnx(model, bad, SIZE)
