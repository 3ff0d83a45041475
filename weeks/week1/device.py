"""Device placement: choose a device, move nested batches, move a model with its optimizer.

On a GPU machine every tensor a model touches must live on the GPU, and a batch from a
``DataLoader`` is rarely a bare tensor: it is a dict of images, labels and metadata, a tuple, a
namedtuple or a dataclass. You write the three helpers a training loop needs:

1. ``pick_device``: which device to use, with an override for the command line and CI;
2. ``move_to``: move every tensor inside any nesting of containers, keeping their types;
3. ``move_model``: move a model *and* its optimizer's state (Adam keeps two tensors per
   parameter that ``model.to`` does not move: after loading a checkpoint on the CPU and moving
   the model to the GPU, the first ``optimizer.step()`` crashes on mixed devices).

The grader runs on the CPU. It uses the ``"meta"`` device (tensors with a shape and a dtype but
no data: moving to it is free) to see what you moved, fakes ``torch.cuda.is_available`` to test
your choice of device, and watches the arguments your code passes to ``Tensor.to``.
"""

from __future__ import annotations

from typing import TypeVar

import torch
from torch import nn

__all__ = ["DEVICE_ENV", "move_model", "move_to", "pick_device"]

#: Environment variable that overrides the automatic choice of :func:`pick_device` (given).
DEVICE_ENV = "RXVISION_DEVICE"

T = TypeVar("T")
M = TypeVar("M", bound=nn.Module)


def pick_device(prefer: str | torch.device | None = None) -> torch.device:
    """Choose the device to run on.

    In order:

    1. ``prefer``, when given (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``, ``"meta"``, or a
       ``torch.device``); [#prefer]
    2. else the environment variable ``RXVISION_DEVICE`` (:data:`DEVICE_ENV`), when set and
       not empty; [#env]
    3. else ``torch.device("cuda")`` if ``torch.cuda.is_available()``;
    4. else ``torch.device("mps")`` if ``torch.backends.mps.is_available()`` (Apple GPUs);
    5. else ``torch.device("cpu")``. [#auto-order]

    An explicit request (1 or 2) must be checked, not trusted: ``"cuda"`` needs
    ``torch.cuda.is_available()`` (and ``"cuda:i"`` needs ``i < torch.cuda.device_count()``),
    ``"mps"`` needs ``torch.backends.mps.is_available()``; ``"cpu"`` and ``"meta"`` always
    exist. [#check-request] Failing early with a clear message beats a crash deep inside the
    first forward pass.

    Returns:
        A ``torch.device``. [#returns-device]

    Raises:
        ValueError: if the request is not a device at all (``torch.device`` raises
            ``RuntimeError`` for ``"gpu"``: turn it into a ValueError) or is not available.
            [#not-a-device] The message names the device and where the request came from
            (``RXVISION_DEVICE``, or the ``prefer`` argument). [#error-message]
    """
    # TODO: explicit request (argument, then environment), checked; else the automatic order.
    raise NotImplementedError


def move_to(
    obj: T,
    device: str | torch.device,
    dtype: torch.dtype | None = None,
    non_blocking: bool = False,
) -> T:
    """Move every tensor inside ``obj`` to ``device``, keeping the structure around them.

    - A tensor: ``tensor.to(device, dtype=..., non_blocking=non_blocking)``. [#tensor] ``dtype``
      applies only to *floating-point* tensors (``tensor.is_floating_point()``): labels and
      indices stay int64, masks stay bool. [#dtype-floating] With ``dtype=None`` no tensor
      changes dtype. [#dtype-none] Pass ``non_blocking`` on by keyword (with pinned memory it
      lets the copy to the GPU overlap with computation). [#non-blocking]
    - A mapping (``dict``, ``OrderedDict``...): the same type, the same keys in the same order,
      each value moved. [#mapping]
    - A namedtuple: the same namedtuple type, built with ``type(obj)(*values)``
      (``type(obj)(generator)`` fails for namedtuples; a plain ``tuple`` loses the field names).
      [#namedtuple]
    - A list or tuple: the same type, each item moved. [#sequence]
    - A dataclass instance: a new instance of the same class with each field moved
      (``dataclasses.fields`` and ``dataclasses.replace``). [#dataclass]
    - Anything else (int, str, None, a NumPy array, a PIL image): returned as is, the very
      same object. [#other-identity]

    The input is never modified: containers are rebuilt, tensors are new tensors (or the same
    tensor when nothing changes, as ``Tensor.to`` does). [#no-mutation]

    Example::

        batch = {"image": torch.rand(8, 3, 32, 32), "label": torch.zeros(8, dtype=torch.long),
                 "ids": ["a", "b"]}
        move_to(batch, "cuda", dtype=torch.float16)
        # {"image": float16 on cuda, "label": int64 on cuda, "ids": the same list}

    Returns:
        An object of the same type and structure as ``obj``.
    """
    # TODO: the tensor base case, then one branch per container kind, recursing.
    raise NotImplementedError


def move_model(
    model: M,
    device: str | torch.device,
    optimizer: torch.optim.Optimizer | None = None,
    dtype: torch.dtype | None = None,
) -> M:
    """Move ``model`` and the per-parameter state of its ``optimizer`` to ``device``.

    1. ``model.to(device=device, dtype=dtype)``: ``nn.Module.to`` moves parameters *in place*
       (between CPU and GPU it keeps the same ``nn.Parameter`` objects, so the optimizer still
       holds the right ones), and casts only floating-point parameters and buffers.
       [#model-in-place]
    2. For each ``state`` in ``optimizer.state.values()`` (a dict per parameter, e.g. Adam's
       ``"exp_avg"`` and ``"exp_avg_sq"``): replace every entry by its copy on ``device``, with
       ``dtype`` for floating-point tensors (your :func:`move_to` does exactly that). Leave the
       ``"step"`` entries alone (``Optimizer.load_state_dict`` does the same: Adam keeps its
       step counter on the CPU). [#optimizer-state] The ``"step"`` entries stay the very same
       objects. [#step-untouched] Without an optimizer only the model moves.

    After this, ``optimizer.step()`` works on the new device and dtype. [#trainable-after]

    Returns:
        ``model`` itself. [#returns-model]
    """
    # TODO: move the model, then the optimizer state tensors.
    raise NotImplementedError
