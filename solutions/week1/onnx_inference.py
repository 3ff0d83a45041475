"""Reference solution of ``week1.onnx_inference``: the reference system's ONNX Runtime predictor."""

from rxvision.serving.onnx_predictor import ImageInput, OnnxPredictor

__all__ = ["ImageInput", "OnnxPredictor"]
