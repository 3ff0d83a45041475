"""Uses dynamic quantisation (weights only) instead of static int8 with the calibration reader."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from torch import nn

from solutions.week1 import onnx_inference, quantization
from solutions.week1.capstone_onnx import *  # noqa: F403
from solutions.week1.capstone_onnx import (
    MEAN,
    STD,
    Deployment,
    __all__,  # noqa: F401
    build_ensemble,
    export_ensemble,
)


def quantize_ensemble(
    fp32_path: str | Path, int8_path: str | Path, calibration_images: np.ndarray
) -> Path:
    return Path(quantization.quantize_dynamic_onnx(fp32_path, int8_path))


def deploy(
    members: Sequence[nn.Module],
    out_dir: str | Path,
    calibration_images: np.ndarray,
    image_size: int,
) -> Deployment:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model = build_ensemble(members)
    fp32_path = export_ensemble(model, out_dir / "ensemble_fp32.onnx", image_size)
    int8_path = quantize_ensemble(fp32_path, out_dir / "ensemble_int8.onnx", calibration_images)
    predictor = onnx_inference.OnnxPredictor(int8_path, image_size=image_size, mean=MEAN, std=STD)
    return Deployment(model, fp32_path, int8_path, predictor)
