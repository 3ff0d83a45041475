"""Serve an ONNX classifier with ONNX Runtime: the fast, torch-free twin of ``TorchPredictor``.

``week1.onnx_export`` wrote a ``.onnx`` file; here you serve it. ONNX Runtime runs the graph in
C++ with fused operators and no autograd bookkeeping, which is the "high-speed inference" path:
the serving container does not even need PyTorch.

Your predictor must be a drop-in replacement for
:class:`rxvision.serving.predictor.TorchPredictor` (read its ``preprocess``): same inputs, same
preprocessing, same probabilities (the grader compares them to 1e-5), so the Week 3 API can
serve either. It also accepts uint8 arrays, which is what camera pipelines hand over.

Docs: https://onnxruntime.ai/docs/api/python/api_summary.html (``InferenceSession``,
``SessionOptions``, ``GraphOptimizationLevel``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

__all__ = ["ImageInput", "OnnxPredictor"]

#: One image: a Pillow image (any mode) or a uint8 RGB array of shape ``(H, W, 3)`` (given).
ImageInput = Image.Image | np.ndarray


class OnnxPredictor:
    """Classify images with an ONNX model through one ONNX Runtime session.

    ``__init__`` builds everything once:

    - ``ort.SessionOptions()`` with ``graph_optimization_level =
      ort.GraphOptimizationLevel.ORT_ENABLE_ALL`` [#optimisation] and, when ``threads`` is
      given, ``intra_op_num_threads = threads``; [#threads]
    - ``self.session = ort.InferenceSession(str(path), sess_options=options,
      providers=["CPUExecutionProvider"])``, created here and never again (creating a session
      loads and optimises the graph: tens of milliseconds to seconds per call); [#session-once]
    - ``self.input_name``: read it from ``self.session.get_inputs()[0].name``, do not assume
      it; [#input-name]
    - the attributes ``classes`` (a tuple), ``image_size``, ``name``, ``max_batch``.
      [#attributes]

    Args:
        path: the ``.onnx`` file: input ``(N, 3, image_size, image_size)`` float32, output
            logits ``(N, C)``.
        classes: class names, ``C`` of them (default: ``rxvision.data.CLASS_NAMES``).
            [#default-classes]
        image_size: side of the square input the model expects.
        name: model name shown in responses (default: the file's stem, ``Path(path).stem``).
            [#default-name]
        mean: per-channel mean subtracted after scaling to [0, 1] (default: none).
        std: per-channel standard deviation divided by (default: none).
        threads: ``intra_op_num_threads`` of the session (default: ONNX Runtime's choice).
        max_batch: the largest batch sent to the session in one ``run``.

    Raises:
        ValueError: ``max_batch < 1`` [#max-batch-range], or the model's output size (the last
            dimension of ``session.get_outputs()[0].shape``, when it is an int) differs from
            ``len(classes)``. [#class-count]
    """

    def __init__(
        self,
        path: str | Path,
        classes: Sequence[str] | None = None,
        image_size: int = 224,
        *,
        name: str | None = None,
        mean: Sequence[float] | None = None,
        std: Sequence[float] | None = None,
        threads: int | None = None,
        max_batch: int = 32,
    ) -> None:
        # TODO: options, session (once), input name, attributes, validation.
        raise NotImplementedError

    def preprocess(self, images: Sequence[ImageInput]) -> np.ndarray:
        """Turn images into the model's input batch, exactly like ``TorchPredictor.preprocess``.

        For each image: a uint8 array ``(H, W, 3)`` becomes ``Image.fromarray(array)`` (it is RGB
        already: do not swap channels); [#uint8-rgb] then ``.convert("RGB")``, ``.resize((S, S),
        Image.Resampling.BILINEAR)`` with ``S = image_size``, ``np.asarray(..., np.float32)``.
        [#resize] Stack, transpose HWC -> CHW, divide by 255 [#scale], subtract ``mean`` and
        divide by ``std`` per channel when given (each one independently of the other).
        [#normalise]

        Returns:
            A C-contiguous float32 array ``(N, 3, S, S)``. [#preprocess-output]

        Raises:
            TypeError: an image that is neither a PIL image nor a NumPy array, or an array whose
                dtype is not uint8 (floats are ambiguous: 0-1 or 0-255?). [#type-error]
            ValueError: an array whose shape is not ``(H, W, 3)``. [#shape-error]
        """
        # TODO: validate, PIL resize, stack, transpose, scale, normalise.
        raise NotImplementedError

    def predict_proba(self, images: Sequence[ImageInput]) -> np.ndarray:
        """Class probabilities ``(len(images), len(classes))``, float64 rows summing to 1.

        [#proba]

        Preprocess and run the images in chunks of at most ``max_batch`` (10 images with
        ``max_batch=4`` are three runs: 4, 4 and 2), [#chunks] concatenate the logits and apply a
        numerically stable softmax over the *class* axis (subtract each row's maximum).
        [#stable-softmax] An empty list gives an array of shape ``(0, len(classes))``. [#empty]
        """
        # TODO: chunked session.run, concatenate, softmax per row.
        raise NotImplementedError

    def predict(self, images: Sequence[ImageInput], k: int = 5) -> list[list[tuple[str, float]]]:
        """The ``k`` most probable ``(class name, probability)`` pairs per image.

        Each inner list is sorted by decreasing probability [#top-k-order] (ties: lower class
        index first, e.g. ``np.argsort(-p, axis=1, kind="stable")``); [#ties] probabilities are
        Python floats. [#python-floats] A ``k`` above the number of classes gives every class;
        ``k <= 0`` gives empty lists. [#k-range]

        Example: ``predictor.predict([image], k=2)`` ->
        ``[[("amoxicillin_500", 0.91), ("ibuprofen_200", 0.05)]]``.
        """
        # TODO: predict_proba, then sorted top-k per row.
        raise NotImplementedError
