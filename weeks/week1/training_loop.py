"""The training loop: train/evaluate epochs, gradient clipping, best checkpoint, early stopping.

You write the loop the rest of the course reuses (``rxvision train`` runs exactly this code in the
reference system). Three functions, in this order (the tests follow it):

1. ``train_one_epoch``: one pass over the training batches;
2. ``evaluate``: loss and accuracy on held-out batches, in eval mode and without gradients;
3. ``fit``: epochs of both, keeping the best weights and stopping early.

A "loader" is anything you can iterate over that yields ``(inputs, targets)`` batches: a
``torch.utils.data.DataLoader`` or a plain list of tuples. ``loss_fn(logits, targets)`` returns
the *mean* loss of a batch (like ``torch.nn.functional.cross_entropy``).

Given (do not change): ``seed_everything``, ``EpochRecord`` and ``FitResult``.
"""

from __future__ import annotations

import math
import random
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
    """Seed Python's, NumPy's and torch's global generators (given)."""
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
    """Train ``model`` for one pass over ``loader``; return the mean training loss.

    Put the model in training mode (dropout and batch-norm statistics on). [#train-mode] Then for
    each batch: forward, ``loss_fn``, clear the old gradients, backward, ``optimizer.step()``.
    [#zero-grad] Before the step, clip the gradients so that their total L2 norm is at most
    ``max_grad_norm`` (``torch.nn.utils.clip_grad_norm_``). [#clip] No clipping when ``None``.
    [#no-clip] Finally ``scheduler.step()`` if a scheduler is given: the scheduler is stepped once
    per *batch*, not per epoch. [#scheduler]

    Args:
        model: The network; it maps ``inputs`` to logits ``(B, C)``.
        loader: Iterable of ``(inputs, targets)`` batches; the last batch may be smaller.
        optimizer: Optimiser over ``model``'s parameters.
        loss_fn: ``loss_fn(logits, targets)`` -> scalar mean loss of the batch.
        scheduler: Learning-rate scheduler stepped after every optimiser step, or ``None``.
        max_grad_norm: Clip threshold of the total gradient norm, or ``None``.

    Returns:
        The mean loss over *samples*: ``sum(batch_loss * batch_size) / n_samples`` (so a short
        last batch weighs what it holds), as a Python float. [#train-loss] The grader compares
        it with its own computation.

    Raises:
        ValueError: If ``loader`` yields no samples. [#train-empty]
    """
    # TODO: model.train(), then the seven steps above for every batch.
    raise NotImplementedError


def evaluate(model: nn.Module, loader: Iterable[Batch], loss_fn: LossFn) -> tuple[float, float]:
    """Mean loss and top-1 accuracy of ``model`` over ``loader``.

    Run in eval mode (``model.eval()``: no dropout, batch norm uses its running statistics) and
    under ``torch.no_grad()``. [#eval-mode] Both numbers are weighted by samples, like in
    :func:`train_one_epoch`; the accuracy is the fraction of samples whose ``argmax`` logit is the
    target. [#eval-weighted]

    Returns:
        ``(mean_loss, accuracy)`` as Python floats, accuracy in ``[0, 1]``. [#eval-floats]

    Raises:
        ValueError: If ``loader`` yields no samples. [#eval-empty]
    """
    # TODO: model.eval(), torch.no_grad(), accumulate loss * batch size and correct predictions.
    raise NotImplementedError


@dataclass(frozen=True)
class EpochRecord:
    """What happened in one epoch (``epoch`` counts from 0). Given.

    ``lr`` is ``optimizer.param_groups[0]["lr"]`` at the end of the epoch, ``elapsed_s`` the
    seconds since ``fit`` started.
    """

    epoch: int
    train_loss: float
    val_loss: float
    val_accuracy: float
    lr: float
    elapsed_s: float


@dataclass
class FitResult:
    """The outcome of :func:`fit`. Given.

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
    """Train for up to ``epochs`` epochs, keep the best weights, stop early.

    1. ``seed_everything(seed)`` first, so that two calls with the same seed, model state and
       data (shuffling, dropout) give identical results. [#seed]
    2. For each epoch ``e`` (0-based): ``on_epoch_start(e)`` if given; ``train_one_epoch``;
       ``evaluate`` on ``val_loader``; append an :class:`EpochRecord` to the history. [#history]
       Its ``lr`` is read after the epoch's scheduler steps. [#record-lr]
    3. The epoch *improves* if ``val_loss < best_val_loss - min_delta``: an equal loss is not an
       improvement. [#improve] Then remember a copy of its weights
       (``copy.deepcopy(model.state_dict())``: the state dict holds references to live tensors),
       record it as the best, reset the count of epochs without improvement. [#best-copy] If
       ``checkpoint_path`` is given, ``torch.save({"model": state_dict, "epoch": e,
       "val_loss": val_loss}, checkpoint_path)``. Save *only* on improvement. [#checkpoint]
    4. Call ``on_epoch_end(record)`` if given, after the checkpoint is saved. [#on-epoch-end]
    5. Stop when ``patience`` consecutive epochs did not improve (with ``patience=2`` and
       validation losses ``1.0, 0.5, 0.6, 0.7, ...``, epochs 2 and 3 do not improve, so
       training stops after epoch 3). [#patience] ``patience=None`` never stops early.
       [#no-patience] ``stopped_early`` is true only if that happened before the last epoch.
       [#stopped-early]
    6. At the end, load the best weights back into ``model`` (not the last epoch's).
       [#restore-best]

    Args:
        model, optimizer, loss_fn, scheduler, max_grad_norm: As in :func:`train_one_epoch`.
        train_loader: Training batches (iterated once per epoch).
        val_loader: Validation batches.
        epochs: Maximum number of epochs (>= 1).
        patience: Epochs without improvement before stopping (>= 1), or ``None``.
        min_delta: Minimum decrease of the validation loss that counts as an improvement.
        checkpoint_path: File for the best checkpoint, or ``None``.
        seed: Seed of all random generators.
        on_epoch_start: Called with the epoch number before it trains.
        on_epoch_end: Called with each epoch's record.

    Returns:
        A :class:`FitResult`; the grader compares the model's final weights with the weights
        it had at the end of ``best_epoch`` and reads your checkpoint file.

    Raises:
        ValueError: If ``epochs < 1`` or ``patience < 1``, before any training. [#fit-args]
    """
    # TODO: the six steps above; time.perf_counter() gives elapsed_s.
    raise NotImplementedError
