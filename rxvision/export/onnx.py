"""Export a PyTorch image classifier to ONNX with a dynamic batch axis, and check the result.

The graph has one input ``image`` of shape ``(batch, 3, H, W)`` (float32) and one output
``logits`` of shape ``(batch, C)``; ``batch`` is symbolic, so one file serves any batch size.
:func:`verify_onnx` runs ``onnx.checker`` and compares onnxruntime (CPU) with PyTorch.

Two exporters exist in torch 2.x: the TorchScript tracer (``dynamo=False``, deprecated but about
ten times faster to run) and the ``torch.export``-based one (``dynamo=True``, needs onnxscript).
Both produce equivalent graphs for the classifiers of this course.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

__all__ = ["DEFAULT_OPSET", "INPUT_NAME", "OUTPUT_NAME", "export_onnx", "verify_onnx"]

INPUT_NAME = "image"
OUTPUT_NAME = "logits"
DEFAULT_OPSET = 17


def export_onnx(
    model: nn.Module,
    path: str | Path,
    image_size: int = 224,
    *,
    opset: int = DEFAULT_OPSET,
    dynamo: bool = False,
) -> Path:
    """Export ``model`` (in eval mode) to ``path`` with a dynamic batch axis.

    The model's training flag is restored afterwards.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    was_training = model.training
    model.eval()
    dummy = torch.zeros(2, 3, image_size, image_size)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX export.*")
            if dynamo:
                torch.onnx.export(
                    model,
                    (dummy,),
                    str(path),
                    input_names=[INPUT_NAME],
                    output_names=[OUTPUT_NAME],
                    opset_version=opset,
                    dynamo=True,
                    dynamic_shapes=({0: torch.export.Dim("batch")},),
                    verbose=False,
                )
            else:
                torch.onnx.export(
                    model,
                    (dummy,),
                    str(path),
                    input_names=[INPUT_NAME],
                    output_names=[OUTPUT_NAME],
                    opset_version=opset,
                    dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
                    dynamo=False,
                )
    finally:
        model.train(was_training)
    return path


def verify_onnx(
    model: nn.Module,
    path: str | Path,
    image_size: int = 224,
    *,
    batch_sizes: Sequence[int] = (1, 5),
    atol: float = 1e-4,
    seed: int = 0,
) -> dict[int, float]:
    """Check the ONNX file and compare onnxruntime with ``model`` on random batches.

    Returns:
        The maximum absolute difference of the outputs for each batch size.

    Raises:
        onnx.checker.ValidationError: the graph is malformed.
        ValueError: a difference above ``atol``.
    """
    import onnx
    import onnxruntime as ort

    onnx.checker.check_model(onnx.load(str(path)))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    was_training = model.training
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    diffs: dict[int, float] = {}
    try:
        for batch in batch_sizes:
            x = torch.rand(batch, 3, image_size, image_size, generator=generator)
            with torch.no_grad():
                want = model(x).numpy()
            got = session.run(None, {input_name: x.numpy()})[0]
            if got.shape != want.shape:
                raise ValueError(f"batch {batch}: onnxruntime gave {got.shape}, torch {want.shape}")
            diffs[batch] = float(np.abs(got - want).max())
    finally:
        model.train(was_training)
    bad = {b: d for b, d in diffs.items() if d > atol}
    if bad:
        raise ValueError(f"onnxruntime differs from torch by more than {atol}: {bad}")
    return diffs
