"""MixUp and CutMix: mix pairs of images in a batch and mix their labels the same way.

- MixUp (Zhang et al., ICLR 2018, https://arxiv.org/abs/1710.09412) blends two whole images:
  ``lam * x_i + (1 - lam) * x_j``.
- CutMix (Yun et al., ICCV 2019, https://arxiv.org/abs/1905.04899) pastes a rectangle of
  ``x_j`` into ``x_i``.

In both, the target becomes a *soft* label, ``lam * onehot(y_i) + (1 - lam) * onehot(y_j)``,
where ``lam`` is the share of image ``i`` in the mixed image, and the loss is cross-entropy with
soft targets. The partner ``j = perm[i]`` comes from a random permutation of the batch, and
``lam`` from ``Beta(alpha, alpha)``. ``torchvision.transforms.v2.MixUp`` and ``CutMix`` do the
same (they pair each sample with its neighbour, ``x.roll(1, 0)``, instead of a permutation).

Randomness: every function takes ``rng``, a ``numpy.random.Generator``
(``np.random.default_rng(seed)``), and draws from it in a fixed order, so that the grader can
reproduce your batch from the same seed: [#draw-order]

1. ``lam = sample_lambda(alpha, rng)`` (one ``rng.beta`` call);
2. ``perm = rng.permutation(N)``;
3. CutMix only: the box centre, inside ``rand_box``: ``rng.integers(H)`` then ``rng.integers(W)``.

Do not draw anything else from ``rng``. [#no-extra-draws] With ``rng=None`` use
``np.random.default_rng()``. [#rng-none]

Shapes: ``images`` is ``(N, C, H, W)`` float (any number of channels, ``H != W`` allowed),
``labels`` is ``(N,)`` int64; soft targets are ``(N, num_classes)`` with the dtype of
``images``, each row summing to 1. [#targets-shape]
"""

from __future__ import annotations

import numpy as np
from torch import Tensor

__all__ = ["cutmix", "mixup", "rand_box", "sample_lambda", "soft_target_cross_entropy"]


def sample_lambda(alpha: float, rng: np.random.Generator) -> float:
    """Draw the mixing weight ``lam ~ Beta(alpha, alpha)``: exactly one ``rng.beta(alpha, alpha)``.
    [#one-beta]

    Small ``alpha`` (0.2, MixUp's usual value) puts ``lam`` near 0 or 1 (mostly one image);
    ``alpha = 1`` (CutMix's usual value) is uniform on ``[0, 1]``. The grader checks your draws
    against ``scipy.stats.beta`` with a Kolmogorov-Smirnov test.

    Returns:
        ``lam`` as a Python float in ``[0, 1]``. [#lam-float]

    Raises:
        ValueError: unless ``alpha > 0`` (also for NaN); ``mixup`` and ``cutmix`` raise it too.
            [#alpha-positive]
    """
    # TODO
    raise NotImplementedError


def mixup(
    images: Tensor,
    labels: Tensor,
    num_classes: int,
    alpha: float = 0.2,
    rng: np.random.Generator | None = None,
) -> tuple[Tensor, Tensor]:
    """MixUp a batch: blend each image with a partner and mix the labels with the same weight.

    Draw ``lam`` (``sample_lambda``), then ``perm = rng.permutation(N)``, and return:

    - ``mixed = lam * images + (1 - lam) * images[perm]``; [#mixup-images]
    - ``targets = lam * onehot(labels) + (1 - lam) * onehot(labels[perm])``
      (``F.one_hot(labels, num_classes)``, cast to the images' dtype). [#mixup-targets]

    Do not modify ``images`` in place. [#mixup-copy]

    Returns:
        ``(mixed, targets)``: ``(N, C, H, W)`` and ``(N, num_classes)``.

    Raises:
        ValueError: if ``images`` is not 4-D or ``labels`` is not ``(N,)``. [#mixup-checks]
    """
    # TODO: the two draws in order, then the two blends.
    raise NotImplementedError


def rand_box(
    height: int, width: int, lam: float, rng: np.random.Generator
) -> tuple[int, int, int, int]:
    """The CutMix rectangle for a mixing weight ``lam``, as ``(y1, y2, x1, x2)``.

    The box should cover about ``1 - lam`` of the image, so each side shrinks by
    ``sqrt(1 - lam)`` (as timm's ``rand_bbox``):

    - ``cut_h = int(height * sqrt(1 - lam))`` and ``cut_w = int(width * sqrt(1 - lam))``
      (rows go with ``height``, columns with ``width``: images need not be square); [#box-size]
    - the centre: ``cy = rng.integers(height)`` first, then ``cx = rng.integers(width)``;
      [#box-centre]
    - ``y1, y2 = cy - cut_h // 2, cy + cut_h // 2`` and ``x1, x2 = cx - cut_w // 2,
      cx + cut_w // 2``, each clipped to ``[0, height]`` or ``[0, width]``. [#box-clip]

    Near a border the box is cut off, so the pasted area can be much smaller than
    ``(1 - lam) * height * width``: that is why ``cutmix`` recomputes ``lam``.

    Returns:
        ``(y1, y2, x1, x2)`` Python ints; the box is ``image[..., y1:y2, x1:x2]``. [#box-ints]
    """
    # TODO: sizes, centre (two draws), clip.
    raise NotImplementedError


def cutmix(
    images: Tensor,
    labels: Tensor,
    num_classes: int,
    alpha: float = 1.0,
    rng: np.random.Generator | None = None,
) -> tuple[Tensor, Tensor]:
    """CutMix a batch: paste a box of each partner image and weight the labels by its area.

    Draw ``lam`` (``sample_lambda``), then ``perm = rng.permutation(N)``, then the box
    ``(y1, y2, x1, x2) = rand_box(H, W, lam, rng)``. Return:

    - ``mixed``: a copy of ``images`` whose ``[:, :, y1:y2, x1:x2]`` comes from
      ``images[perm]`` (the same box for the whole batch); [#cutmix-paste] ``images`` itself is
      not modified; [#cutmix-copy]
    - ``targets = lam_real * onehot(labels) + (1 - lam_real) * onehot(labels[perm])`` with the
      **corrected** weight ``lam_real = 1 - (y2 - y1) * (x2 - x1) / (H * W)``: the share of
      pixels that really stayed from image ``i`` after the box was clipped (as
      ``torchvision.transforms.v2.CutMix``'s ``lam_adjusted``). Using the drawn ``lam`` makes
      the labels lie whenever the box hits a border. [#cutmix-targets]

    Returns:
        ``(mixed, targets)``: ``(N, C, H, W)`` and ``(N, num_classes)``.

    Raises:
        ValueError: if ``images`` is not 4-D or ``labels`` is not ``(N,)``. [#cutmix-checks]
    """
    # TODO: three draws in order, paste, corrected lam, soft targets.
    raise NotImplementedError


def soft_target_cross_entropy(logits: Tensor, targets: Tensor) -> Tensor:
    """Cross-entropy with soft targets: ``(-targets * log_softmax(logits, -1)).sum(-1).mean()``.
    [#soft-ce]

    With one-hot targets it equals ``F.cross_entropy(logits, labels)``; with soft targets it
    equals ``F.cross_entropy(logits, targets)`` (PyTorch accepts class probabilities too).
    It stays finite for logits of a few hundred, and gradients flow to ``logits``.
    [#soft-ce-stable]

    Args:
        logits: ``(N, K)``.
        targets: ``(N, K)`` rows of probabilities.

    Returns:
        The mean loss over the batch, a scalar (0-d tensor). [#soft-ce-mean]
    """
    # TODO: one line.
    raise NotImplementedError
