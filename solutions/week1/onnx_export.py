"""Reference solution of ``week1.onnx_export``: the reference system's ONNX export."""

from rxvision.export.onnx import (
    DEFAULT_OPSET,
    INPUT_NAME,
    OUTPUT_NAME,
    export_onnx,
    verify_onnx,
)

__all__ = ["DEFAULT_OPSET", "INPUT_NAME", "OUTPUT_NAME", "export_onnx", "verify_onnx"]
