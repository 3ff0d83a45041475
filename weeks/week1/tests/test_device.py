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

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from grader import differential as diff

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
@pytest.mark.clause("auto-order", "returns-device")
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


@pytest.mark.clause("auto-order")
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


@pytest.mark.clause("prefer", "env")
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


@pytest.mark.clause("check-request", "not-a-device", "error-message")
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
@pytest.mark.clause("tensor", "dtype-none", "mapping", "namedtuple", "sequence", "dataclass")
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
    assert sample.image.device == META and sample.label.device == META, (
        "the tensors inside a namedtuple must be moved to meta, got image on "
        f"{sample.image.device} and label on {sample.label.device}"
    )
    assert sample.name == "aspirin", (
        "a namedtuple's non-tensor field must be kept as is: want name 'aspirin', "
        f"got {sample.name!r}"
    )

    inner = moved["batch"]
    assert type(inner) is Batch, f"a dataclass must stay a Batch, got {type(inner).__name__}"
    assert inner.images.device == META and inner.labels.device == META, (
        "the tensor fields of a dataclass must be moved (dataclasses.fields / replace)"
    )
    assert inner.extras["scale"].device == META, "recurse into a dataclass's dict field too"
    assert inner.note == "studio", (
        f"a dataclass's non-tensor field must be kept as is: want note 'studio', got {inner.note!r}"
    )
    assert type(moved["ordered"]) is OrderedDict and list(moved["ordered"]) == ["z", "a"], (
        "an OrderedDict must stay an OrderedDict with its key order"
    )
    assert moved["nothing"] is None, f"None must stay None, got {moved['nothing']!r}"


@pytest.mark.clause("other-identity", "no-mutation")
def test_move_to_returns_non_tensors_by_identity_and_keeps_input(impl: ModuleType) -> None:
    batch = _nested()
    moved = impl.move_to(batch, "meta")
    assert moved["batch"].extras is not batch["batch"].extras, "containers are rebuilt"
    assert batch["images"].device.type == "cpu", "move_to must not modify its input in place"
    marker = object()
    assert impl.move_to(marker, "meta") is marker, "an unknown object must be returned as is"
    text, number = impl.move_to("text", "meta"), impl.move_to(3, "meta")
    assert text == "text" and number == 3, (
        "a str and an int must be returned as they are: want move_to('text') == 'text' and "
        f"move_to(3) == 3, got {text!r} and {number!r}"
    )


@pytest.mark.clause("dtype-floating")
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


@pytest.mark.clause("non-blocking")
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


@pytest.mark.clause("model-in-place", "optimizer-state", "returns-model")
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


@pytest.mark.clause("model-in-place", "optimizer-state", "step-untouched", "trainable-after")
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
    assert all(p.dtype == torch.float64 for p in model.parameters()), (
        "after a training step on the moved model every parameter should still be float64, got "
        f"{sorted({str(p.dtype) for p in model.parameters()})}"
    )


# -- differential: the reference on the same requests and the same batches -----------------------
PREFERS: list[Any] = [None, "cpu", "meta", "cuda", "cuda:0", "cuda:1", "mps", "gpu", "cuda:x",
                      torch.device("cpu"), torch.device("meta")]  # fmt: skip
ENVS = [None, "", "meta", "cpu", "cuda", "cuda:1", "mps", "gpu"]


@pytest.mark.clause("prefer", "env", "auto-order", "check-request", "not-a-device")
@pytest.mark.clause("returns-device", "error-message")
def test_pick_device_agrees_with_the_reference_everywhere(
    impl: ModuleType, reference: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    for cuda_count in (0, 1, 2):
        for mps in (False, True):
            monkeypatch.setattr(torch.cuda, "is_available", lambda n=cuda_count: n > 0)
            monkeypatch.setattr(torch.cuda, "device_count", lambda n=cuda_count: n)
            monkeypatch.setattr(torch.backends.mps, "is_available", lambda m=mps: m)
            for env in ENVS:
                if env is None:
                    monkeypatch.delenv("RXVISION_DEVICE", raising=False)
                else:
                    monkeypatch.setenv("RXVISION_DEVICE", env)
                for prefer in PREFERS:
                    what = (
                        f"pick_device({prefer!r}) with RXVISION_DEVICE={env!r}, "
                        f"{cuda_count} CUDA device(s), MPS {'available' if mps else 'absent'}"
                    )
                    want = diff.call(reference.pick_device, prefer)
                    got = diff.call(impl.pick_device, prefer)
                    if isinstance(got.error, NotImplementedError):
                        raise got.error
                    if want.raised:
                        assert isinstance(got.error, ValueError), (
                            f"{what} should raise ValueError ({want.error}), got "
                            f"{diff.describe(got.error if got.raised else got.value)}"
                        )
                        from_env = prefer is None
                        name = str(env if from_env else prefer).split(":")[0]
                        message = str(got.error)
                        assert name in message, f"{what}: the message should name {name!r}"
                        where = ("RXVISION_DEVICE",) if from_env else ("prefer", "argument")
                        assert any(w in message for w in where), (
                            f"{what}: the message should say where the request came from "
                            f"({' or '.join(where)}): {message}"
                        )
                    else:
                        assert not got.raised, f"{what} raised {diff.describe(got.error)}"
                        assert isinstance(got.value, torch.device) and got.value == want.value, (
                            f"{what} should be {want.value!r}, got {got.value!r}"
                        )


class Pair(NamedTuple):
    left: Any
    right: Any


@dataclasses.dataclass
class Box:
    content: Any
    tag: str = "box"
    cache: Any = dataclasses.field(default=None, init=True)


LEAVES = st.one_of(
    st.sampled_from(
        [torch.float32, torch.float64, torch.float16, torch.int64, torch.bool, torch.uint8]
    ).map(lambda t: (torch.arange(3) % 2).to(t)),  # fmt: skip
    st.integers(-3, 3),
    st.text(max_size=3),
    st.none(),
    st.just(np.arange(3.0)),
)
BATCHES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=2), inner, max_size=3),
        st.dictionaries(st.text(max_size=2), inner, max_size=3).map(OrderedDict),
        st.tuples(inner, inner).map(lambda t: Pair(*t)),
        st.tuples(inner, inner).map(lambda t: Box(t[0], cache=t[1])),
    ),
    max_leaves=8,
)


def _same_structure(got: Any, want: Any, original: Any, path: str = "batch") -> str | None:
    if isinstance(want, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return f"{path}: expected a tensor, got {diff.describe(got)}"
        if (got.device, got.dtype, got.shape) != (want.device, want.dtype, want.shape):
            return (
                f"{path}: expected a {want.dtype} tensor on {want.device}, got {got.dtype} on "
                f"{got.device}"
            )
        if want.device.type != "meta" and not torch.equal(got, want):
            return f"{path}: the values changed"
        return None
    if type(got) is not type(want):
        return f"{path}: expected a {type(want).__name__}, got {type(got).__name__}"
    if dataclasses.is_dataclass(want):
        for f in dataclasses.fields(want):
            if m := _same_structure(getattr(got, f.name), getattr(want, f.name),
                                    getattr(original, f.name), f"{path}.{f.name}"):  # fmt: skip
                return m
        return None if got is not original else f"{path}: a dataclass must be rebuilt"
    if isinstance(want, dict):
        if list(got) != list(want):
            return f"{path}: keys {list(got)} should be {list(want)} (same order)"
        return next(
            (m for k in want if (m := _same_structure(got[k], want[k], original[k],
                                                       f"{path}[{k!r}]"))),
            None,
        )  # fmt: skip
    if isinstance(want, (list, tuple)):
        if len(got) != len(want):
            return f"{path}: expected {len(want)} items, got {len(got)}"
        return next(
            (m for i, (g, w, o) in enumerate(zip(got, want, original, strict=True))
             if (m := _same_structure(g, w, o, f"{path}[{i}]"))),
            None,
        )  # fmt: skip
    return None if got is original else f"{path}: {diff.describe(original)} must be the same object"


def _tensor_places(obj: Any) -> list[tuple[torch.device, torch.dtype]]:
    """Device and dtype of every tensor inside ``obj``, in order."""
    if isinstance(obj, torch.Tensor):
        return [(obj.device, obj.dtype)]
    if dataclasses.is_dataclass(obj):
        obj = [getattr(obj, f.name) for f in dataclasses.fields(obj)]
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, (list, tuple)):
        return [place for item in obj for place in _tensor_places(item)]
    return []


@pytest.mark.clause("tensor", "dtype-floating", "dtype-none", "mapping", "namedtuple")
@pytest.mark.clause("sequence", "dataclass", "other-identity", "no-mutation")
@given(
    batch=BATCHES,
    device=st.sampled_from(["meta", "cpu", torch.device("meta")]),
    dtype=st.sampled_from([None, torch.float16, torch.float64]),
)
def test_move_to_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, batch: Any, device: Any, dtype: torch.dtype | None
) -> None:
    before = _tensor_places(batch)
    want = reference.move_to(batch, device, dtype)
    got = impl.move_to(batch, device, dtype)
    problem = _same_structure(got, want, batch)
    assert problem is None, f"move_to(..., {device!r}, dtype={dtype}): {problem}"
    assert _tensor_places(batch) == before, "move_to modified its input in place"


def _moved_state(module: ModuleType, name: str | None, device: str, dtype: Any) -> tuple:
    model, _ = _trained()
    optimizer = None
    if name is not None:
        optimizer = {
            "adam": lambda ps: torch.optim.Adam(ps, lr=1e-2),
            "momentum": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        }[name](model.parameters())
        optimizer.zero_grad()
        F.cross_entropy(model(torch.randn(8, 4)), torch.randint(0, 2, (8,))).backward()
        optimizer.step()
    steps = {} if optimizer is None else {
        id(p): s.get("step") for p, s in optimizer.state.items()}  # fmt: skip
    got = module.move_model(model, device, optimizer, dtype)
    assert got is model, "move_model returns the model itself"
    described = [(n, t.device.type, t.dtype) for n, t in model.state_dict().items()]
    if optimizer is not None:
        for p, state in optimizer.state.items():
            for key, value in state.items():
                if key == "step":
                    assert value is steps[id(p)], "leave the 'step' entries as they are"
                    continue
                described.append((key, value.device.type, value.dtype))
    return tuple(described)


@pytest.mark.clause("model-in-place", "optimizer-state", "step-untouched", "returns-model")
@pytest.mark.parametrize("name", [None, "adam", "momentum"])
@pytest.mark.parametrize(("device", "dtype"), [("meta", None), ("meta", torch.float16),
                                               ("cpu", torch.float64)])  # fmt: skip
def test_move_model_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, name: str | None, device: str, dtype: Any
) -> None:
    want = _moved_state(reference, name, device, dtype)
    got = _moved_state(impl, name, device, dtype)
    assert got == want, (
        f"move_model(model, {device!r}, {name or 'no'} optimizer, dtype={dtype}): (name, device, "
        f"dtype) of every parameter, buffer and optimizer state should be\n  {want}\ngot\n  {got}"
    )
