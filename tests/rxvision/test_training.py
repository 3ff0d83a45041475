"""Framework tests of the reference training recipe and the train/evaluate/export commands.

Everything runs on a tiny configuration (a quarter-width EfficientNet, 16-32 px, a few images per
class) so the tests check plumbing, not accuracy.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import onnxruntime as ort
import pytest
import torch
from typer.testing import CliRunner

from rxvision.cli import app
from rxvision.training.recipe import TrainConfig, TrainResult, evaluate, load_model, train


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    root = tmp_path_factory.mktemp("training")
    config = TrainConfig(
        width_mult=0.25,
        depth_mult=0.25,
        min_size=16,
        max_size=24,
        final_epochs=1,
        epochs=2,
        batch_size=32,
        train_per_class=2,
        val_per_class=1,
        test_per_class=1,
        aug_chunk=16,
        data_dir=root / "data",
        out_dir=root / "run",
    )
    calls: list[tuple[str, int, int]] = []
    result = train(
        config, progress=lambda stage, done, total, info: calls.append((stage, done, total))
    )
    result.calls = calls  # type: ignore[attr-defined]
    return result


def test_default_config_is_the_reference_recipe() -> None:
    config = TrainConfig()
    # crops of 80-100% area barely zoom, so the apparent pill size matches at the last size
    assert config.eval_size == config.max_size
    assert dataclasses.replace(config, test_size=72).eval_size == 72
    assert set(config.splits) == {"studio", "field"}
    assert TrainConfig.from_dict(config.to_dict()) == config


def test_train_runs_every_epoch_and_reports(tiny: TrainResult) -> None:
    assert [r.epoch for r in tiny.history] == [0, 1]
    assert ("epoch", 2, 2) in tiny.calls  # type: ignore[attr-defined]
    assert ("data", 2, 2) in tiny.calls  # type: ignore[attr-defined]
    assert set(tiny.report.per_split) == {"studio", "field", "all"}
    for metrics in tiny.report.per_split.values():
        assert 0.0 <= metrics["accuracy"] <= 1.0
        assert 0.0 <= metrics["ece"] <= 1.0 and 0.0 <= metrics["ece_scaled"] <= 1.0
    assert tiny.report.temperature > 0
    assert not tiny.model.training


def test_train_writes_model_and_metrics(tiny: TrainResult) -> None:
    assert tiny.model_path is not None and tiny.metrics_path is not None
    metrics = json.loads(tiny.metrics_path.read_text())
    assert len(metrics["history"]) == 2 and metrics["threads"] == tiny.config.threads
    model, config, temperature = load_model(tiny.model_path)
    assert config == tiny.config and temperature == pytest.approx(tiny.report.temperature)
    x = torch.rand(2, 3, config.eval_size, config.eval_size)
    with torch.no_grad():
        assert torch.allclose(model(x), tiny.model(x), atol=1e-6)


def test_data_cache_reuses_a_bigger_set(tiny: TrainResult) -> None:
    from rxvision.training.recipe import load_split

    size = tiny.config.eval_size
    big = load_split("studio", "train", 2, size, tiny.config.data_dir)
    small = load_split("studio", "train", 1, size, tiny.config.data_dir)
    assert torch.equal(small[0], big[0][:26]) and torch.equal(small[1], big[1][:26])


def test_evaluate_with_a_given_temperature(tiny: TrainResult) -> None:
    report = evaluate(tiny.model, tiny.config, temperature=1.0)
    plain = report.per_split["all"]
    assert plain["ece"] == pytest.approx(plain["ece_scaled"])
    assert plain["nll"] == pytest.approx(plain["nll_scaled"])


def test_cli_evaluate_and_export(tiny: TrainResult, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["evaluate", str(tiny.model_path)])
    assert result.exit_code == 0, result.output
    assert "studio" in result.output and "field" in result.output
    onnx_path = tmp_path / "model.onnx"
    result = runner.invoke(app, ["export", str(tiny.model_path), str(onnx_path)])
    assert result.exit_code == 0, result.output
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    size = tiny.config.eval_size
    x = torch.rand(3, 3, size, size)
    (logits,) = session.run(None, {session.get_inputs()[0].name: x.numpy()})
    with torch.no_grad():
        assert torch.allclose(torch.from_numpy(logits), tiny.model(x), atol=1e-4)


def test_cli_rejects_a_missing_model(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", str(tmp_path / "nope.pt")])
    assert result.exit_code == 2


def test_replace_keeps_config_frozen() -> None:
    config = dataclasses.replace(TrainConfig(), epochs=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.epochs = 4  # type: ignore[misc]


def test_channels_last_loader_gives_the_same_batches(tiny: TrainResult) -> None:
    from rxvision.training.recipe import TensorLoader, load_split

    x, y = load_split("field", "val", 1, tiny.config.eval_size, tiny.config.data_dir)
    plain = next(iter(TensorLoader(x, y, batch_size=8, size=20)))[0]
    nhwc = next(iter(TensorLoader(x, y, batch_size=8, size=20, channels_last=True)))[0]
    assert nhwc.is_contiguous(memory_format=torch.channels_last) and not plain.is_contiguous(
        memory_format=torch.channels_last
    )
    assert torch.equal(plain, nhwc)
