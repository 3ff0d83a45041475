"""int8 quantisation of an ONNX classifier with ONNX Runtime, and what it costs in accuracy.

- *Dynamic* quantisation stores weights as int8 ahead of time and quantises activations on the
  fly, per batch: no calibration data, smallest effort.
- *Static* quantisation also fixes the activation ranges ahead of time, measured by running
  calibration images through the float model (a :class:`CalibrationDataReader`); the graph gets
  ``QuantizeLinear``/``DequantizeLinear`` pairs (QDQ format) around every quantised operator.

Docs: https://onnxruntime.ai/docs/performance/model-optimizations/quantization.html
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from onnxruntime.quantization import (
    CalibrationDataReader,
    QuantFormat,
    QuantType,
    quantize_dynamic,
    quantize_static,
)

__all__ = [
    "PillCalibrationReader",
    "QuantizationReport",
    "compare_models",
    "quantize_dynamic_onnx",
    "quantize_static_onnx",
]


class PillCalibrationReader(CalibrationDataReader):
    """Feed preprocessed images to the calibrator, ``batch_size`` at a time, once.

    Args:
        images: float32 ``(N, 3, H, W)``, preprocessed exactly as at inference.
        input_name: the model's input name.
        batch_size: images per calibration batch (the last one may be smaller).
    """

    def __init__(self, images: np.ndarray, input_name: str = "image", batch_size: int = 16) -> None:
        if images.ndim != 4 or len(images) == 0:
            raise ValueError(f"images must be a non-empty (N, 3, H, W) array, got {images.shape}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.images = np.ascontiguousarray(images, dtype=np.float32)
        self.input_name = input_name
        self.batch_size = int(batch_size)
        self._next = 0

    def get_next(self) -> dict[str, np.ndarray] | None:
        """The next ``{input_name: batch}``, or ``None`` once every image was given."""
        if self._next >= len(self.images):
            return None
        batch = self.images[self._next : self._next + self.batch_size]
        self._next += self.batch_size
        return {self.input_name: batch}

    def rewind(self) -> None:
        """Start again from the first image."""
        self._next = 0


def quantize_dynamic_onnx(src: str | Path, dst: str | Path, *, per_channel: bool = False) -> Path:
    """Dynamic int8 quantisation (signed int8 weights) of ``src`` into ``dst``."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=per_channel)
    return dst


def quantize_static_onnx(
    src: str | Path,
    dst: str | Path,
    reader: CalibrationDataReader,
    *,
    per_channel: bool = True,
) -> Path:
    """Static int8 quantisation (QDQ format, int8 weights and activations) calibrated by ``reader``.

    The float model is first pre-processed (shape inference and graph optimisation, as ONNX
    Runtime recommends), then quantised with MinMax calibration.
    """
    from onnxruntime.quantization.shape_inference import quant_pre_process

    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        quant_pre_process(str(src), str(prepared), skip_symbolic_shape=True)
        quantize_static(
            str(prepared),
            str(dst),
            reader,
            quant_format=QuantFormat.QDQ,
            per_channel=per_channel,
            activation_type=QuantType.QInt8,
            weight_type=QuantType.QInt8,
        )
    return dst


@dataclass(frozen=True)
class QuantizationReport:
    """Size and accuracy of a float model and its quantised copy on the same images."""

    fp32_bytes: int
    int8_bytes: int
    fp32_accuracy: float
    int8_accuracy: float
    agreement: float

    @property
    def size_ratio(self) -> float:
        """``int8_bytes / fp32_bytes`` (about 0.25-0.3 for weight-dominated models)."""
        return self.int8_bytes / self.fp32_bytes

    @property
    def accuracy_delta(self) -> float:
        """``int8_accuracy - fp32_accuracy`` (negative: the quantised model is worse)."""
        return self.int8_accuracy - self.fp32_accuracy


def _logits(path: Path, images: np.ndarray, batch_size: int = 64) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    chunks = [
        session.run(None, {name: images[i : i + batch_size]})[0]
        for i in range(0, len(images), batch_size)
    ]
    return np.concatenate(chunks)


def compare_models(
    fp32_path: str | Path,
    int8_path: str | Path,
    images: np.ndarray,
    labels: Sequence[int] | np.ndarray,
) -> QuantizationReport:
    """Run both models on ``images`` (float32 ``(N, 3, H, W)``) and compare with ``labels``."""
    fp32_path, int8_path = Path(fp32_path), Path(int8_path)
    images = np.ascontiguousarray(images, dtype=np.float32)
    labels = np.asarray(labels)
    fp32 = _logits(fp32_path, images).argmax(axis=1)
    int8 = _logits(int8_path, images).argmax(axis=1)
    return QuantizationReport(
        fp32_bytes=fp32_path.stat().st_size,
        int8_bytes=int8_path.stat().st_size,
        fp32_accuracy=float((fp32 == labels).mean()),
        int8_accuracy=float((int8 == labels).mean()),
        agreement=float((fp32 == int8).mean()),
    )
