"""Capstone: from a PyTorch ensemble to a quantised ONNX predictor, with YOUR week-1 pieces.

This module only wires together what you already wrote this week:

- ``week1.ensemble``: your :class:`Ensemble` (log-probabilities of the weighted members);
- ``week1.onnx_export``: your ``export_onnx`` and ``verify_onnx``;
- ``week1.quantization``: your ``PillCalibrationReader`` and ``quantize_static_onnx``;
- ``week1.onnx_inference``: your ``OnnxPredictor``.

Run their own tests first (``rxgrade check week1 ensemble`` and so on): a failure here should be
an integration mistake, not a bug inside one piece. Always call the pieces through the module
objects imported below (``ensemble.Ensemble``, ``onnx_export.export_onnx``, ...): the grader
checks that the objects you return come from YOUR modules. [#your-pieces]

You write, in this order (the tests follow it):

1. ``build_ensemble``: the members as one ``nn.Module``;
2. ``export_ensemble``: the WHOLE ensemble as one ONNX graph, checked against PyTorch;
3. ``quantize_ensemble``: static int8 quantisation calibrated on real, preprocessed images;
4. ``deploy``: 1-3 in a row plus the predictor that serves the int8 file.

Given (do not change): ``MEAN``, ``STD`` and ``Deployment``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from torch import nn

from weeks.week1 import ensemble, onnx_export, onnx_inference, quantization  # noqa: F401

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
    """What :func:`deploy` returns (given).

    Attributes:
        ensemble: the PyTorch ensemble (your ``ensemble.Ensemble``), in eval mode.
            [#deployed-ensemble]
        fp32_path: the exported float ONNX file (``<out_dir>/ensemble_fp32.onnx``). [#fp32-path]
        int8_path: its static int8 copy (``<out_dir>/ensemble_int8.onnx``). [#int8-path]
        predictor: your ``onnx_inference.OnnxPredictor`` serving ``int8_path``. [#predictor]
    """

    ensemble: nn.Module
    fp32_path: Path
    int8_path: Path
    predictor: onnx_inference.OnnxPredictor


def build_ensemble(
    members: Sequence[nn.Module], weights: Sequence[float] | None = None
) -> nn.Module:
    """Combine trained classifiers into your ``ensemble.Ensemble`` (in eval mode). [#build-eval]

    Args:
        members: classifiers mapping normalised images ``(N, 3, S, S)`` to logits ``(N, C)``.
        weights: member weights, or ``None`` for uniform weights. [#weights]

    Returns:
        ``ensemble.Ensemble(members, weights)``: its forward returns log-probabilities
        ``(N, C)``. The grader checks that it is an instance of YOUR ``Ensemble`` class
        [#your-ensemble] and that it matches ``log(sum_m w_m softmax(member_m(x)))`` computed
        by hand. [#log-probs]
    """
    # TODO: one line.
    raise NotImplementedError


def export_ensemble(model: nn.Module, path: str | Path, image_size: int) -> Path:
    """Export the whole ensemble to ``path`` as ONE ONNX graph and check it against PyTorch.

    Call ``onnx_export.export_onnx(model, path, image_size)`` on the ensemble itself (not on one
    of its members, not member by member: the deployed file must average inside the graph),
    [#one-graph] then ``onnx_export.verify_onnx(model, path, image_size)``, which raises when
    onnxruntime and PyTorch disagree by more than 1e-4 (let that error propagate). [#verify]

    Args:
        model: the ensemble from :func:`build_ensemble`.
        path: the ``.onnx`` file to write.
        image_size: side of the square input images.

    Returns:
        ``path`` as a :class:`~pathlib.Path`. [#export-returns-path] The grader runs the file
        with onnxruntime and compares its output with the ensemble's log-probabilities (to
        1e-4). [#fp32-matches]
    """
    # TODO: export, then verify.
    raise NotImplementedError


def quantize_ensemble(
    fp32_path: str | Path, int8_path: str | Path, calibration_images: np.ndarray
) -> Path:
    """Static int8 quantisation of ``fp32_path`` into ``int8_path``.

    Wrap ``calibration_images`` in ``quantization.PillCalibrationReader`` (input name
    ``"image"``) and call ``quantization.quantize_static_onnx(fp32_path, int8_path, reader)``.
    [#static-reader] Static quantisation also quantises the activations (``QuantizeLinear``
    nodes), [#quantize-linear] whose ranges ONNX Runtime measures on the calibration images:
    they must be preprocessed exactly like the images the model will see (scaled to [0, 1],
    then normalised with ``MEAN`` and ``STD``), and there must be enough of them (the grader
    gives a few dozen, already preprocessed: feed them all, unchanged). [#all-calibration]

    Args:
        fp32_path: the float model from :func:`export_ensemble`.
        int8_path: where to write the quantised model.
        calibration_images: float32 ``(N, 3, S, S)``, preprocessed like inference inputs.

    Returns:
        ``int8_path`` as a :class:`~pathlib.Path`; [#quantize-returns-path] the file must be
        smaller than the float one. [#int8-smaller]
    """
    # TODO: a reader over ALL the calibration images, then quantize_static_onnx.
    raise NotImplementedError


def deploy(
    members: Sequence[nn.Module],
    out_dir: str | Path,
    calibration_images: np.ndarray,
    image_size: int,
) -> Deployment:
    """The whole chain: ensemble -> float ONNX -> int8 ONNX -> predictor.

    1. ``build_ensemble(members)`` (uniform weights); [#deployed-ensemble]
    2. ``export_ensemble`` to ``<out_dir>/ensemble_fp32.onnx`` [#fp32-path] (create ``out_dir``
       if needed, parents included); [#mkdir]
    3. ``quantize_ensemble`` of that file to ``<out_dir>/ensemble_int8.onnx``; [#int8-path]
    4. ``onnx_inference.OnnxPredictor(int8_path, image_size=image_size, mean=MEAN, std=STD)``:
       it takes uint8 photos ``(H, W, 3)``, resizes them, scales them to [0, 1] and normalises
       them exactly like the images the members were trained on. [#predictor-normalise]

    Args:
        members: the trained classifiers (inputs normalised with ``MEAN`` and ``STD``).
        out_dir: directory for the two ``.onnx`` files.
        calibration_images: float32 ``(N, 3, image_size, image_size)``, preprocessed.
        image_size: side of the square model input.

    Returns:
        A :class:`Deployment`. The grader requires the int8 file to be smaller than the float
        file, [#int8-smaller] the predictor to serve the int8 file (its probabilities equal
        onnxruntime's on that file), [#predictor] and the predictor's top-1 class to agree
        with the PyTorch ensemble on at least 95% of held-out photos. [#agreement]
    """
    # TODO: steps 1-4.
    raise NotImplementedError
