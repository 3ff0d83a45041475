"""Tests of week1.device: choosing a device, moving nested batches, moving model + optimizer.

Everything runs on the CPU: the ``"meta"`` device shows what was moved, ``torch.cuda`` is faked
where a GPU is needed, and ``Tensor.to`` is watched to see the arguments you pass.
Run: ``pytest weeks/week1/tests/test_device.py``.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from types import ModuleType
from typing import Any, NamedTuple

import pytest
import torch
import torch.nn.functional as F
from torch import nn

META = torch.device("meta")


class Sample(NamedTuple):
    image: torch.Tensor
    label: torch.Tensor
    name: str


@dataclasses.dataclass(frozen=True)
class Batch:
    images: torch.Tensor
    labels: torch.Tensor
    extras: dict[str, Any]
    note: str = "studio"


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("RXVISION_DEVICE", raising=False)
    return monkeypatch


def _nested() -> dict[str, Any]:
    images = torch.rand(2, 3, 4, 4)
    return {
        "images": images,
        "labels": torch.tensor([1, 2]),
        "mask": torch.tensor([True, False]),
        "ids": ["a", "b"],
        "pair": (torch.ones(2, dtype=torch.float64), 7),
        "sample": Sample(torch.zeros(3), torch.tensor(4), "aspirin"),
        "batch": Batch(images, torch.tensor([0, 1]), {"scale": torch.ones(1)}),
        "ordered": OrderedDict([("z", torch.zeros(1)), ("a", None)]),
        "nothing": None,
    }


# -- pick_device -------------------------------------------------------------------------------
def test_pick_device_defaults_to_cpu_without_accelerators(
    impl: ModuleType, no_env: pytest.MonkeyPatch
) -> None:
    no_env.setattr(torch.cuda, "is_available", lambda: False)
    no_env.setattr(torch.backends.mps, "is_available", lambda: False)
    got = impl.pick_device()
    assert got == torch.device("cpu") and isinstance(got, torch.device), (
        "pick_device() with no GPU and no RXVISION_DEVICE should be torch.device('cpu'), "
        f"got {got!r}"
    )


def test_pick_device_prefers_cuda_then_mps(impl: ModuleType, no_env: pytest.MonkeyPatch) -> None:
    no_env.setattr(torch.backends.mps, "is_available", lambda: True)
    no_env.setattr(torch.cuda, "is_available", lambda: True)
    assert impl.pick_device() == torch.device("cuda"), (
        "with CUDA available, pick_device() should return torch.device('cuda')"
    )
    no_env.setattr(torch.cuda, "is_available", lambda: False)
    assert impl.pick_device() == torch.device("mps"), (
        "without CUDA but with MPS available, pick_device() should return torch.device('mps')"
    )


def test_pick_device_honours_argument_then_environment(
    impl: ModuleType, no_env: pytest.MonkeyPatch
) -> None:
    no_env.setattr(torch.cuda, "is_available", lambda: False)
    no_env.setenv("RXVISION_DEVICE", "meta")
    assert impl.pick_device() == META, "RXVISION_DEVICE=meta should make pick_device() return meta"
    assert impl.pick_device("cpu") == torch.device("cpu"), (
        "an explicit pick_device('cpu') wins over RXVISION_DEVICE"
    )
    assert impl.pick_device(torch.device("meta")) == META, "a torch.device argument is accepted"


@pytest.mark.parametrize("request_from", ["argument", "environment"])
@pytest.mark.parametrize("name", ["cuda", "mps", "gpu"])
def test_pick_device_rejects_unavailable_devices_clearly(
    impl: ModuleType, no_env: pytest.MonkeyPatch, name: str, request_from: str
) -> None:
    no_env.setattr(torch.cuda, "is_available", lambda: False)
    no_env.setattr(torch.backends.mps, "is_available", lambda: False)
    if request_from == "environment":
        no_env.setenv("RXVISION_DEVICE", name)
    with pytest.raises(ValueError) as info:
        impl.pick_device(name if request_from == "argument" else None)
    assert name in str(info.value), (
        f"the ValueError for an unavailable {name!r} should name it, got: {info.value}"
    )


# -- move_to -----------------------------------------------------------------------------------
def test_move_to_moves_every_tensor_and_keeps_structure(impl: ModuleType) -> None:
    batch = _nested()
    moved = impl.move_to(batch, "meta")
    assert type(moved) is dict and list(moved) == list(batch), (
        f"move_to should return a dict with the same keys in the same order {list(batch)}, "
        f"got {type(moved).__name__} with {list(moved) if isinstance(moved, dict) else '?'}"
    )
    for key in ("images", "labels", "mask"):
        assert moved[key].device == META, f"batch[{key!r}] was not moved to meta"
        assert moved[key].dtype == batch[key].dtype, f"batch[{key!r}] changed dtype without dtype="
    assert moved["ids"] == ["a", "b"] and type(moved["ids"]) is list, "a list must stay a list"
    assert type(moved["pair"]) is tuple and moved["pair"][0].device == META, (
        "tuples must stay tuples with their tensors moved"
    )
    assert moved["pair"][1] == 7, "non-tensor items (the int 7) must be kept as they are"

    sample = moved["sample"]
    assert type(sample) is Sample, (
        f"a namedtuple must stay the same namedtuple type (Sample), got {type(sample).__name__}: "
        "build it with type(obj)(*values)"
    )
    assert sample.image.device == META and sample.label.device == META
    assert sample.name == "aspirin"

    inner = moved["batch"]
    assert type(inner) is Batch, f"a dataclass must stay a Batch, got {type(inner).__name__}"
    assert inner.images.device == META and inner.labels.device == META, (
        "the tensor fields of a dataclass must be moved (dataclasses.fields / replace)"
    )
    assert inner.extras["scale"].device == META, "recurse into a dataclass's dict field too"
    assert inner.note == "studio"
    assert type(moved["ordered"]) is OrderedDict and list(moved["ordered"]) == ["z", "a"], (
        "an OrderedDict must stay an OrderedDict with its key order"
    )
    assert moved["nothing"] is None


def test_move_to_returns_non_tensors_by_identity_and_keeps_input(impl: ModuleType) -> None:
    batch = _nested()
    moved = impl.move_to(batch, "meta")
    assert moved["batch"].extras is not batch["batch"].extras, "containers are rebuilt"
    assert batch["images"].device.type == "cpu", "move_to must not modify its input in place"
    marker = object()
    assert impl.move_to(marker, "meta") is marker, "an unknown object must be returned as is"
    assert impl.move_to("text", "meta") == "text" and impl.move_to(3, "meta") == 3


def test_move_to_casts_only_floating_tensors(impl: ModuleType) -> None:
    moved = impl.move_to(_nested(), "cpu", dtype=torch.float16)
    assert moved["images"].dtype == torch.float16, "floating tensors must take dtype=float16"
    assert moved["pair"][0].dtype == torch.float16, "float64 tensors must take dtype=float16 too"
    assert moved["labels"].dtype == torch.int64, (
        f"integer labels must stay int64 when dtype=float16 is given, got {moved['labels'].dtype}"
        ": cast only tensors with is_floating_point()"
    )
    assert moved["mask"].dtype == torch.bool, "bool masks must stay bool"
    assert moved["sample"].label.dtype == torch.int64, "ints inside a namedtuple stay ints too"


def test_move_to_forwards_non_blocking(impl: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    original = torch.Tensor.to

    def spy(self: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        seen.append(bool(kwargs.get("non_blocking", False)))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", spy)
    impl.move_to({"x": torch.zeros(2), "y": [torch.ones(1)]}, "cpu", non_blocking=True)
    monkeypatch.undo()
    assert seen and all(seen), (
        f"move_to(..., non_blocking=True) should call tensor.to(..., non_blocking=True) for "
        f"every tensor; the calls it made passed non_blocking={seen}"
    )


# -- move_model --------------------------------------------------------------------------------
def _trained() -> tuple[nn.Module, torch.optim.Optimizer]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(2):
        optimizer.zero_grad()
        F.cross_entropy(model(torch.randn(8, 4)), torch.randint(0, 2, (8,))).backward()
        optimizer.step()
    return model, optimizer


def test_move_model_moves_parameters_and_optimizer_state(impl: ModuleType) -> None:
    model, optimizer = _trained()
    got = impl.move_model(model, "meta", optimizer)
    assert got is model, "move_model should return the model itself (nn.Module.to is in place)"
    assert all(p.device == META for p in model.parameters()), "every parameter should be on meta"
    assert model[1].running_mean.device == META, "buffers (BatchNorm statistics) move too"
    left = [
        f"{key} of a {tuple(p.shape)} parameter"
        for p, state in optimizer.state.items()
        for key, value in state.items()
        if key != "step" and torch.is_tensor(value) and value.device != META
    ]
    assert not left, (
        f"optimizer state left on the CPU: {left}. model.to() does not move Adam's exp_avg and "
        "exp_avg_sq; move every tensor of optimizer.state[param] to param.device"
    )


def test_move_model_to_float64_keeps_training(impl: ModuleType) -> None:
    model, optimizer = _trained()
    params = list(model.parameters())
    impl.move_model(model, "cpu", optimizer, dtype=torch.float64)
    assert [id(p) for p in model.parameters()] == [id(p) for p in params], (
        "the parameters must stay the same objects (move the model with model.to, in place), "
        "or the optimizer keeps updating the old ones"
    )
    assert all(p.dtype == torch.float64 for p in model.parameters()), "parameters -> float64"
    for state in optimizer.state.values():
        assert state["exp_avg"].dtype == torch.float64, (
            f"Adam's exp_avg should follow its parameter to float64, got {state['exp_avg'].dtype}"
        )
        assert state["step"].dtype == torch.float32, "leave Adam's 'step' counter as it is"
    optimizer.zero_grad()
    x = torch.randn(8, 4, dtype=torch.float64)
    F.cross_entropy(model(x), torch.randint(0, 2, (8,))).backward()
    optimizer.step()  # mixed dtypes in Adam's update raise here
    assert all(p.dtype == torch.float64 for p in model.parameters())
