"""Tests of week1.checkpoint_io: ``save_pretrained`` / ``from_pretrained`` with safetensors.

Oracles: the ``safetensors`` library itself (``safe_open`` reads your weights file back, and
``save_file``/``load_file`` edit checkpoints to break them), ``json``, and the models' own
``state_dict()`` and outputs before saving (a round trip must change nothing).
Models: the reference EfficientNet (quarter width and depth) and a tiny ViT, at 32 px.
Run: ``pytest weeks/week1/tests/test_checkpoint_io.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from grader import differential as diff
from rxvision.models.efficientnet import EfficientNet
from rxvision.models.vit import VisionTransformer

CONFIGS: dict[str, dict[str, Any]] = {
    "efficientnet": {
        "architecture": "efficientnet",
        "width_mult": 0.25,
        "depth_mult": 0.25,
        "num_classes": 26,
    },
    "vit": {
        "architecture": "vit",
        "img_size": 32,
        "patch_size": 8,
        "embed_dim": 32,
        "depth": 2,
        "num_heads": 2,
        "num_classes": 26,
    },
}
HEADS = {"efficientnet": "classifier", "vit": "head"}  # the classifier's module name
ARCHS = list(CONFIGS)


def _model(arch: str) -> nn.Module:
    """A model as the config describes it, with BatchNorm statistics moved away from 0 and 1."""
    torch.manual_seed(0)
    kwargs = {k: v for k, v in CONFIGS[arch].items() if k != "architecture"}
    model = {"efficientnet": EfficientNet, "vit": VisionTransformer}[arch](**kwargs)
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(4, 3, 32, 32) * 2 + 0.5)
    return model.eval()


def _images() -> torch.Tensor:
    return torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))


def _outputs(model: nn.Module) -> torch.Tensor:
    with torch.no_grad():
        return model(_images())


def _save(impl: ModuleType, tmp_path: Path, arch: str) -> tuple[nn.Module, Path]:
    model = _model(arch)
    directory = tmp_path / f"{arch}_checkpoint"
    impl.save_pretrained(model, directory, dict(CONFIGS[arch]))
    return model, directory


def _snapshot(directory: Path) -> dict[str, str]:
    """File name -> sha256 of its bytes, for every file under ``directory``."""
    return {
        path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def _value_error(call: Callable[[], object], what: str) -> str:
    """Run ``call``; return the message of the ValueError it must raise."""
    try:
        call()
    except ValueError as err:
        return str(err)
    except NotImplementedError:
        raise
    except Exception as err:
        pytest.fail(f"{what}: expected a ValueError, got {type(err).__name__}: {err}")
    pytest.fail(f"{what}: expected a ValueError, nothing was raised")


def _rewrite_weights(directory: Path, edit: Callable[[dict[str, torch.Tensor]], None]) -> None:
    """Edit the saved tensors with safetensors itself (the oracle), in place."""
    path = directory / "model.safetensors"
    tensors = load_file(path)
    edit(tensors)
    save_file(tensors, path)


# -- round trip --------------------------------------------------------------------------------
@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.clause("round-trip", "build", "eval", "safetensors")
def test_round_trip_gives_identical_outputs(impl: ModuleType, tmp_path: Path, arch: str) -> None:
    model, directory = _save(impl, tmp_path, arch)
    loaded = impl.from_pretrained(directory)
    assert isinstance(loaded, type(model)), (
        f"from_pretrained should rebuild a {type(model).__name__} from config.json, "
        f"got {type(loaded).__name__}"
    )
    training = [name or "(the model)" for name, m in loaded.named_modules() if m.training]
    assert not training, (
        f"from_pretrained must return the model in eval mode (return model.eval()); these "
        f"modules are in training mode: {training[:5]}"
    )
    want, got = _outputs(model), _outputs(loaded)
    assert torch.equal(got, want), (
        f"{arch}: the loaded model's outputs differ from the saved model's by "
        f"{float((got - want).abs().max()):.3g}; every tensor of the state dict (parameters "
        "and buffers) should come back unchanged"
    )


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.clause("returns-path")
def test_save_returns_the_directory(impl: ModuleType, tmp_path: Path, arch: str) -> None:
    directory = tmp_path / "nested" / "checkpoint"
    got = impl.save_pretrained(_model(arch), str(directory), dict(CONFIGS[arch]))
    assert isinstance(got, Path) and got == directory, (
        f"save_pretrained should create missing parent directories and return the checkpoint "
        f"directory as a Path ({directory}), got {got!r}"
    )


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.clause("config-json")
def test_config_json_names_the_architecture(impl: ModuleType, tmp_path: Path, arch: str) -> None:
    _, directory = _save(impl, tmp_path, arch)
    path = directory / "config.json"
    assert path.is_file(), f"save_pretrained should write {path}"
    text = path.read_text(encoding="utf-8")
    try:
        saved = json.loads(text)
    except ValueError as err:
        pytest.fail(f"config.json is not valid JSON ({err}); write it with json.dumps")
    assert saved == CONFIGS[arch], (
        f"config.json should hold the whole config, architecture and every constructor "
        f"argument: expected {CONFIGS[arch]}, got {saved}"
    )
    want = json.dumps(CONFIGS[arch], indent=2, sort_keys=True)
    assert text.strip() == want, (
        "write config.json with json.dumps(config, indent=2, sort_keys=True): stable, "
        f"diff-friendly text. Expected:\n{want}\ngot:\n{text}"
    )


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.clause("safetensors", "no-pickle")
def test_weights_file_is_safetensors(impl: ModuleType, tmp_path: Path, arch: str) -> None:
    model, directory = _save(impl, tmp_path, arch)
    files = sorted(path.name for path in directory.iterdir())
    assert files == ["config.json", "model.safetensors"], (
        "the checkpoint directory should hold exactly config.json and model.safetensors "
        f"(no torch.save, no pickle), got {files}"
    )
    try:
        with safe_open(directory / "model.safetensors", framework="pt") as f:
            names = list(f.keys())
            saved = {key: f.get_tensor(key) for key in names}
    except Exception as err:
        pytest.fail(
            f"model.safetensors cannot be read by safetensors.safe_open ({err}): write it with "
            "safetensors.torch.save_file, not torch.save"
        )
    state = model.state_dict()
    assert sorted(saved) == sorted(state), (
        "model.safetensors should hold exactly the keys of model.state_dict() (parameters and "
        f"buffers); missing {sorted(set(state) - set(saved))[:5]}, "
        f"extra {sorted(set(saved) - set(state))[:5]}"
    )
    for key, value in state.items():
        assert torch.equal(saved[key], value), f"model.safetensors[{key!r}] differs from the model"


@pytest.mark.clause("round-trip")
def test_batchnorm_running_stats_round_trip(impl: ModuleType, tmp_path: Path) -> None:
    model, directory = _save(impl, tmp_path, "efficientnet")
    loaded = impl.from_pretrained(directory)
    buffers = dict(loaded.named_buffers())
    for name, value in model.named_buffers():
        assert name in buffers and torch.equal(buffers[name], value), (
            f"the buffer {name!r} did not survive the round trip: BatchNorm's running_mean, "
            "running_var and num_batches_tracked are buffers, in model.state_dict() but not "
            "in model.parameters(). Save the whole state dict"
        )


# -- a new classifier head ---------------------------------------------------------------------
@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.clause("new-head")
def test_new_num_classes_replaces_only_the_head(
    impl: ModuleType, tmp_path: Path, arch: str
) -> None:
    model, directory = _save(impl, tmp_path, arch)
    loaded = impl.from_pretrained(directory, num_classes=5)
    head = HEADS[arch]
    weight = loaded.state_dict().get(f"{head}.weight")
    assert weight is not None and weight.shape[0] == 5, (
        f"with num_classes=5 the classifier `{head}` should have 5 outputs, got "
        f"{None if weight is None else tuple(weight.shape)}: build the model with the new "
        "num_classes and drop the saved head's keys"
    )
    assert _outputs(loaded).shape == (2, 5), "the new model should output (batch, 5) logits"
    state = loaded.state_dict()
    for key, value in model.state_dict().items():
        if not key.startswith(f"{head}."):
            assert torch.equal(state[key], value), (
                f"with a new num_classes only the head is new: {key!r} should be loaded from "
                "the checkpoint, but it differs"
            )
    assert not loaded.training, "from_pretrained must return the model in eval mode"


@pytest.mark.clause("new-head")
def test_same_num_classes_keeps_the_head(impl: ModuleType, tmp_path: Path) -> None:
    model, directory = _save(impl, tmp_path, "vit")
    loaded = impl.from_pretrained(directory, num_classes=26)
    assert torch.equal(_outputs(loaded), _outputs(model)), (
        "num_classes equal to the saved one (26) is a plain load: the saved head is kept"
    )


@pytest.mark.clause("new-head", "strict")
def test_new_head_still_checks_other_keys(impl: ModuleType, tmp_path: Path) -> None:
    _, directory = _save(impl, tmp_path, "vit")
    _rewrite_weights(directory, lambda tensors: tensors.pop("blocks.1.mlp.fc1.weight"))
    message = _value_error(
        lambda: impl.from_pretrained(directory, num_classes=5),
        "a checkpoint without 'blocks.1.mlp.fc1.weight', loaded with a new num_classes",
    )
    assert "blocks.1.mlp.fc1.weight" in message, (
        "with a new head only the head's keys may be missing; the error should name the "
        f"missing 'blocks.1.mlp.fc1.weight', got: {message}"
    )


@pytest.mark.clause("num-classes-range")
def test_num_classes_below_one_raises(impl: ModuleType, tmp_path: Path) -> None:
    _, directory = _save(impl, tmp_path, "efficientnet")
    _value_error(
        lambda: impl.from_pretrained(directory, num_classes=0),
        "from_pretrained(directory, num_classes=0): a classifier needs at least one class",
    )


# -- tensors that do not fit -------------------------------------------------------------------
@pytest.mark.clause("strict")
def test_missing_key_raises_a_value_error_naming_it(impl: ModuleType, tmp_path: Path) -> None:
    _, directory = _save(impl, tmp_path, "efficientnet")
    key = "blocks.1.0.bn1.running_var"
    _rewrite_weights(directory, lambda tensors: tensors.pop(key))
    message = _value_error(lambda: impl.from_pretrained(directory), f"a checkpoint without {key!r}")
    assert key in message, f"the error should name the missing key {key!r}, got: {message}"


@pytest.mark.clause("strict")
def test_unexpected_key_raises_a_value_error_naming_it(impl: ModuleType, tmp_path: Path) -> None:
    _, directory = _save(impl, tmp_path, "vit")
    _rewrite_weights(directory, lambda tensors: tensors.update(extra_scale=torch.ones(3)))
    message = _value_error(
        lambda: impl.from_pretrained(directory), "a checkpoint with an extra key 'extra_scale'"
    )
    assert "extra_scale" in message, (
        f"the error should name the unexpected key 'extra_scale', got: {message}"
    )


@pytest.mark.clause("strict")
def test_wrong_shapes_raise_a_value_error(impl: ModuleType, tmp_path: Path) -> None:
    _, directory = _save(impl, tmp_path, "vit")
    config = {**CONFIGS["vit"], "embed_dim": 64}  # the weights are 32 wide
    (directory / "config.json").write_text(json.dumps(config), encoding="utf-8")
    message = _value_error(
        lambda: impl.from_pretrained(directory),
        "config.json says embed_dim 64 but the weights are 32 wide",
    )
    assert any(key in message for key in _model("vit").state_dict()), (
        "the error should name the tensors of the wrong shape (e.g. 'cls_token'), got: " + message
    )


# -- bad configs and missing files -------------------------------------------------------------
@pytest.mark.clause("save-architecture", "check-first")
def test_unknown_architecture_on_save(impl: ModuleType, tmp_path: Path) -> None:
    directory = tmp_path / "checkpoint"
    message = _value_error(
        lambda: impl.save_pretrained(
            _model("vit"), directory, {"architecture": "resnet_9000", "num_classes": 26}
        ),
        "save_pretrained with architecture 'resnet_9000'",
    )
    assert "resnet_9000" in message, f"the error should name 'resnet_9000', got: {message}"
    written = sorted(p.name for p in directory.iterdir()) if directory.exists() else []
    assert not written, f"check the config before writing anything; found {written}"


@pytest.mark.clause("save-num-classes")
def test_config_without_num_classes_on_save(impl: ModuleType, tmp_path: Path) -> None:
    _value_error(
        lambda: impl.save_pretrained(_model("vit"), tmp_path / "c", {"architecture": "vit"}),
        "save_pretrained with a config without 'num_classes'",
    )


@pytest.mark.clause("load-config-checks")
def test_unknown_architecture_on_load(impl: ModuleType, tmp_path: Path) -> None:
    _, directory = _save(impl, tmp_path, "vit")
    config = {**CONFIGS["vit"], "architecture": "resnet_9000"}
    (directory / "config.json").write_text(json.dumps(config), encoding="utf-8")
    message = _value_error(
        lambda: impl.from_pretrained(directory), "config.json naming architecture 'resnet_9000'"
    )
    assert "resnet_9000" in message and "efficientnet" in message, (
        "the error should name the unknown architecture and list the known ones "
        f"(sorted(ARCHITECTURES)), got: {message}"
    )


@pytest.mark.clause("bad-json")
def test_malformed_config_raises_a_value_error(impl: ModuleType, tmp_path: Path) -> None:
    _, directory = _save(impl, tmp_path, "vit")
    (directory / "config.json").write_text('{"architecture": "vit", ', encoding="utf-8")
    message = _value_error(lambda: impl.from_pretrained(directory), "a truncated config.json")
    assert "config.json" in message, f"the error should name config.json, got: {message}"


@pytest.mark.clause("no-directory", "no-config", "no-weights")
def test_missing_files_raise_file_not_found(impl: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        impl.from_pretrained(tmp_path / "does_not_exist")
    _, directory = _save(impl, tmp_path, "vit")
    (directory / "config.json").unlink()
    with pytest.raises(FileNotFoundError, match="config.json"):
        impl.from_pretrained(directory)
    _, directory = _save(impl, tmp_path, "vit")
    (directory / "model.safetensors").unlink()
    with pytest.raises(FileNotFoundError, match="model.safetensors"):
        impl.from_pretrained(directory)


@pytest.mark.parametrize("num_classes", [None, 5], ids=["same_head", "new_head"])
@pytest.mark.clause("read-only")
def test_loading_leaves_the_directory_unchanged(
    impl: ModuleType, tmp_path: Path, num_classes: int | None
) -> None:
    _, directory = _save(impl, tmp_path, "efficientnet")
    before = _snapshot(directory)
    impl.from_pretrained(directory, num_classes=num_classes)
    after = _snapshot(directory)
    assert after == before, (
        "from_pretrained must only read the checkpoint directory; files changed or appeared: "
        f"{sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))}"
    )


# -- tied and non-contiguous tensors -----------------------------------------------------------
class TiedNet(nn.Module):
    """A tiny model with a tied weight (two names, one tensor) and a non-contiguous parameter."""

    def __init__(self, num_classes: int = 3) -> None:
        super().__init__()
        self.proj = nn.Parameter(torch.randn(8, 4).t())  # (4, 8), not contiguous
        self.encoder = nn.Linear(8, 8)
        self.decoder = nn.Linear(8, 8)
        self.decoder.weight = self.encoder.weight
        self.head = nn.Linear(8, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.decoder(self.encoder(x @ self.proj)))


@pytest.mark.clause("tied")
def test_tied_and_non_contiguous_tensors(
    impl: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(impl.ARCHITECTURES, "tied_net", TiedNet)
    torch.manual_seed(0)
    model = TiedNet().eval()
    impl.save_pretrained(model, tmp_path / "tied", {"architecture": "tied_net", "num_classes": 3})
    with safe_open(tmp_path / "tied" / "model.safetensors", framework="pt") as f:
        keys = sorted(f.keys())
    assert keys == sorted(model.state_dict()), (
        "both names of a tied weight ('encoder.weight', 'decoder.weight') should be in the "
        f"file: safetensors refuses tensors that share memory, so clone the second; got {keys}"
    )
    loaded = impl.from_pretrained(tmp_path / "tied")
    x = torch.randn(2, 4)
    with torch.no_grad():
        assert torch.equal(loaded(x), model(x)), "the tied model's outputs changed on reload"


# -- legacy pickles: weights_only=True ---------------------------------------------------------
@pytest.mark.clause("legacy")
def test_legacy_pytorch_model_bin_loads(impl: ModuleType, tmp_path: Path) -> None:
    model = _model("efficientnet")
    directory = tmp_path / "legacy"
    directory.mkdir()
    torch.save(model.state_dict(), directory / "pytorch_model.bin")
    (directory / "config.json").write_text(json.dumps(CONFIGS["efficientnet"]), encoding="utf-8")
    loaded = impl.from_pretrained(directory)
    assert torch.equal(_outputs(loaded), _outputs(model)), (
        "without model.safetensors, from_pretrained should load the legacy pytorch_model.bin "
        "(torch.load(path, map_location='cpu', weights_only=True)) and give the same outputs"
    )


class _Payload:
    """Unpickling this calls ``os.mkdir(marker)``: code a malicious checkpoint could run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[..., object], tuple[str]]:
        return os.mkdir, (str(self.marker),)


@pytest.mark.clause("legacy", "no-pickle")
def test_legacy_pickle_never_runs_code(impl: ModuleType, tmp_path: Path) -> None:
    directory = tmp_path / "malicious"
    directory.mkdir()
    marker = tmp_path / "code_ran"
    torch.save({"classifier.weight": _Payload(marker)}, directory / "pytorch_model.bin")
    (directory / "config.json").write_text(json.dumps(CONFIGS["efficientnet"]), encoding="utf-8")
    raised: Exception | None = None
    try:
        impl.from_pretrained(directory)
    except NotImplementedError:
        raise
    except Exception as err:
        raised = err
    assert not marker.exists(), (
        "loading pytorch_model.bin ran code from the file (os.mkdir): use "
        "torch.load(path, map_location='cpu', weights_only=True), never weights_only=False"
    )
    assert isinstance(raised, pickle.UnpicklingError | ValueError), (
        "loading a pickle that holds code should raise pickle.UnpicklingError (what "
        f"torch.load(..., weights_only=True) raises), got {raised!r}"
    )


# -- judged against the reference --------------------------------------------------------------
def _break(directory: Path, how: str) -> None:
    """Damage a saved ViT checkpoint in one way (or not at all)."""
    weights, config = directory / "model.safetensors", directory / "config.json"
    if how == "corrupt_weights":
        weights.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{oops}" + b"\x00" * 32)
    elif how == "config_is_a_list":
        config.write_text("[1, 2, 3]")
    elif how == "config_not_json":
        config.write_text("{architecture: vit")
    elif how == "config_without_num_classes":
        config.write_text(
            json.dumps({k: v for k, v in CONFIGS["vit"].items() if k != "num_classes"})
        )
    elif how == "unknown_architecture":
        config.write_text(json.dumps({**CONFIGS["vit"], "architecture": "resnet_9000"}))
    elif how in ("legacy_only", "legacy_not_a_state_dict"):
        state = load_file(weights)
        weights.unlink()
        obj = state if how == "legacy_only" else list(state.values())
        torch.save(obj, directory / "pytorch_model.bin")
    elif how == "no_weights":
        weights.unlink()
    elif how == "no_config":
        config.unlink()
    elif how == "extra_tensor":
        _rewrite_weights(directory, lambda t: t.__setitem__("extra.weight", torch.zeros(2)))
    elif how == "head_only_wrong_shape":
        _rewrite_weights(directory, lambda t: t.__setitem__("head.bias", torch.zeros(3)))


@pytest.fixture(scope="module")
def saved_vit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny ViT saved once by the reference system's save_pretrained."""
    from rxvision.models.hub import save_pretrained

    directory = tmp_path_factory.mktemp("vit") / "checkpoint"
    save_pretrained(_model("vit"), directory, dict(CONFIGS["vit"]))
    return directory


BREAKS = [
    "none", "corrupt_weights", "config_is_a_list", "config_not_json",
    "config_without_num_classes", "unknown_architecture", "legacy_only",
    "legacy_not_a_state_dict", "no_weights", "no_config", "extra_tensor", "head_only_wrong_shape",
]  # fmt: skip


@pytest.mark.clause(
    "no-directory", "num-classes-range", "no-config", "bad-json", "load-config-checks", "legacy",
    "no-weights", "bad-weights", "build", "new-head", "strict", "eval", "round-trip",
)  # fmt: skip
@pytest.mark.parametrize("num_classes", [None, 26, 5, 0])
@pytest.mark.parametrize("how", BREAKS)
def test_from_pretrained_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, saved_vit: Path, tmp_path: Path, how: str,
    num_classes: int | None,
) -> None:  # fmt: skip
    import shutil

    impl.from_pretrained(saved_vit)  # an unwritten stub is "not started", not a pass
    directory = tmp_path / "checkpoint"
    shutil.copytree(saved_vit, directory)
    _break(directory, how)
    head = {"head.weight", "head.bias"}

    def load(module: ModuleType) -> tuple:
        model = module.from_pretrained(directory, num_classes=num_classes)
        state = model.state_dict()
        fresh = num_classes not in (None, 26)  # a new head is random: compare its shape only
        return (
            type(model).__name__,
            any(m.training for m in model.modules()),
            {k: v.numpy() if not (fresh and k in head) else tuple(v.shape)
             for k, v in state.items()},
        )  # fmt: skip

    diff.assert_same(lambda: load(impl), lambda: load(reference))
    if how != "none":
        return
    missing = tmp_path / "nowhere"
    diff.assert_same(impl.from_pretrained, reference.from_pretrained, missing)


@pytest.mark.clause("check-first", "mkdir", "overwrite", "returns-path", "save-num-classes")
def test_save_checks_first_creates_parents_and_overwrites(impl: ModuleType, tmp_path: Path) -> None:
    model = _model("vit")
    bad = tmp_path / "bad" / "nested"
    for config in ({"architecture": "vit"}, {**CONFIGS["vit"], "architecture": "nope"}):
        with pytest.raises(ValueError):
            impl.save_pretrained(model, bad, config)
        assert not (tmp_path / "bad").exists(), (
            f"save_pretrained with the bad config {config} created {bad}: check before writing"
        )
    nested = tmp_path / "a" / "b" / "c"
    got = impl.save_pretrained(model, str(nested), dict(CONFIGS["vit"]))
    assert isinstance(got, Path) and got == nested, (
        f"save_pretrained(model, {str(nested)!r}, ...) should create the missing parents and "
        f"return Path({str(nested)!r}), got {got!r}"
    )
    other = _model("vit")
    with torch.no_grad():
        for p in other.parameters():
            p.add_(1.0)
    impl.save_pretrained(other, nested, dict(CONFIGS["vit"], depth=2))
    state = load_file(nested / "model.safetensors")
    same = all(np.array_equal(state[k].numpy(), v.numpy()) for k, v in other.state_dict().items())
    assert same, "saving again into the same directory must overwrite model.safetensors"
