"""Magnitude pruning with ``torch.nn.utils.prune``: prune, fine-tune with the masks, bake in.

Pruning zeroes the weights of smallest magnitude (L1): a sparse model compresses well, and
sparse kernels can skip the zeros. Read the PyTorch tutorial
https://docs.pytorch.org/tutorials/intermediate/pruning_tutorial.html first.

``torch.nn.utils.prune`` works by re-parametrisation: after pruning, a module keeps the
trainable parameter ``weight_orig`` and the buffer ``weight_mask`` (1 = kept, 0 = pruned), and a
forward pre-hook recomputes ``weight = weight_orig * weight_mask`` before every forward pass. So
while the masks are in place, fine-tuning updates ``weight_orig`` but pruned weights stay zero.
``prune.remove(module, "weight")`` bakes the mask in: ``weight`` becomes a plain parameter again
(with its zeros), which is what ``torch.onnx.export`` and ``state_dict`` consumers expect.

Only the ``weight`` of ``nn.Conv2d`` and ``nn.Linear`` layers is pruned. Biases and
normalisation parameters are few and sensitive: leave them alone.

The recipe: ``prune_model`` -> ``fine_tune`` (recover the accuracy lost) -> ``make_permanent``
-> ``sparsity`` report -> export.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

__all__ = [
    "SparsityReport",
    "fine_tune",
    "make_permanent",
    "prunable_layers",
    "prune_model",
    "sparsity",
]

PRUNABLE = (nn.Conv2d, nn.Linear)


def prunable_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """``(qualified name, module)`` of every ``nn.Conv2d`` and ``nn.Linear`` of ``model``.

    In ``model.named_modules()`` order, nested modules included with their dotted names
    [#layer-order]; e.g. for ``nn.Sequential(nn.Conv2d(...), nn.ReLU(), nn.Flatten(),
    nn.Linear(...))``: ``[("0", conv), ("3", linear)]``. Other layers (``nn.Conv1d``,
    ``nn.BatchNorm2d``, ...) are not listed. [#conv-linear-only]
    """
    # TODO: one comprehension over model.named_modules().
    raise NotImplementedError


def prune_model(model: nn.Module, amount: float, *, scope: str = "global") -> nn.Module:
    """Prune a fraction ``amount`` of the conv/linear weights by L1 magnitude, in place.

    - ``scope="global"``: rank *all* those weights together and zero the ``amount`` fraction of
      smallest ``|w|`` (``prune.global_unstructured(pairs,
      pruning_method=prune.L1Unstructured, amount=amount)``). Layers with small weights lose
      more, layers with large weights less; overall exactly ``round(amount * total)`` zeros.
      [#global]
    - ``scope="layer"``: zero the ``amount`` fraction of smallest ``|w|`` of each layer
      separately (``prune.l1_unstructured``): every layer ends with the same sparsity. [#layer]

    Only weights are pruned: biases get no mask and do not change. [#weights-only]

    The grader compares your masks with ``torch.nn.utils.prune``'s on the same model.

    Args:
        model: the model to prune.
        amount: fraction of weights to zero, in [0, 1].
        scope: ``"global"`` (the default) or ``"layer"``. [#default-scope]

    Returns:
        ``model`` itself, with ``weight_orig`` and ``weight_mask`` on every pruned layer.
        [#returns-model]

    Raises:
        ValueError: ``amount`` outside [0, 1] [#amount-range], an unknown ``scope``
            [#scope-values], or no conv/linear layer (with either scope). [#no-layers]
    """
    # TODO: validate, collect (module, "weight") pairs, prune globally or per layer.
    raise NotImplementedError


def fine_tune(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    steps: int = 20,
    lr: float = 1e-3,
    batch_size: int = 32,
    seed: int = 0,
) -> list[float]:
    """A short fine-tune of a pruned model, keeping the masks in place.

    ``torch.optim.Adam(model.parameters(), lr=lr)``, ``model.train()``, then ``steps`` steps of
    cross-entropy on random mini-batches of ``min(batch_size, len(images))`` indices [#batches]
    drawn with a ``torch.Generator().manual_seed(seed)``, created once; each step draws its
    indices with replacement, ``torch.randint(0, len(images), (b,), generator=generator)``.
    [#seed] Finish with ``model.eval()``. [#eval-after] Do *not* remove the masks before or
    during training: pruned weights must still be exactly zero afterwards. [#masks-kept]

    Args:
        model: a (pruned) classifier.
        images: float inputs ``(N, ...)``.
        labels: int64 class indices ``(N,)``.
        steps: optimiser steps.
        lr: Adam learning rate.
        batch_size: mini-batch size.
        seed: seed of the mini-batch sampling.

    Returns:
        The training loss of every step (``steps`` Python floats), computed before that step's
        update. [#losses]
    """
    # TODO: the usual loop; the masks do the rest.
    raise NotImplementedError


def make_permanent(model: nn.Module) -> nn.Module:
    """Bake every pruning mask into its weight with ``prune.remove``, in place.

    Afterwards no module has ``weight_orig`` or ``weight_mask`` (``state_dict`` has plain
    ``weight`` keys again, no forward pre-hooks are left), [#no-masks-left] the zeros stay and
    the outputs do not change. [#zeros-stay] Modules that were never pruned are left as they
    are. [#unpruned-untouched]

    Returns:
        ``model`` itself. [#permanent-returns-model]
    """
    # TODO: prune.remove(module, "weight") wherever a weight_mask exists.
    raise NotImplementedError


@dataclass(frozen=True)
class SparsityReport:
    """Zero weights of the conv/linear layers (given).

    Attributes:
        layers: qualified layer name (as in :func:`prunable_layers`) -> fraction of zero
            weights in that layer's ``weight``.
        zeros: zero weights over all those layers.
        total: weights over all those layers.
    """

    layers: dict[str, float]
    zeros: int
    total: int

    @property
    def overall(self) -> float:
        """``zeros / total``."""
        return self.zeros / self.total if self.total else 0.0


def sparsity(model: nn.Module) -> SparsityReport:
    """Count the zero entries of the ``weight`` of every conv/linear layer.

    Works before pruning [#before-pruning], with masks in place (use ``weight_orig *
    weight_mask``: the ``weight`` attribute is only refreshed by the next forward pass)
    [#masked] and after :func:`make_permanent`. [#after-permanent] Biases and other layers are
    not counted. [#counted-weights]
    """
    # TODO: per-layer fractions and totals over prunable_layers(model).
    raise NotImplementedError
