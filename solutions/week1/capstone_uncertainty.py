"""Reference solution of ``week1.capstone_uncertainty``: the reference pieces wired together."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import Tensor, nn

from solutions.week1 import calibration_metrics, mc_dropout, preprocessing, temperature_scaling

__all__ = ["UncertaintyReport", "preprocess_photos", "run_pipeline"]


class UncertaintyReport(NamedTuple):
    """What :func:`run_pipeline` returns (see the stub)."""

    scaler: nn.Module
    temperature: float
    ece_before: float
    ece_after: float
    accepted: Tensor
    uncertainty: Any


def preprocess_photos(photos: Sequence[np.ndarray], size: int) -> tuple[Tensor, Tensor]:
    """Your ``preprocess`` on every photo, rejecting those without a pill (see the stub)."""
    inputs, accepted = [], []
    for photo in photos:
        try:
            tensor, _ = preprocessing.preprocess(photo, size)
        except ValueError:
            accepted.append(False)
            continue
        inputs.append(tensor)
        accepted.append(True)
    batch = torch.stack(inputs) if inputs else torch.zeros(0, 3, size, size)
    return batch.float(), torch.tensor(accepted, dtype=torch.bool)


def _logits(model: nn.Module, x: Tensor) -> Tensor:
    model.eval()
    with torch.no_grad():
        return model(x)


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
    """Temperature on val, ECE before/after and MC dropout on test (see the stub)."""
    val_x, val_ok = preprocess_photos(val_photos, size)
    test_x, test_ok = preprocess_photos(test_photos, size)
    val_y = torch.as_tensor(np.asarray(val_labels), dtype=torch.int64)[val_ok]
    test_y = torch.as_tensor(np.asarray(test_labels), dtype=torch.int64)[test_ok]
    val_logits, test_logits = _logits(model, val_x), _logits(model, test_x)
    scaler = temperature_scaling.TemperatureScaler(model).fit(val_logits, val_y)
    temperature = float(scaler.temperature)
    ece = calibration_metrics.expected_calibration_error
    ece_before = ece(test_logits.softmax(dim=1), test_y, 15)
    ece_after = ece((test_logits / temperature).softmax(dim=1), test_y, 15)
    uncertainty = mc_dropout.mc_dropout_predict(scaler, test_x, n_samples)
    return UncertaintyReport(scaler, temperature, ece_before, ece_after, test_ok, uncertainty)
