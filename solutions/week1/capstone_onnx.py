"""Reference solution of ``week1.capstone_onnx``: the reference pieces wired together."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from torch import nn

from solutions.week1 import ensemble, onnx_export, onnx_inference, quantization

__all__ = [
    "MEAN",
    "STD",
    "Deployment",
    "build_ensemble",
    "deploy",
    "export_ensemble",
    "quantize_ensemble",
]

MEAN: tuple[float, float, float] = (0.485, 0.456, 0.406)
STD: tuple[float, float, float] = (0.229, 0.224, 0.225)


class Deployment(NamedTuple):
    """What :func:`deploy` returns (see the stub)."""

    ensemble: nn.Module
    fp32_path: Path
    int8_path: Path
    predictor: onnx_inference.OnnxPredictor


def build_ensemble(
    members: Sequence[nn.Module], weights: Sequence[float] | None = None
) -> nn.Module:
    """Your ``Ensemble`` of ``members`` (see the stub)."""
    return ensemble.Ensemble(members, weights)


def export_ensemble(model: nn.Module, path: str | Path, image_size: int) -> Path:
    """The whole ensemble as one ONNX graph, verified against PyTorch (see the stub)."""
    path = onnx_export.export_onnx(model, path, image_size)
    onnx_export.verify_onnx(model, path, image_size)
    return Path(path)


def quantize_ensemble(
    fp32_path: str | Path, int8_path: str | Path, calibration_images: np.ndarray
) -> Path:
    """Static int8 quantisation calibrated on ``calibration_images`` (see the stub)."""
    reader = quantization.PillCalibrationReader(calibration_images, input_name="image")
    return Path(quantization.quantize_static_onnx(fp32_path, int8_path, reader))


def deploy(
    members: Sequence[nn.Module],
    out_dir: str | Path,
    calibration_images: np.ndarray,
    image_size: int,
) -> Deployment:
    """Ensemble -> float ONNX -> int8 ONNX -> predictor (see the stub)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model = build_ensemble(members)
    fp32_path = export_ensemble(model, out_dir / "ensemble_fp32.onnx", image_size)
    int8_path = quantize_ensemble(fp32_path, out_dir / "ensemble_int8.onnx", calibration_images)
    predictor = onnx_inference.OnnxPredictor(int8_path, image_size=image_size, mean=MEAN, std=STD)
    return Deployment(model, fp32_path, int8_path, predictor)
