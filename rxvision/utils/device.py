"""Device placement: choose a device, move nested batches, move a model with its optimizer.

``pick_device`` honours an explicit choice, then the ``RXVISION_DEVICE`` environment variable,
then CUDA, MPS and CPU. ``move_to`` moves every tensor inside nested containers and keeps the
containers' types; ``move_model`` moves a model *and* the state of its optimizer (Adam's moments
are tensors too, and ``model.to`` does not touch them).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any, TypeVar

import torch
from torch import nn

__all__ = ["DEVICE_ENV", "move_model", "move_to", "pick_device"]

#: Environment variable that overrides the automatic choice of :func:`pick_device`.
DEVICE_ENV = "RXVISION_DEVICE"

T = TypeVar("T")
M = TypeVar("M", bound=nn.Module)


def _available(device: torch.device) -> bool:
    if device.type == "cuda":
        return torch.cuda.is_available() and (
            device.index is None or device.index < torch.cuda.device_count()
        )
    if device.type == "mps":
        return torch.backends.mps.is_available()
    return device.type in ("cpu", "meta")


def pick_device(prefer: str | torch.device | None = None) -> torch.device:
    """The device to run on: ``prefer``, else ``$RXVISION_DEVICE``, else CUDA, MPS, then CPU.

    Raises:
        ValueError: if the requested device (argument or environment) is not a valid device
            string or is not available on this machine.
    """
    origin = "pick_device(prefer=...)"
    if prefer is None and os.environ.get(DEVICE_ENV):
        prefer, origin = os.environ[DEVICE_ENV], f"${DEVICE_ENV}"
    if prefer is not None:
        try:
            device = torch.device(prefer)
        except (RuntimeError, TypeError) as exc:
            raise ValueError(f"{origin} is {prefer!r}, which is not a device: {exc}") from exc
        if not _available(device):
            raise ValueError(f"{origin} asks for {str(device)!r}, which is not available here")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def move_to(
    obj: T,
    device: str | torch.device,
    dtype: torch.dtype | None = None,
    non_blocking: bool = False,
) -> T:
    """Move every tensor inside ``obj`` to ``device`` (and floating tensors to ``dtype``).

    Recurses into mappings, lists, tuples, namedtuples and dataclass instances, rebuilding each
    with its own type; anything else is returned unchanged (by identity).
    """
    if isinstance(obj, torch.Tensor):
        cast = dtype if dtype is not None and obj.is_floating_point() else None
        return obj.to(device, dtype=cast, non_blocking=non_blocking)  # type: ignore[return-value]

    def again(value: Any) -> Any:
        return move_to(value, device, dtype, non_blocking)

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {f.name: again(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.init}
        return dataclasses.replace(obj, **changes)
    if isinstance(obj, Mapping):
        items = [(key, again(value)) for key, value in obj.items()]
        try:
            return type(obj)(items)  # type: ignore[call-arg]
        except TypeError:  # a mapping type that cannot be built from pairs
            return dict(items)  # type: ignore[return-value]
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # namedtuple
        return type(obj)(*(again(value) for value in obj))
    if isinstance(obj, list | tuple):
        return type(obj)(again(value) for value in obj)
    return obj


def move_model(
    model: M,
    device: str | torch.device,
    optimizer: torch.optim.Optimizer | None = None,
    dtype: torch.dtype | None = None,
) -> M:
    """Move ``model`` in place (``model.to``) and the per-parameter state of ``optimizer``.

    Every state tensor goes to ``device`` (floating ones to ``dtype`` when given), the
    ``"step"`` counters excepted: like ``Optimizer.load_state_dict``, leave them where they are.

    Returns:
        ``model`` itself (moved).
    """
    model.to(device=device, dtype=dtype)
    if optimizer is not None:
        for state in optimizer.state.values():
            for key, value in state.items():
                if key != "step":
                    state[key] = move_to(value, device, dtype)
    return model
