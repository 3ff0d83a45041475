"""Studio-to-field domain shift: measure the gap, then adapt BatchNorm (AdaBN).

A model trained on clean studio photos meets phone photos in the field: textured tables, clutter,
glare, colour casts, blur. Accuracy drops and calibration gets worse. One cheap, label-free fix:
every BatchNorm layer normalises with the *studio* running mean and variance of its inputs, which
no longer fit the field activations. AdaBN (Li et al., 2016, https://arxiv.org/abs/1603.04779)
re-estimates those statistics on unlabelled field images and changes nothing else.

You write :func:`split_metrics`, :func:`domain_gap` and :func:`adapt_batchnorm`. Use
``expected_calibration_error`` from your ``week1.calibration_metrics`` (or its formula) for ECE.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from torch import Tensor, nn

__all__ = ["adapt_batchnorm", "domain_gap", "split_metrics"]


def split_metrics(
    model: nn.Module, images: Tensor, labels: Tensor, batch_size: int = 256
) -> dict[str, float]:
    """Accuracy, NLL and ECE of ``model`` on one split.

    Evaluate in eval mode without gradients, in batches of ``batch_size``, and restore the
    model's mode afterwards.

    Args:
        model: A classifier returning logits ``(N, C)``.
        images: The inputs, ``(N, ...)``.
        labels: ``(N,)`` integer labels.
        batch_size: Evaluation batch size.

    Returns:
        ``{"acc": ..., "nll": ..., "ece": ...}`` as Python floats: top-1 accuracy, mean
        cross-entropy in nats (``F.cross_entropy``), and ECE with 15 equal-width bins.
    """
    # TODO: concatenate the logits of all batches, then the three metrics.
    raise NotImplementedError


def domain_gap(
    model: nn.Module,
    studio: tuple[Tensor, Tensor],
    field: tuple[Tensor, Tensor],
    batch_size: int = 256,
) -> dict[str, dict[str, float]]:
    """:func:`split_metrics` on both domains, and the gap between them.

    Args:
        model: The classifier.
        studio: ``(images, labels)`` of the source domain (what the model was trained on).
        field: ``(images, labels)`` of the target domain.
        batch_size: Evaluation batch size.

    Returns:
        ``{"studio": {...}, "field": {...}, "gap": {...}}``, each with keys ``acc``, ``nll``,
        ``ece``. Every gap is positive when the field is worse: ``gap["acc"]`` is studio minus
        field accuracy, ``gap["nll"]`` and ``gap["ece"]`` are field minus studio.
    """
    # TODO: two calls of split_metrics.
    raise NotImplementedError


def adapt_batchnorm(model: nn.Module, batches: Iterable[Tensor | Sequence[Tensor]]) -> nn.Module:
    """AdaBN: replace every BatchNorm's running statistics by those of the target images.

    Steps, for every BatchNorm layer (``isinstance(m, nn.modules.batchnorm._BatchNorm)``):

    1. remember its ``momentum`` and every module's ``training`` flag;
    2. ``reset_running_stats()`` (statistics only: ``reset_parameters()`` would also reset the
       learned weight and bias) and set ``momentum = None``, so that the running statistics
       become the cumulative average over all batches (not an exponential average that still
       remembers the studio);
    3. put the model in eval mode and *only* the BN layers in training mode (dropout must stay
       off), then run every batch forward under ``torch.no_grad()``;
    4. restore every momentum and every module's mode, in a ``finally`` block.

    The grader compares your statistics with torch's own BatchNorm run on the same batches, and
    checks that no parameter changed.

    Args:
        model: The model to adapt, in place.
        batches: Unlabelled target-domain batches: image tensors, or ``(images, labels)``
            tuples as a ``DataLoader`` yields (the labels are ignored: AdaBN needs none).

    Returns:
        ``model``.

    Raises:
        ValueError: ``batches`` is empty; raise it before changing anything.
    """
    # TODO: the four steps above.
    raise NotImplementedError
