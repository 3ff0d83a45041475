"""int8 quantisation of an ONNX classifier with ONNX Runtime, and what it costs in accuracy.

An int8 weight takes a quarter of the bytes of a float32 one, and int8 matrix products are
faster on most CPUs. Quantisation maps a float tensor to int8 with a scale and a zero point,
``q = round(x / scale) + zero_point``; the question is only how to choose the ranges.

- *Dynamic* quantisation stores the weights as int8 ahead of time and quantises activations on
  the fly, per batch: no calibration data needed. Graphs get ``DynamicQuantizeLinear`` nodes.
- *Static* quantisation also fixes the activation ranges ahead of time, measured by running
  calibration images through the float model, fed by a ``CalibrationDataReader``. Graphs in the
  QDQ format get ``QuantizeLinear``/``DequantizeLinear`` pairs around every quantised operator.

Docs: https://onnxruntime.ai/docs/performance/model-optimizations/quantization.html (read "Static
quantization" and the ``CalibrationDataReader`` example). The input files come from
``week1.onnx_export`` (input ``"image"``, output ``"logits"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from onnxruntime.quantization import CalibrationDataReader

__all__ = [
    "PillCalibrationReader",
    "QuantizationReport",
    "compare_models",
    "quantize_dynamic_onnx",
    "quantize_static_onnx",
]


class PillCalibrationReader(CalibrationDataReader):
    """Feed preprocessed images to the calibrator, ``batch_size`` at a time, exactly once.

    ONNX Runtime calls :meth:`get_next` until it returns ``None``. Each call returns the next
    ``{input_name: batch}`` [#input-name] with ``batch = images[i : i + batch_size]`` (float32,
    whatever the dtype of ``images``) [#float32] (the last batch may be smaller), so 10 images
    with ``batch_size=4`` give batches of 4, 4 and 2 [#batches], then ``None`` (and ``None``
    again on any later call). [#none-after] :meth:`rewind` starts over. [#rewind]

    Args:
        images: float32 ``(N, 3, H, W)``, preprocessed exactly as at inference (a calibration on
            differently scaled data measures the wrong ranges).
        input_name: the model's input name (``"image"`` for the week's exports).
        batch_size: images per calibration batch (default 16). [#defaults]

    Raises:
        ValueError: ``images`` is not a non-empty 4-D array [#images-shape], or ``batch_size <
            1`` [#batch-size-range]; raised by the constructor.
    """

    def __init__(self, images: np.ndarray, input_name: str = "image", batch_size: int = 16) -> None:
        # TODO: validate, keep a float32 contiguous copy, the name, the batch size, a cursor.
        raise NotImplementedError

    def get_next(self) -> dict[str, np.ndarray] | None:
        """The next ``{input_name: batch}``, or ``None`` once every image was given."""
        # TODO: slice from the cursor, advance it, None at the end.
        raise NotImplementedError

    def rewind(self) -> None:
        """Start again from the first image."""
        # TODO: reset the cursor.
        raise NotImplementedError


def quantize_dynamic_onnx(src: str | Path, dst: str | Path, *, per_channel: bool = False) -> Path:
    """Dynamic int8 quantisation of the model at ``src``, written to ``dst``.

    Use ``onnxruntime.quantization.quantize_dynamic`` with signed int8 weights
    (``weight_type=QuantType.QInt8``) [#dynamic-int8] and ``per_channel`` (one weight scale per
    output channel when true). [#dynamic-per-channel] Create ``dst``'s directory if needed.
    [#dynamic-mkdir]

    Returns:
        ``dst`` as a :class:`~pathlib.Path`. [#dynamic-returns-path]
    """
    # TODO: one call to quantize_dynamic.
    raise NotImplementedError


def quantize_static_onnx(
    src: str | Path,
    dst: str | Path,
    reader: CalibrationDataReader,
    *,
    per_channel: bool = True,
) -> Path:
    """Static int8 quantisation of ``src`` into ``dst``, calibrated with ``reader``.

    1. Pre-process the float model into a temporary file with
       ``onnxruntime.quantization.shape_inference.quant_pre_process(src, tmp,
       skip_symbolic_shape=True)`` (shape inference and graph optimisation, which ONNX Runtime
       recommends before quantising);
    2. ``quantize_static(tmp, dst, reader, quant_format=QuantFormat.QDQ, per_channel=per_channel,
       activation_type=QuantType.QInt8, weight_type=QuantType.QInt8)``. [#static-per-channel]

    Create ``dst``'s directory if needed. [#static-mkdir] The result quantises activations too
    (``QuantizeLinear`` nodes on activations), which is what distinguishes it from
    :func:`quantize_dynamic_onnx` [#static-activations]; the grader checks the nodes and that
    ``reader`` was actually read. [#static-reads]

    Returns:
        ``dst`` as a :class:`~pathlib.Path`. [#static-returns-path]
    """
    # TODO: quant_pre_process into a temporary directory, then quantize_static.
    raise NotImplementedError


@dataclass(frozen=True)
class QuantizationReport:
    """Size and accuracy of a float model and its quantised copy on the same images (given).

    Attributes:
        fp32_bytes: file size of the float model.
        int8_bytes: file size of the quantised model.
        fp32_accuracy: top-1 accuracy of the float model against the labels, in [0, 1].
        int8_accuracy: top-1 accuracy of the quantised model.
        agreement: fraction of images where both models predict the same class.
    """

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


def compare_models(
    fp32_path: str | Path,
    int8_path: str | Path,
    images: np.ndarray,
    labels: Sequence[int] | np.ndarray,
) -> QuantizationReport:
    """Run both models on ``images`` and report sizes, accuracies and agreement.

    Args:
        fp32_path: the float model.
        int8_path: its quantised copy.
        images: float32 ``(N, 3, H, W)``, preprocessed (run them in batches of at most 64).
            [#batches-of-64]
        labels: ``N`` true class indices.

    Returns:
        A :class:`QuantizationReport`: file sizes from ``Path.stat().st_size`` [#report-sizes],
        accuracies of the ``argmax`` of each model's logits against ``labels``
        [#report-accuracy], and the agreement of the two ``argmax`` (not of either with the
        labels). [#report-agreement]
    """
    # TODO: two sessions, argmax per model, sizes from the files.
    raise NotImplementedError
