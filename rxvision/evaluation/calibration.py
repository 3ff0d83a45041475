"""Calibration of classifier probabilities: metrics and temperature scaling.

A classifier is *calibrated* when, among the predictions made with confidence ``c``, a fraction
``c`` is correct. The metrics below bin the top-1 confidences into ``n_bins`` equal-width bins of
``[0, 1]`` (bin ``b`` holds ``edges[b] <= conf < edges[b + 1]``, and the last bin also holds
``conf == 1``), as in Guo et al., "On Calibration of Modern Neural Networks", ICML 2017,
https://arxiv.org/abs/1706.04599, and torchmetrics' ``MulticlassCalibrationError``:

- :func:`reliability_bins`: per bin, count, mean confidence and accuracy (a reliability diagram);
- :func:`expected_calibration_error` (ECE): ``sum_b (n_b / N) * |acc_b - conf_b|``;
- :func:`max_calibration_error` (MCE): ``max_b |acc_b - conf_b|`` over non-empty bins;
- :func:`brier_score`: mean squared distance between the probability vector and the one-hot label.

Temperature scaling (section 4.2 of the paper) divides the logits by one scalar ``T > 0`` fitted on
held-out data by minimising the negative log-likelihood: :func:`fit_temperature` and
:class:`TemperatureScaler`. It changes confidence, never the argmax.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = [
    "ReliabilityBins",
    "TemperatureScaler",
    "brier_score",
    "expected_calibration_error",
    "fit_temperature",
    "max_calibration_error",
    "reliability_bins",
]


class ReliabilityBins(NamedTuple):
    """Reliability-diagram data of ``n_bins`` equal-width confidence bins.

    Attributes:
        edges: ``(n_bins + 1,)`` bin edges, ``torch.linspace(0, 1, n_bins + 1)``.
        counts: ``(n_bins,)`` int64, the number of samples in each bin.
        confidence: ``(n_bins,)`` mean top-1 confidence of each bin (0 for an empty bin).
        accuracy: ``(n_bins,)`` fraction of correct top-1 predictions of each bin (0 if empty).
    """

    edges: Tensor
    counts: Tensor
    confidence: Tensor
    accuracy: Tensor


def _check(probs: Tensor, labels: Tensor) -> None:
    if probs.ndim != 2:
        raise ValueError(f"probs must have shape (N, C), got {tuple(probs.shape)}")
    if labels.ndim != 1 or labels.shape[0] != probs.shape[0]:
        raise ValueError(
            f"labels must have shape ({probs.shape[0]},) to match probs {tuple(probs.shape)}, "
            f"got {tuple(labels.shape)}"
        )
    if probs.shape[0] == 0:
        raise ValueError("probs is empty: calibration needs at least one sample")


def reliability_bins(probs: Tensor, labels: Tensor, n_bins: int = 15) -> ReliabilityBins:
    """Bin top-1 confidences into ``n_bins`` equal-width bins; see the module docstring."""
    _check(probs, labels)
    if n_bins < 1:
        raise ValueError(f"n_bins must be >= 1, got {n_bins}")
    probs = probs.detach()
    if not probs.is_floating_point():
        probs = probs.double()
    conf, pred = probs.max(dim=1)
    correct = (pred == labels.to(pred.device)).double()
    # edges in the dtype of probs, so that a confidence of exactly 0.9 lands where it looks
    edges = torch.linspace(0, 1, n_bins + 1, dtype=probs.dtype, device=probs.device)
    index = torch.bucketize(conf, edges[1:-1], right=True)  # conf == 1 lands in the last bin
    conf = conf.double()
    counts = torch.bincount(index, minlength=n_bins)
    total_conf = torch.zeros(n_bins, dtype=torch.float64, device=probs.device)
    total_acc = torch.zeros_like(total_conf)
    total_conf.index_add_(0, index, conf)
    total_acc.index_add_(0, index, correct)
    denom = counts.clamp(min=1).double()
    return ReliabilityBins(edges, counts, total_conf / denom, total_acc / denom)


def expected_calibration_error(probs: Tensor, labels: Tensor, n_bins: int = 15) -> float:
    """ECE: the count-weighted mean gap ``|accuracy - confidence|`` over the bins.

    Args:
        probs: ``(N, C)`` probabilities (rows sum to 1).
        labels: ``(N,)`` integer class labels.
        n_bins: Number of equal-width confidence bins.

    Returns:
        The ECE in ``[0, 1]``.
    """
    bins = reliability_bins(probs, labels, n_bins)
    weights = bins.counts.double() / bins.counts.sum()
    return float((weights * (bins.accuracy - bins.confidence).abs()).sum())


def max_calibration_error(probs: Tensor, labels: Tensor, n_bins: int = 15) -> float:
    """MCE: the largest gap ``|accuracy - confidence|`` over the non-empty bins."""
    bins = reliability_bins(probs, labels, n_bins)
    gaps = (bins.accuracy - bins.confidence).abs()[bins.counts > 0]
    return float(gaps.max())


def brier_score(probs: Tensor, labels: Tensor) -> float:
    """Multiclass Brier score: mean over samples of ``sum_c (probs[c] - onehot(label)[c]) ** 2``.

    Returns:
        A value in ``[0, 2]``: 0 for confident correct predictions, 2 for confident wrong ones.
    """
    _check(probs, labels)
    probs = probs.detach().double()
    onehot = F.one_hot(labels.long().to(probs.device), probs.shape[1]).double()
    return float(((probs - onehot) ** 2).sum(dim=1).mean())


def fit_temperature(logits: Tensor, labels: Tensor, max_iter: int = 100) -> float:
    """The temperature ``T > 0`` minimising the NLL of ``softmax(logits / T)`` on held-out data.

    Optimises ``log T`` (so ``T`` stays positive) with L-BFGS, in float64, from ``T = 1``.

    Args:
        logits: ``(N, C)`` validation logits (never the test split: that is what you report on).
        labels: ``(N,)`` validation labels.
        max_iter: L-BFGS iterations.

    Returns:
        The fitted temperature; ``> 1`` softens an over-confident model, ``< 1`` sharpens.
    """
    _check(logits, labels)
    logits = logits.detach().double()
    labels = labels.long().to(logits.device)
    log_t = torch.zeros((), dtype=torch.float64, device=logits.device, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=1.0, max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure() -> Tensor:
        optimizer.zero_grad()
        loss = F.cross_entropy(logits / log_t.exp(), labels)
        loss.backward()
        return loss

    with torch.enable_grad():
        optimizer.step(closure)
    return float(log_t.detach().exp())


class TemperatureScaler(nn.Module):
    """Divide logits by a fitted temperature: ``forward(x) = model(x) / T``.

    Without a model it scales the logits it is given: ``TemperatureScaler()(logits)``.

    Args:
        model: The classifier to wrap, or ``None`` to apply the scaling to logits directly.
        temperature: Initial temperature (positive); :meth:`fit` replaces it.

    Attributes:
        temperature: A 0-dim float buffer (saved in the state dict).
    """

    temperature: Tensor

    def __init__(self, model: nn.Module | None = None, temperature: float = 1.0) -> None:
        super().__init__()
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        self.model = model
        self.register_buffer("temperature", torch.tensor(float(temperature)))

    def fit(self, logits: Tensor, labels: Tensor, max_iter: int = 100) -> TemperatureScaler:
        """Fit the temperature on validation ``logits`` (of the wrapped model) and ``labels``.

        Returns:
            ``self``, so that ``TemperatureScaler(model).fit(val_logits, val_labels)`` chains.
        """
        self.temperature.fill_(fit_temperature(logits, labels, max_iter=max_iter))
        return self

    def forward(self, x: Tensor) -> Tensor:
        logits = x if self.model is None else self.model(x)
        return logits / self.temperature.to(logits.dtype)

    def extra_repr(self) -> str:
        return f"temperature={float(self.temperature):.4f}"
