"""The training loop of the reference system: epochs, clipping, best checkpoint, early stopping.

``fit`` alternates :func:`train_one_epoch` and :func:`evaluate`, keeps the weights of the epoch
with the lowest validation loss (in memory, and on disk when ``checkpoint_path`` is given), stops
after ``patience`` epochs without improvement, and finally loads the best weights back into the
model. Everything random is seeded from ``seed`` at the start of :func:`fit`.
"""

from __future__ import annotations

import copy
import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

__all__ = [
    "EpochRecord",
    "FitResult",
    "evaluate",
    "fit",
    "seed_everything",
    "train_one_epoch",
]

Batch = tuple[Tensor, Tensor]
LossFn = Callable[[Tensor, Tensor], Tensor]


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's global generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train_one_epoch(
    model: nn.Module,
    loader: Iterable[Batch],
    optimizer: torch.optim.Optimizer,
    loss_fn: LossFn,
    *,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    max_grad_norm: float | None = None,
) -> float:
    """One pass over ``loader`` in training mode; returns the sample-weighted mean loss.

    Each batch: forward, loss, ``zero_grad``, backward, gradient clipping to ``max_grad_norm``
    (total L2 norm, skipped when ``None``), optimiser step, then ``scheduler.step()`` (per batch).
    """
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if max_grad_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        total += loss.item() * len(targets)
        count += len(targets)
    if count == 0:
        raise ValueError("the training loader yielded no samples")
    return total / count


@torch.no_grad()
def evaluate(model: nn.Module, loader: Iterable[Batch], loss_fn: LossFn) -> tuple[float, float]:
    """``(mean loss, top-1 accuracy)`` over ``loader`` in eval mode, without gradients.

    Both are weighted by samples, so a short last batch counts for what it holds.
    """
    model.eval()
    total, correct, count = 0.0, 0, 0
    for inputs, targets in loader:
        logits = model(inputs)
        total += loss_fn(logits, targets).item() * len(targets)
        correct += (logits.argmax(dim=1) == targets).sum().item()
        count += len(targets)
    if count == 0:
        raise ValueError("the evaluation loader yielded no samples")
    return total / count, correct / count


@dataclass(frozen=True)
class EpochRecord:
    """What happened in one epoch (``epoch`` counts from 0)."""

    epoch: int
    train_loss: float
    val_loss: float
    val_accuracy: float
    lr: float
    elapsed_s: float


@dataclass
class FitResult:
    """The outcome of :func:`fit`.

    Attributes:
        history: One record per epoch that ran, in order.
        best_epoch: The epoch whose weights the model holds at the end.
        best_val_loss: Its validation loss.
        stopped_early: Whether early stopping ended training before ``epochs``.
    """

    history: list[EpochRecord] = field(default_factory=list)
    best_epoch: int = -1
    best_val_loss: float = math.inf
    stopped_early: bool = False


def fit(
    model: nn.Module,
    train_loader: Iterable[Batch],
    val_loader: Iterable[Batch],
    optimizer: torch.optim.Optimizer,
    loss_fn: LossFn,
    *,
    epochs: int,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    max_grad_norm: float | None = None,
    patience: int | None = None,
    min_delta: float = 0.0,
    checkpoint_path: str | Path | None = None,
    seed: int = 0,
    on_epoch_start: Callable[[int], None] | None = None,
    on_epoch_end: Callable[[EpochRecord], None] | None = None,
) -> FitResult:
    """Train for up to ``epochs`` epochs, keep the best, stop early; see the module docstring.

    An epoch improves when ``val_loss < best_val_loss - min_delta``; then its weights become the
    best (a ``copy.deepcopy`` of ``model.state_dict()``) and, if ``checkpoint_path`` is set,
    ``{"model": state_dict, "epoch": epoch, "val_loss": val_loss}`` is saved there with
    ``torch.save``. Training stops once ``patience`` consecutive epochs did not improve (never when
    ``patience`` is ``None``). ``on_epoch_start(epoch)`` runs before each epoch (e.g. to change
    the image size), ``on_epoch_end(record)`` after it (logging, progress bars).
    """
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    if patience is not None and patience < 1:
        raise ValueError(f"patience must be >= 1 or None, got {patience}")
    seed_everything(seed)
    result = FitResult()
    best_state: dict[str, Tensor] | None = None
    since_best = 0
    start = time.perf_counter()
    for epoch in range(epochs):
        if on_epoch_start is not None:
            on_epoch_start(epoch)
        train_loss = train_one_epoch(
            model,
            train_loader,
            optimizer,
            loss_fn,
            scheduler=scheduler,
            max_grad_norm=max_grad_norm,
        )
        val_loss, val_accuracy = evaluate(model, val_loader, loss_fn)
        record = EpochRecord(
            epoch=epoch,
            train_loss=train_loss,
            val_loss=val_loss,
            val_accuracy=val_accuracy,
            lr=optimizer.param_groups[0]["lr"],
            elapsed_s=time.perf_counter() - start,
        )
        result.history.append(record)
        if val_loss < result.best_val_loss - min_delta:
            result.best_epoch, result.best_val_loss = epoch, val_loss
            best_state = copy.deepcopy(model.state_dict())
            since_best = 0
            if checkpoint_path is not None:
                payload = {"model": best_state, "epoch": epoch, "val_loss": val_loss}
                torch.save(payload, checkpoint_path)
        else:
            since_best += 1
        if on_epoch_end is not None:
            on_epoch_end(record)
        if patience is not None and since_best >= patience:
            result.stopped_early = epoch < epochs - 1
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    return result
