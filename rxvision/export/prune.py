"""Magnitude pruning with ``torch.nn.utils.prune``: prune, fine-tune with the masks, bake in.

Pruning sets the weights of smallest magnitude to zero. ``torch.nn.utils.prune`` does it with a
re-parametrisation: the module keeps ``weight_orig`` (the trainable parameter) and the buffer
``weight_mask``, and a forward pre-hook recomputes ``weight = weight_orig * weight_mask`` before
every forward pass, so pruned weights stay zero while the others are fine-tuned.
``prune.remove`` bakes the mask in (``weight`` becomes a plain parameter again), which is what
export needs.

Only the ``weight`` of ``nn.Conv2d`` and ``nn.Linear`` layers is pruned; biases and
normalisation parameters are few and sensitive, and are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import prune

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
    """``(qualified name, module)`` of every ``nn.Conv2d`` and ``nn.Linear``, in module order."""
    return [(name, m) for name, m in model.named_modules() if isinstance(m, PRUNABLE)]


def prune_model(model: nn.Module, amount: float, *, scope: str = "global") -> nn.Module:
    """Prune ``amount`` of the conv/linear weights by L1 magnitude, in place.

    Args:
        model: the model to prune.
        amount: fraction of weights to zero, in [0, 1].
        scope: ``"global"`` ranks all the weights together (layers end up with different
            sparsities); ``"layer"`` prunes ``amount`` of each layer.

    Returns:
        ``model``, with ``weight_orig`` and ``weight_mask`` on every pruned layer.

    Raises:
        ValueError: ``amount`` outside [0, 1], an unknown ``scope``, or nothing to prune.
    """
    if not 0.0 <= amount <= 1.0:
        raise ValueError(f"amount must be in [0, 1], got {amount}")
    if scope not in ("global", "layer"):
        raise ValueError(f"scope must be 'global' or 'layer', got {scope!r}")
    pairs = [(module, "weight") for _, module in prunable_layers(model)]
    if not pairs:
        raise ValueError("the model has no Conv2d or Linear layer to prune")
    if scope == "global":
        prune.global_unstructured(pairs, pruning_method=prune.L1Unstructured, amount=amount)
    else:
        for module, name in pairs:
            prune.l1_unstructured(module, name, amount=amount)
    return model


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
    """A short fine-tune (Adam, cross-entropy, random mini-batches) that keeps the masks.

    Returns:
        The training loss of every step.
    """
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(steps):
        index = torch.randint(0, len(images), (min(batch_size, len(images)),), generator=generator)
        loss = F.cross_entropy(model(images[index]), labels[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    return losses


def make_permanent(model: nn.Module) -> nn.Module:
    """Bake every pruning mask into its weight (``prune.remove``), in place; returns ``model``."""
    for module in model.modules():
        for name in [n for n, _ in module.named_buffers(recurse=False) if n.endswith("_mask")]:
            prune.remove(module, name[: -len("_mask")])
    return model


@dataclass(frozen=True)
class SparsityReport:
    """Zero weights of the conv/linear layers.

    Attributes:
        layers: qualified layer name -> fraction of zero weights in that layer.
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
    """Sparsity of the ``weight`` of every conv/linear layer (masked or permanent)."""
    layers: dict[str, float] = {}
    zeros = total = 0
    for name, module in prunable_layers(model):
        weight = module.weight
        if hasattr(module, "weight_mask"):
            weight = module.weight_orig * module.weight_mask
        n_zero, n = int((weight == 0).sum()), weight.numel()
        layers[name] = n_zero / n
        zeros, total = zeros + n_zero, total + n
    return SparsityReport(layers=layers, zeros=zeros, total=total)
