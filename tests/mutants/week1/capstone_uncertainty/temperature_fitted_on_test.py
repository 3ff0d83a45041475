"""Fits the temperature on the test photos it then evaluates, not on the validation photos."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from solutions.week1 import calibration_metrics, mc_dropout, temperature_scaling
from solutions.week1.capstone_uncertainty import *  # noqa: F403
from solutions.week1.capstone_uncertainty import (  # noqa: F401
    UncertaintyReport,
    __all__,
    _logits,
    preprocess_photos,
)


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
    del val_photos, val_labels  # the bug: the validation photos are never used
    test_x, test_ok = preprocess_photos(test_photos, size)
    test_y = torch.as_tensor(np.asarray(test_labels), dtype=torch.int64)[test_ok]
    test_logits = _logits(model, test_x)
    scaler = temperature_scaling.TemperatureScaler(model).fit(test_logits, test_y)
    temperature = float(scaler.temperature)
    ece = calibration_metrics.expected_calibration_error
    ece_before = ece(test_logits.softmax(dim=1), test_y, 15)
    ece_after = ece((test_logits / temperature).softmax(dim=1), test_y, 15)
    uncertainty = mc_dropout.mc_dropout_predict(scaler, test_x, n_samples)
    return UncertaintyReport(scaler, temperature, ece_before, ece_after, test_ok, uncertainty)
