"""Calibration metrics: reliability-diagram bins, ECE, MCE and the Brier score.

A classifier is *calibrated* when its confidence means what it says: of all the pills it labels
with 80% confidence, 80% should be right. A pharmacist deciding whether to double-check a
prediction needs exactly that. Paper: Guo et al., "On Calibration of Modern Neural Networks",
ICML 2017, https://arxiv.org/abs/1706.04599 (section 2).

Conventions for every function below:

- ``probs`` is an ``(N, C)`` tensor of probabilities (each row sums to 1), ``labels`` an ``(N,)``
  integer tensor. The *confidence* of a sample is its largest probability, the *prediction* its
  argmax, and the sample is *correct* when ``prediction == label``. [#confidence] When several
  classes share the largest probability, the prediction is the first of them (what
  ``probs.max(dim=1)`` and ``probs.argmax(dim=1)`` return). [#ties]
- Bins: ``n_bins`` equal-width bins with ``edges = torch.linspace(0, 1, n_bins + 1)``. Bin ``b``
  holds the samples with ``edges[b] <= confidence < edges[b + 1]``; [#bins] the last bin also
  holds ``confidence == 1.0`` (it must never be dropped). [#last-bin] The edges have the dtype
  of ``probs`` (``torch.linspace(0, 1, n_bins + 1, dtype=probs.dtype)``), so a confidence of
  exactly ``0.9`` lands where it looks. [#edges] This is torchmetrics' convention, which the
  grader compares with.
- Raise ``ValueError`` when ``probs`` is not 2-D, when ``labels`` is not 1-D with ``N`` entries,
  or when ``N == 0``. [#validation]

You write, in this order: :func:`reliability_bins`, then :func:`expected_calibration_error` and
:func:`max_calibration_error` on top of it, then :func:`brier_score`. ``ReliabilityBins`` is
given.
"""

from __future__ import annotations

from typing import NamedTuple

from torch import Tensor

__all__ = [
    "ReliabilityBins",
    "brier_score",
    "expected_calibration_error",
    "max_calibration_error",
    "reliability_bins",
]


class ReliabilityBins(NamedTuple):
    """Reliability-diagram data of ``n_bins`` equal-width confidence bins (given).

    Attributes:
        edges: ``(n_bins + 1,)`` bin edges, ``torch.linspace(0, 1, n_bins + 1)``.
        counts: ``(n_bins,)`` integer tensor, the number of samples in each bin.
        confidence: ``(n_bins,)`` mean confidence of the samples in each bin (0 if empty).
        accuracy: ``(n_bins,)`` fraction of correct samples in each bin (0 if empty).
    """

    edges: Tensor
    counts: Tensor
    confidence: Tensor
    accuracy: Tensor


def reliability_bins(probs: Tensor, labels: Tensor, n_bins: int = 15) -> ReliabilityBins:
    """Bin the top-1 confidences and summarise each bin: the data of a reliability diagram.

    Example with ``n_bins=4`` (edges 0, 0.25, 0.5, 0.75, 1): a sample of confidence 0.5 falls in
    bin 2, one of confidence 0.8 or 1.0 in bin 3.

    Args:
        probs: ``(N, C)`` probabilities.
        labels: ``(N,)`` integer labels.
        n_bins: Number of equal-width bins (``>= 1``, else ``ValueError``). [#n-bins]

    Returns:
        ``ReliabilityBins(edges, counts, confidence, accuracy)``, each per bin. [#bin-stats] Empty
        bins are kept, with count 0, confidence 0 and accuracy 0. [#empty-bins]

    Raises:
        ValueError: Bad shapes, no samples, or ``n_bins < 1``.
    """
    # TODO: confidence and prediction with probs.max(dim=1); bin index with torch.bucketize
    # (mind the edge convention); per-bin sums with bincount / index_add_.
    raise NotImplementedError


def expected_calibration_error(probs: Tensor, labels: Tensor, n_bins: int = 15) -> float:
    """Expected calibration error: ``sum_b (n_b / N) * |accuracy_b - confidence_b|``.

    Each bin's gap is weighted by the fraction of samples in it (an almost empty bin barely
    counts). 0 means calibrated; the grader compares with torchmetrics'
    ``MulticlassCalibrationError(norm="l1")``. [#ece]

    Returns:
        The ECE as a Python float in ``[0, 1]``. [#python-float]
    """
    # TODO: use reliability_bins.
    raise NotImplementedError


def max_calibration_error(probs: Tensor, labels: Tensor, n_bins: int = 15) -> float:
    """Maximum calibration error: the largest ``|accuracy_b - confidence_b|`` over non-empty bins.

    The grader compares with torchmetrics' ``MulticlassCalibrationError(norm="max")``. [#mce]

    Returns:
        The MCE as a Python float in ``[0, 1]``.
    """
    # TODO: use reliability_bins; ignore empty bins.
    raise NotImplementedError


def brier_score(probs: Tensor, labels: Tensor) -> float:
    """Multiclass Brier score: mean over samples of ``sum_c (probs[c] - onehot(label)[c]) ** 2``.

    Every class counts, not only the true one, and the sum over classes is not divided by ``C``.
    [#brier] Example: ``probs = [[0.5, 0.5, 0.0]]``, ``labels = [2]`` scores
    ``0.25 + 0.25 + 1 = 1.5``.

    Returns:
        A Python float in ``[0, 2]``: 0 for confident correct predictions, 2 for confident wrong
        ones.

    Raises:
        ValueError: Bad shapes or no samples.
    """
    # TODO: torch.nn.functional.one_hot(labels, C).
    raise NotImplementedError
