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

from grader import differential as diff

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


@pytest.mark.clause("returns-path")
def test_export_writes_a_valid_graph(exported) -> None:
    _, path, _ = exported
    assert path.is_file(), f"export_onnx did not write {path}"
    onnx.checker.check_model(onnx.load(str(path)))


@pytest.mark.clause("input-name")
def test_input_and_output_are_named(exported) -> None:
    _, path, _ = exported
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inputs = [i.name for i in session.get_inputs()]
    outputs = [o.name for o in session.get_outputs()]
    assert inputs == ["image"] and outputs == ["logits"], (
        f"the graph should have input ['image'] and output ['logits'], it has {inputs} and "
        f"{outputs}: pass input_names=['image'], output_names=['logits'] to torch.onnx.export"
    )


@pytest.mark.clause("symbolic-batch")
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
@pytest.mark.clause("eval-mode", "raw-logits", "symbolic-batch")
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


@pytest.mark.clause("restore-flag")
def test_export_restores_the_training_flag(exported) -> None:
    _, _, training_after = exported
    assert training_after, (
        "export_onnx received a model in train mode and left it in eval mode: restore it with "
        "model.train(was_training) after exporting"
    )


@pytest.mark.clause("opset", "default-opset")
def test_opset_is_the_requested_one(impl: ModuleType, tmp_path_factory) -> None:
    for opset in (17, 18):
        _, path, _ = _exported(impl, tmp_path_factory, opset)
        versions = {o.domain: o.version for o in onnx.load(str(path)).opset_import}
        got = versions.get("", versions.get("ai.onnx"))
        assert got == opset, (
            f"export_onnx(..., opset={opset}) wrote a graph with opset {got}: pass "
            "opset_version=opset"
        )


@pytest.mark.clause("per-batch", "max-abs-diff")
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


@pytest.mark.clause("atol")
def test_verify_onnx_rejects_a_different_model(impl: ModuleType, exported) -> None:
    _, path, _ = exported
    other = TinyNet(seed=1)
    with pytest.raises(ValueError):
        impl.verify_onnx(other, path, SIZE)


@pytest.mark.clause("checker")
def test_verify_onnx_rejects_a_malformed_graph(impl: ModuleType, exported, tmp_path) -> None:
    model, path, _ = exported
    broken = onnx.load(str(path))
    broken.graph.node[0].op_type = "NoSuchOperator"
    bad = tmp_path / "broken.onnx"
    onnx.save(broken, str(bad))
    with pytest.raises(onnx.checker.ValidationError):
        impl.verify_onnx(model, bad, SIZE)


@pytest.mark.clause("restore-on-error")
def test_export_restores_the_training_flag_when_it_raises(impl: ModuleType, tmp_path) -> None:
    class Broken(TinyNet):
        def forward(self, x: Tensor) -> Tensor:
            raise RuntimeError("this model cannot be traced")

    model = Broken().train()
    with pytest.raises(Exception) as raised:  # noqa: B017 - whatever the exporter wraps it in
        impl.export_onnx(model, tmp_path / "broken.onnx", SIZE)
    if isinstance(raised.value, NotImplementedError):
        raise raised.value  # not started
    assert model.training, (
        "export_onnx left the model in eval mode after the export raised: restore the training "
        "flag in a finally block"
    )


@pytest.mark.clause("mkdir", "returns-path", "image-size")
def test_export_to_a_new_directory_at_another_image_size(impl: ModuleType, tmp_path) -> None:
    path = tmp_path / "new" / "dir" / "tiny16.onnx"
    model = TinyNet()
    got = impl.export_onnx(model, str(path), 16)
    assert isinstance(got, Path) and got == path, (
        f"export_onnx(model, {str(path)!r}, 16) should create the missing directories and "
        f"return Path({str(path)!r}), got {got!r}"
    )
    dims = [d.dim_value for d in onnx.load(str(path)).graph.input[0].type.tensor_type.shape.dim]
    assert dims[1:] == [3, 16, 16], (
        f"export_onnx(..., image_size=16) should trace a (2, 3, 16, 16) input; the graph's input "
        f"is (batch, {dims[1:]})"
    )
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = torch.rand(3, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        want = model.eval()(x).numpy()
    np.testing.assert_allclose(session.run(None, {"image": x.numpy()})[0], want, atol=1e-4)


class Small(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(4, 5)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.drop(self.conv(x).mean(dim=(2, 3))))


@pytest.mark.clause("dynamo")
def test_dynamo_export_keeps_the_contract(impl: ModuleType, tmp_path) -> None:
    model = Small().train()
    path = impl.export_onnx(model, tmp_path / "dyn.onnx", 8, opset=18, dynamo=True)
    assert model.training, "export_onnx(..., dynamo=True) should restore the training flag"
    graph = onnx.load(str(path)).graph
    assert [graph.input[0].name, graph.output[0].name] == ["image", "logits"], (
        "with dynamo=True the input must still be 'image' and the output 'logits'"
    )
    dim = graph.input[0].type.tensor_type.shape.dim[0]
    assert dim.dim_param and not dim.dim_value, (
        "with dynamo=True axis 0 must still be symbolic: dynamic_shapes=({0: Dim('batch')},)"
    )
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    model.eval()
    for batch in (1, 3):
        x = torch.rand(batch, 3, 8, 8, generator=torch.Generator().manual_seed(batch))
        with torch.no_grad():
            want = model(x).numpy()
        np.testing.assert_allclose(
            session.run(None, {"image": x.numpy()})[0], want, atol=1e-4,
            err_msg=f"dynamo=True export differs from torch at batch {batch}",
        )  # fmt: skip


class OneClass(TinyNet):
    """TinyNet with a single output: (N, 1) broadcasts against (N, 26) if shapes go unchecked."""

    def __init__(self) -> None:
        super().__init__(seed=2)
        self.fc = nn.Linear(32, 1)


# The torch and onnxruntime outputs are float32 logits of magnitude ~1: a max |difference| agrees
# to ~1e-6 absolute whatever the order of the subtraction and reduction.
@pytest.mark.clause(
    "seed", "verify-eval-mode", "verify-restores-flag", "max-abs-diff", "per-batch", "atol",
    "shape-mismatch",
)  # fmt: skip
@pytest.mark.parametrize(
    "which, batch_sizes, atol, seed",
    [
        ("other", (1, 3, 2), 1e9, 0),
        ("other", (4,), 50.0, 7),
        ("other", (2, 2), 1e9, 3),
        ("same", (1, 5), 1e-4, 0),
        ("same", (2,), 0.0, 1),
        ("one_class", (2,), 1e9, 0),
    ],
)
def test_verify_onnx_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, exported, which, batch_sizes, atol, seed
) -> None:
    _, path, _ = exported

    def run(module: ModuleType):
        model = {"other": TinyNet(seed=1), "same": TinyNet(), "one_class": OneClass()}[which]
        model.train()
        out = module.verify_onnx(model, path, SIZE, batch_sizes=batch_sizes, atol=atol, seed=seed)
        assert model.training, "verify_onnx should restore the model's training flag"
        return out

    diff.assert_same(lambda: run(impl), lambda: run(reference), rtol=1e-4, atol=1e-5)
