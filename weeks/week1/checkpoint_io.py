"""Save a model to a directory and load it back, the way Hugging Face's ``from_pretrained`` does.

A checkpoint needs two things: how to build the model, and the numbers to put in it. Hugging Face
keeps them apart in one directory:

    my_checkpoint/
        config.json         {"architecture": "vit", "num_classes": 26, "img_size": 32, ...}
        model.safetensors   the state dict: every parameter AND buffer, one tensor per key

``config.json`` is plain text. It names a constructor of :data:`ARCHITECTURES` and lists its
keyword arguments, so ``ARCHITECTURES[config["architecture"]](**kwargs)`` rebuilds the model
with the same shapes. The weights file then holds only tensors.

Why not ``torch.save(model)``? ``torch.save`` writes a pickle, and unpickling runs whatever code
the file's author put in it: a downloaded checkpoint could delete your files the moment you load
it. Safetensors (https://huggingface.co/docs/safetensors, Hugging Face's default since 2023) is a
JSON header followed by raw tensor bytes, so loading it runs no code. Older checkpoints come as
``pytorch_model.bin`` pickles. Load those only with ``torch.load(path, map_location="cpu",
weights_only=True)``, which refuses to unpickle anything but tensors and plain containers. Either
way the rule is the same: loading a checkpoint must never unpickle code.

Fine-tuning on a new label set (a pharmacy's 40 pills instead of our 26) reuses everything but
the classifier: ``from_pretrained(path, num_classes=40)`` builds a fresh 40-way head and loads
every other tensor.

You write, in this order:

1. ``save_pretrained``: check the config, write ``model.safetensors`` and ``config.json``;
2. ``from_pretrained``: read them back, strictly, optionally with a new classifier head.

The grader round-trips the reference EfficientNet and ViT (identical outputs, BatchNorm running
statistics included), reads your weights file with ``safetensors.safe_open``, edits checkpoints
to check that missing, unexpected or wrongly shaped tensors give a ValueError that names the key,
and checks that loading never modifies the directory.
"""

from __future__ import annotations

import json  # noqa: F401 (json.dumps, json.loads)
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch  # noqa: F401 (torch.load for the legacy file)
from safetensors.torch import load_file, save_file  # noqa: F401
from torch import nn

from rxvision.models.efficientnet import (
    EfficientNet,
    efficientnet_b0,
    efficientnet_b1,
    efficientnet_b2,
    efficientnet_b3,
)
from rxvision.models.transfer import get_classifier  # noqa: F401 (finds the classifier layer)
from rxvision.models.vit import VisionTransformer, vit_tiny_patch16_224

__all__ = [
    "ARCHITECTURES",
    "CONFIG_NAME",
    "LEGACY_WEIGHTS_NAME",
    "WEIGHTS_NAME",
    "from_pretrained",
    "save_pretrained",
]

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
LEGACY_WEIGHTS_NAME = "pytorch_model.bin"

#: Constructor names usable as ``config["architecture"]`` (given; the grader may add its own).
ARCHITECTURES: dict[str, Callable[..., nn.Module]] = {
    "efficientnet": EfficientNet,
    "efficientnet_b0": efficientnet_b0,
    "efficientnet_b1": efficientnet_b1,
    "efficientnet_b2": efficientnet_b2,
    "efficientnet_b3": efficientnet_b3,
    "vit": VisionTransformer,
    "vit_tiny_patch16_224": vit_tiny_patch16_224,
}


def save_pretrained(
    model: nn.Module, directory: str | os.PathLike[str], config: Mapping[str, Any]
) -> Path:
    """Write ``model`` to ``directory`` (created if needed): config.json and model.safetensors.

    Steps:

    1. check ``config``: ``config["architecture"]`` must be a key of :data:`ARCHITECTURES`
       (otherwise ValueError naming it and listing the known ones) [#save-architecture] and
       ``"num_classes"`` must be present (ValueError otherwise). [#save-num-classes] Check before
       writing anything (a bad config creates no directory and no file); [#check-first]
    2. create the directory (``mkdir(parents=True, exist_ok=True)``); [#mkdir]
    3. write ``model.state_dict()`` (parameters AND buffers: BatchNorm's running statistics
       are buffers) to ``directory / WEIGHTS_NAME`` with ``safetensors.torch.save_file``.
       [#safetensors]
       ``save_file`` refuses two things a state dict can hold: a non-contiguous tensor (call
       ``.contiguous()``) and tensors that share memory (tied weights; give the second one its
       own copy with ``.clone()``, compare ``tensor.untyped_storage().data_ptr()``). [#tied]
       Detach and move tensors to the CPU first;
    4. write ``config`` to ``directory / CONFIG_NAME`` with ``json.dumps(config, indent=2,
       sort_keys=True)``: stable, diff-friendly text. [#config-json]

    Never ``torch.save`` or pickle anything: the directory must hold no pickle. [#no-pickle]

    Args:
        model: the model to save.
        directory: the checkpoint directory; files of the same names are overwritten.
            [#overwrite]
        config: ``{"architecture": name, **constructor kwargs}`` with ``num_classes`` among
            the kwargs, e.g. ``{"architecture": "efficientnet", "width_mult": 0.5,
            "depth_mult": 0.5, "num_classes": 26}``; every argument the model was built with
            must be there, or it is rebuilt with the defaults.

    Returns:
        The directory, as a ``Path``. [#returns-path]

    Raises:
        ValueError: unknown architecture, or no ``num_classes`` in ``config``.
    """
    # TODO: check the config, mkdir, save_file(state dict), write config.json.
    raise NotImplementedError


def from_pretrained(directory: str | os.PathLike[str], num_classes: int | None = None) -> nn.Module:
    """Rebuild the model saved by :func:`save_pretrained` in ``directory``; return it in eval mode.

    Steps:

    1. ``directory`` must be a directory (FileNotFoundError otherwise); [#no-directory]
       ``num_classes``, when given, must be >= 1 (ValueError); [#num-classes-range]
    2. read ``directory / CONFIG_NAME``: FileNotFoundError naming the file when it is missing,
       [#no-config] ValueError naming it when it is not valid JSON or not a JSON object,
       [#bad-json] and the checks of :func:`save_pretrained` (ValueError naming an unknown
       architecture); [#load-config-checks]
    3. read the tensors: ``safetensors.torch.load_file(directory / WEIGHTS_NAME)``; when that
       file does not exist, a legacy ``directory / LEGACY_WEIGHTS_NAME`` with
       ``torch.load(path, map_location="cpu", weights_only=True)`` (a pickle holding more than
       tensors then raises ``pickle.UnpicklingError``: let it propagate); [#legacy] neither
       file -> FileNotFoundError; [#no-weights] a ``model.safetensors`` that safetensors cannot
       read, or a legacy file that is not a mapping of names to tensors -> ValueError;
       [#bad-weights]
    4. build ``ARCHITECTURES[architecture](**kwargs)`` with every other config key as a keyword
       argument; [#build]
    5. load the tensors. If ``num_classes`` is given and differs from the saved one, build the
       model with the new ``num_classes`` instead, find its classifier
       (``rxvision.models.transfer.get_classifier(model)``: ``classifier`` for EfficientNet,
       ``head`` for ViT), drop the classifier's keys from the saved tensors, and then only
       those keys may be missing; [#new-head]
    6. any other missing key, any unexpected key, or a tensor whose shape differs from the
       model's -> ValueError whose message names the offending keys (not the RuntimeError of
       ``load_state_dict``: compare ``model.state_dict()`` keys and shapes with the saved ones
       first, or catch it and re-raise); [#strict]
    7. return ``model.eval()``. [#eval]

    Never write into ``directory``: loading must leave it byte-identical. [#read-only]

    Args:
        directory: a checkpoint directory written by :func:`save_pretrained`.
        num_classes: ``None`` (or the saved value) keeps the saved classifier; another value
            gives a freshly initialised classifier with that many outputs.

    Returns:
        The model, with every saved tensor (buffers included) loaded, in eval mode.
        [#round-trip]

    Raises:
        FileNotFoundError: no such directory, no ``config.json``, or no weights file.
        ValueError: bad ``config.json``, ``num_classes < 1``, or tensors that do not fit.
    """
    # TODO: read config.json, read the weights, build, (new head), check keys, load, eval.
    raise NotImplementedError
