"""Domain shift: measure the studio-to-field gap, and narrow it with AdaBN.

A model trained on studio photos meets phone photos in the field: other backgrounds, light,
blur and clutter. Its BatchNorm layers normalise with the *studio* activation statistics, which no
longer fit. AdaBN (Li et al., "Revisiting Batch Normalization For Practical Domain Adaptation",
2016, https://arxiv.org/abs/1603.04779) re-estimates only those running statistics on unlabelled
target-domain images; no weight changes and no label is needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.modules.batchnorm import _BatchNorm

from rxvision.evaluation.calibration import expected_calibration_error

__all__ = ["adapt_batchnorm", "domain_gap", "split_metrics"]


@torch.no_grad()
def split_metrics(
    model: nn.Module, images: Tensor, labels: Tensor, batch_size: int = 256
) -> dict[str, float]:
    """Accuracy, NLL (mean cross-entropy, nats) and ECE (15 bins) of ``model`` on one split.

    The model is evaluated in eval mode; its mode is restored afterwards.
    """
    was_training = model.training
    model.eval()
    try:
        logits = torch.cat(
            [model(images[i : i + batch_size]) for i in range(0, len(images), batch_size)]
        )
    finally:
        model.train(was_training)
    logits, labels = logits.double(), labels.long()
    return {
        "acc": float((logits.argmax(dim=1) == labels).double().mean()),
        "nll": float(F.cross_entropy(logits, labels)),
        "ece": expected_calibration_error(logits.softmax(dim=1), labels),
    }


def domain_gap(
    model: nn.Module,
    studio: tuple[Tensor, Tensor],
    field: tuple[Tensor, Tensor],
    batch_size: int = 256,
) -> dict[str, dict[str, float]]:
    """:func:`split_metrics` on both domains and the gap between them.

    Args:
        model: The classifier.
        studio: ``(images, labels)`` of the source domain.
        field: ``(images, labels)`` of the target domain.
        batch_size: Evaluation batch size.

    Returns:
        ``{"studio": {...}, "field": {...}, "gap": {...}}`` with keys ``acc``, ``nll``, ``ece``;
        each gap is positive when the field is worse: ``acc`` studio minus field, ``nll`` and
        ``ece`` field minus studio.
    """
    s = split_metrics(model, *studio, batch_size=batch_size)
    f = split_metrics(model, *field, batch_size=batch_size)
    gap = {"acc": s["acc"] - f["acc"], "nll": f["nll"] - s["nll"], "ece": f["ece"] - s["ece"]}
    return {"studio": s, "field": f, "gap": gap}


def _images(batch: Tensor | Sequence[Tensor]) -> Tensor:
    return batch if isinstance(batch, Tensor) else batch[0]


@torch.no_grad()
def adapt_batchnorm(model: nn.Module, batches: Iterable[Tensor | Sequence[Tensor]]) -> nn.Module:
    """AdaBN: replace every BatchNorm's running statistics by those of the target images.

    Each BN layer's statistics are reset and re-estimated as a cumulative average
    (``momentum=None``) over ``batches``, with only the BN layers in training mode (dropout
    stays off). Weights and biases are untouched; momentum and every module's mode are restored.

    Args:
        model: The model to adapt, in place.
        batches: Unlabelled target-domain batches: image tensors, or ``(images, ...)`` tuples
            (as a ``DataLoader`` yields) whose other items (labels) are ignored.

    Returns:
        ``model``.

    Raises:
        ValueError: ``batches`` is empty (checked before anything changes).
    """
    iterator = iter(batches)
    first = next(iterator, None)
    if first is None:
        raise ValueError("adapt_batchnorm needs at least one batch of target-domain images")
    norms = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    modes = {m: m.training for m in model.modules()}
    momenta = {m: m.momentum for m in norms}
    try:
        model.eval()
        for bn in norms:
            bn.reset_running_stats()
            bn.momentum = None
            bn.train()
        model(_images(first))
        for batch in iterator:
            model(_images(batch))
    finally:
        for bn, momentum in momenta.items():
            bn.momentum = momentum
        for module, training in modes.items():
            module.training = training
    return model
