"""Capstone: a modern transfer-learning recipe, assembled from YOUR week-1 pieces.

This module only wires together what you already wrote this week:

- ``week1.transfer_learning``: ``replace_classifier``, ``freeze_backbone``, ``param_groups``;
- ``week1.optim_schedule``: ``warmup_cosine_scheduler``;
- ``week1.progressive_resizing``: ``resize_schedule``;
- ``week1.augmentation``: ``train_transforms``;
- ``week1.training_loop``: ``train_one_epoch``.

Run their own tests first: a failure here should be an integration mistake, not a bug inside
one piece. Always call the pieces through the module objects imported below
(``transfer_learning.freeze_backbone``, ``progressive_resizing.resize_schedule``, ...): the
grader spies on some of them. [#your-pieces]

You write, in this order (the tests follow it):

1. ``prepare_model``: new head, frozen backbone (frozen BatchNorm included);
2. ``make_optimizer``: discriminative learning rates with warm-up and cosine decay;
3. ``finetune``: progressive resizing and augmentation, one epoch at a time.
"""

from __future__ import annotations

import numpy as np
import torch  # noqa: F401 (you will need torch.stack)
from torch import nn

from weeks.week1 import (  # noqa: F401
    augmentation,
    optim_schedule,
    progressive_resizing,
    training_loop,
    transfer_learning,
)

__all__ = ["finetune", "make_optimizer", "prepare_model"]


def prepare_model(model: nn.Module, num_classes: int, *, unfreeze_last: int = 1) -> nn.Module:
    """Re-head and freeze a pre-trained ``model`` for fine-tuning, in place.

    1. ``transfer_learning.replace_classifier(model, num_classes)``: a fresh trainable head;
       [#new-head]
    2. ``transfer_learning.freeze_backbone(model, unfreeze_last)``: only the last
       ``unfreeze_last`` stages (and the head) train; [#freeze] frozen BatchNorm layers keep
       their running statistics even after ``model.train()``. [#frozen-bn]

    Returns:
        ``model``, changed in place. [#in-place] The grader checks the head's size, which
        parameters require gradients, and that a frozen BatchNorm stays in eval mode after
        ``model.train()``.
    """
    # TODO: replace the head first, then freeze (the freeze must see the final model).
    raise NotImplementedError


def make_optimizer(
    model: nn.Module,
    *,
    lr: float,
    backbone_lr_scale: float = 0.1,
    warmup_steps: int,
    total_steps: int,
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """AdamW over discriminative parameter groups, with a warm-up cosine schedule.

    1. ``torch.optim.AdamW(transfer_learning.param_groups(model, lr, backbone_lr_scale),
       weight_decay=0.05)``: [#adamw] the head at ``lr``, the unfrozen backbone at
       ``lr * backbone_lr_scale``, frozen parameters in no group; [#groups]
    2. ``optim_schedule.warmup_cosine_scheduler(optimizer, warmup_steps, total_steps)``.
       [#schedule]

    Returns:
        ``(optimizer, scheduler)``. [#returns-pair] Right after construction each group's
        ``lr`` is its base learning rate times ``1 / warmup_steps`` (the first warm-up step);
        [#first-lr] the grader reads the groups' ``"name"`` and ``"lr"``. [#group-names]
    """
    # TODO: the optimizer, then the scheduler.
    raise NotImplementedError


def finetune(
    model: nn.Module,
    images: np.ndarray,
    labels: np.ndarray,
    *,
    epochs: int,
    batch_size: int = 32,
    lr: float = 3e-3,
    min_size: int = 24,
    max_size: int = 32,
    seed: int = 0,
) -> list[int]:
    """Fine-tune a prepared ``model`` with progressive resizing and augmentation.

    ``torch.manual_seed(seed)``, [#seed] then ``steps = ceil(N / batch_size)`` per epoch and
    ``make_optimizer(model, lr=lr, warmup_steps=steps, total_steps=epochs * steps)``.
    [#optimizer] For each epoch ``e``:

    1. ``size = progressive_resizing.resize_schedule(e, epochs, min_size=min_size,
       max_size=max_size)``; [#sizes]
    2. ``transform = augmentation.train_transforms(size)``, applied to every uint8 photo
       ``(H, W, 3)`` of ``images`` (a fresh random augmentation each epoch), stacked into
       ``(N, 3, size, size)``; [#augment]
    3. batches of ``batch_size`` in a random order (``torch.randperm(N)``), images and labels
       permuted together; [#batches]
    4. ``training_loop.train_one_epoch(model, batches, optimizer,
       torch.nn.functional.cross_entropy, scheduler=scheduler)`` (its other arguments keep
       their defaults). [#train-one-epoch]

    Returns:
        The list of the sizes used, one per epoch (the grader compares it with
        ``resize_schedule`` and checks that your ``train_transforms`` was called with them),
        e.g. ``[24, 24, 32]`` for 3 epochs from 24 to 32 px. [#returns-sizes] After a few epochs
        on field photos the model must classify held-out field photos clearly better than
        before: the grader fine-tunes for 4 epochs from 24 to 32 px and requires at least 9%
        top-1 on held-out field photos (chance is 4%). [#improves]
    """
    # TODO: the optimizer, then the epochs.
    raise NotImplementedError
