"""Capstone: from a photo to a calibrated, uncertainty-aware prediction, with YOUR pieces.

This module only wires together what you already wrote this week:

- ``week1.preprocessing``: your ``preprocess`` (segment, crop, resize, normalise one photo);
- ``week1.temperature_scaling``: your ``TemperatureScaler``;
- ``week1.mc_dropout``: your ``mc_dropout_predict``;
- ``week1.calibration_metrics``: your ``expected_calibration_error``.

Run their own tests first: a failure here should be an integration mistake, not a bug inside
one piece. Always call the pieces through the module objects imported below
(``preprocessing.preprocess``, ``temperature_scaling.TemperatureScaler``, ...): the grader checks
that the objects you return come from YOUR modules. [#your-pieces]

You write, in this order (the tests follow it):

1. ``preprocess_photos``: a batch of photos to model inputs, rejecting photos without a pill;
2. ``run_pipeline``: temperature fitted on the validation photos, ECE before and after, and
   MC-dropout uncertainty on the test photos.

Given (do not change): ``UncertaintyReport``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import torch  # noqa: F401 (you will need torch.stack and torch.tensor)
from torch import Tensor, nn

from weeks.week1 import (  # noqa: F401
    calibration_metrics,
    mc_dropout,
    preprocessing,
    temperature_scaling,
)

__all__ = ["UncertaintyReport", "preprocess_photos", "run_pipeline"]


class UncertaintyReport(NamedTuple):
    """What :func:`run_pipeline` returns (given).

    Attributes:
        scaler: your ``TemperatureScaler`` wrapping the model, fitted on the validation photos.
            [#scaler]
        temperature: its temperature as a Python float. [#temperature-float]
        ece_before: ECE (15 bins) of ``softmax(logits)`` on the accepted test photos.
            [#ece-before]
        ece_after: ECE (15 bins) of ``softmax(logits / temperature)`` on the same photos.
            [#ece-after]
        accepted: ``(N,)`` bool tensor, which test photos passed preprocessing. [#accepted]
        uncertainty: your ``mc_dropout_predict(scaler, test_inputs, n_samples)`` result for
            the accepted test photos (``probs``, ``entropy``, ``mutual_information``, ...).
            [#uncertainty]
    """

    scaler: nn.Module
    temperature: float
    ece_before: float
    ece_after: float
    accepted: Tensor
    uncertainty: Any


def preprocess_photos(photos: Sequence[np.ndarray], size: int) -> tuple[Tensor, Tensor]:
    """Run your ``preprocessing.preprocess(photo, size)`` on every photo.

    A photo for which ``preprocess`` raises ``ValueError`` (no pill found: a blank tray) is
    rejected, not passed to the model and not an error of this function. [#reject]

    Args:
        photos: RGB uint8 ``(H, W, 3)`` arrays.
        size: output side of the model inputs.

    Returns:
        ``(inputs, accepted)``: float32 ``(K, 3, size, size)`` tensors of the ``K`` accepted
        photos, in order, stacked [#inputs] (``(0, 3, size, size)`` if none), [#none-accepted]
        and a bool ``(N,)`` tensor marking which photos were accepted. [#accepted-mask] The
        grader compares every input with your own ``preprocess`` output for that photo.
        [#your-preprocess]
    """
    # TODO: try preprocess on each photo, keep the tensors and the flags.
    raise NotImplementedError


def run_pipeline(
    model: nn.Module,
    val_photos: Sequence[np.ndarray],
    val_labels: np.ndarray,
    test_photos: Sequence[np.ndarray],
    test_labels: np.ndarray,
    *,
    size: int,
    n_samples: int = 20,
) -> UncertaintyReport:
    """Calibrate ``model`` on the validation photos and measure it on the test photos.

    1. ``preprocess_photos`` both sets; keep the labels of the accepted photos only;
       [#accepted-labels]
    2. logits of the model in eval mode, without gradients, for both sets; [#eval-logits]
    3. ``temperature_scaling.TemperatureScaler(model).fit(val_logits, val_labels)``: the
       temperature is fitted on the VALIDATION photos only (fitting it on the test photos you
       then measure makes the calibration look better than it is); [#fit-on-val]
    4. ``ece_before`` and ``ece_after`` with ``calibration_metrics.expected_calibration_error``
       (15 bins) of ``softmax(test_logits)`` and ``softmax(test_logits / T)``; [#ece-before]
       [#ece-after]
    5. ``mc_dropout.mc_dropout_predict(scaler, test_inputs, n_samples)``: dropout sampling
       through the calibrated model. [#mc-dropout]

    Args:
        model: a classifier with dropout, trained on inputs made by ``preprocess``.
        val_photos, val_labels: uint8 photos and labels for the temperature.
        test_photos, test_labels: uint8 photos and labels to evaluate.
        size: model input side.
        n_samples: MC-dropout passes. [#n-samples]

    Returns:
        An :class:`UncertaintyReport`. The grader recomputes the optimal temperature on the
        validation logits with scipy [#fit-on-val] and both ECEs with torchmetrics, requires
        ``ece_after <= ece_before``, [#ece-improves] MC samples that differ between passes,
        [#mc-samples] and a predictive entropy that ranks pure-noise photos above real test
        pills (AUROC >= 0.8). [#ood-auroc]
    """
    # TODO: steps 1-5.
    raise NotImplementedError
