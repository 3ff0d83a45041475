"""Capstone: your EfficientNet and your ViT, interchangeable with timm, trained by your loop.

This module only wires together what you already wrote this week:

- ``week1.efficientnet``: your ``efficientnet_b0``;
- ``week1.vit``: your ``vit_tiny_patch16_224``;
- ``week1.training_loop``: your ``fit``.

Run their own tests first (``rxgrade check week1 vit`` and so on): a failure here should be an
integration mistake, not a bug inside one piece. Always call the pieces through the module
objects imported below (``vit.vit_tiny_patch16_224``, ``training_loop.fit``, ...): the grader
checks that the models come from YOUR modules and that training goes through YOUR ``fit``.
[#your-pieces]

You write, in this order (the tests follow it):

1. ``build_model``: one entry point for both architectures;
2. ``make_loader``: uint8 photos to normalised batches;
3. ``train_model``: an optimiser and your ``fit``.

Given (do not change): ``ARCHS``, ``MEAN`` and ``STD``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch  # noqa: F401 (you will need torch.from_numpy)
from torch import Tensor, nn

from weeks.week1 import efficientnet, training_loop, vit  # noqa: F401

__all__ = ["ARCHS", "MEAN", "STD", "build_model", "make_loader", "train_model"]

ARCHS: tuple[str, ...] = ("efficientnet_b0", "vit_tiny_patch16_224")
MEAN: tuple[float, float, float] = (0.485, 0.456, 0.406)
STD: tuple[float, float, float] = (0.229, 0.224, 0.225)


def build_model(arch: str, num_classes: int, img_size: int, **kwargs: Any) -> nn.Module:
    """Build YOUR model for ``arch`` with ``num_classes`` outputs for ``img_size``-px images.

    - ``"efficientnet_b0"``: ``efficientnet.efficientnet_b0(num_classes=num_classes,
      **kwargs)``; [#efficientnet] a CNN with global pooling accepts any size, but the stride-32
      stem and stages need ``img_size`` to be a multiple of 32: raise ``ValueError`` otherwise.
      [#efficientnet-size]
    - ``"vit_tiny_patch16_224"``: ``vit.vit_tiny_patch16_224(num_classes=num_classes,
      img_size=img_size, **kwargs)``. The ViT's position embedding is built for ONE grid of
      patches, so ``img_size`` must be passed through (any size the patches tile, not only
      multiples of 32); [#vit] ``kwargs`` (``patch_size``, ``depth``, ``embed_dim``,
      ``num_heads``, ...) override the ViT-Ti defaults exactly like they do in
      ``timm.create_model``. [#vit-kwargs]

    Args:
        arch: one of ``ARCHS``.
        num_classes: classifier outputs.
        img_size: side of the square input images.
        **kwargs: architecture overrides passed to the constructor.

    Returns:
        The model (its class comes from your ``week1.efficientnet`` or ``week1.vit`` module).
        [#your-pieces] The grader loads the state dict of ``timm.create_model(arch,
        pretrained=False, num_classes=num_classes, **kwargs)`` (plus ``img_size`` for the ViT)
        into it with ``strict=True`` and compares the outputs at ``img_size`` (to 1e-5, eval
        mode). [#timm-parity]

    Raises:
        ValueError: an ``arch`` not in ``ARCHS``, matched exactly (the message names the
            accepted ones), [#unknown-arch] or an EfficientNet ``img_size`` that is not a
            multiple of 32. [#efficientnet-size]
    """
    # TODO: dispatch on arch.
    raise NotImplementedError


def make_loader(
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int = 0,
) -> list[tuple[Tensor, Tensor]]:
    """Turn uint8 photos into a list of normalised ``(inputs, targets)`` batches.

    1. ``inputs``: ``(N, H, W, 3)`` uint8 -> float32 ``(N, 3, H, W)``, divided by 255, then
       ``(x - MEAN[c]) / STD[c]`` per channel ``c``; ``targets``: int64 ``(N,)``; [#normalise]
    2. when ``shuffle`` is true, reorder images AND labels with the same permutation
       ``np.random.default_rng(seed).permutation(N)`` (so that every image keeps its label);
       [#shuffle] otherwise keep the order; [#keep-order]
    3. cut into consecutive batches of ``batch_size`` (the last one may be smaller). [#batches]

    Args:
        images: uint8 ``(N, H, W, 3)`` photos (``rxvision.data.generate`` output).
        labels: ``(N,)`` integer class indices.
        batch_size: samples per batch (``>= 1``, else ``ValueError``). [#batch-size]
        shuffle: shuffle once with ``seed``.
        seed: seed of the permutation.

    Returns:
        A list of ``(float32 (B, 3, H, W), int64 (B,))`` tuples covering every sample once (no
        samples: an empty list). [#batches] The grader compares every image with its own
        normalisation and checks its label.

    Raises:
        ValueError: ``batch_size < 1`` [#batch-size] or ``images`` and ``labels`` of different
            lengths. [#lengths]
    """
    # TODO: normalise, permute both together, slice.
    raise NotImplementedError


def train_model(
    model: nn.Module,
    train_data: tuple[np.ndarray, np.ndarray],
    val_data: tuple[np.ndarray, np.ndarray],
    *,
    epochs: int,
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
) -> Any:
    """Train ``model`` with YOUR ``training_loop.fit`` and return its ``FitResult``.

    1. ``torch.manual_seed(seed)``; [#seed]
    2. the training batches: ``make_loader(*train_data, batch_size, shuffle=True, seed=seed)``;
       the validation batches: ``make_loader(*val_data, batch_size)`` (not shuffled); [#loaders]
    3. ``torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.05)``; [#adamw]
    4. ``training_loop.fit(model, train_batches, val_batches, optimizer,
       torch.nn.functional.cross_entropy, epochs=epochs, seed=seed)``, nothing else passed (the
       other arguments of ``fit`` keep their defaults). [#fit-call]

    Args:
        model: a classifier from :func:`build_model`.
        train_data: ``(images, labels)`` to train on (uint8 photos).
        val_data: ``(images, labels)`` to validate on.
        epochs: number of epochs.
        batch_size: samples per batch.
        lr: AdamW learning rate.
        seed: seed of the shuffling and of ``fit``.

    Returns:
        The ``FitResult`` of your ``fit`` (the model holds the best epoch's weights). [#result]
        The grader trains a small ViT for 8 epochs on synthetic 32-px studio pills and requires
        the validation loss to fall by at least 0.5 and the validation accuracy to reach 20%
        (chance is 1/26). [#learns]
    """
    # TODO: steps 1-4.
    raise NotImplementedError
