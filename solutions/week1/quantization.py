"""Reference solution of ``week1.quantization``: the reference system's int8 quantisation."""

from rxvision.export.quantize import (
    PillCalibrationReader,
    QuantizationReport,
    compare_models,
    quantize_dynamic_onnx,
    quantize_static_onnx,
)

__all__ = [
    "PillCalibrationReader",
    "QuantizationReport",
    "compare_models",
    "quantize_dynamic_onnx",
    "quantize_static_onnx",
]
