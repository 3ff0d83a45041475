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

    Evaluate in eval mode [#eval-mode] without gradients [#no-grad], in batches of
    ``batch_size`` (the last one may be smaller) [#batches], and restore the model's mode
    afterwards. [#restore-mode]

    Args:
        model: A classifier returning logits ``(N, C)``.
        images: The inputs, ``(N, ...)``.
        labels: ``(N,)`` integer labels.
        batch_size: Evaluation batch size.

    Returns:
        ``{"acc": ..., "nll": ..., "ece": ...}`` as Python floats [#metric-keys]: top-1
        accuracy (ties: the first maximal logit, as ``argmax``), mean cross-entropy in nats
        (``F.cross_entropy``), and ECE with 15 equal-width bins of the softmax confidence.
        [#metrics]
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
        batch_size: Evaluation batch size, passed on to both evaluations. [#gap-batch-size]

    Returns:
        ``{"studio": {...}, "field": {...}, "gap": {...}}``, each with keys ``acc``, ``nll``,
        ``ece``. [#gap-keys] Every gap is positive when the field is worse: ``gap["acc"]`` is
        studio minus field accuracy, ``gap["nll"]`` and ``gap["ece"]`` are field minus studio.
        [#gap-signs]
    """
    # TODO: two calls of split_metrics.
    raise NotImplementedError


def adapt_batchnorm(model: nn.Module, batches: Iterable[Tensor | Sequence[Tensor]]) -> nn.Module:
    """AdaBN: replace every BatchNorm's running statistics by those of the target images.

    Steps, for every BatchNorm layer (``isinstance(m, nn.modules.batchnorm._BatchNorm)``: 1d,
    2d and 3d alike) [#all-batchnorms]:

    1. remember its ``momentum`` and every module's ``training`` flag;
    2. ``reset_running_stats()`` (statistics only: ``reset_parameters()`` would also reset the
       learned weight and bias) [#params-unchanged] and set ``momentum = None``, so that the
       running statistics become the cumulative average over all batches (not an exponential
       average that still remembers the studio) [#cumulative];
    3. put the model in eval mode and *only* the BN layers in training mode (dropout must stay
       off) [#bn-only-train], then run every batch forward under ``torch.no_grad()``
       [#adapt-no-grad];
    4. restore every momentum and every module's mode [#restore], in a ``finally`` block (also
       when a batch raises). [#restore-finally]

    The grader compares your statistics with torch's own BatchNorm run on the same batches, and
    checks that no parameter changed.

    Args:
        model: The model to adapt, in place.
        batches: Unlabelled target-domain batches: image tensors, or ``(images, labels)``
            tuples as a ``DataLoader`` yields (the labels are ignored: AdaBN needs none).
            [#labels-ignored] Any iterable, a one-pass generator included. [#iterable]

    Returns:
        ``model``, adapted in place. [#returns-model]

    Raises:
        ValueError: ``batches`` is empty; raise it before changing anything. [#empty]
    """
    # TODO: the four steps above.
    raise NotImplementedError
