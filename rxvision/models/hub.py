"""Local checkpoints in the Hugging Face layout: ``save_pretrained`` / ``from_pretrained``.

A checkpoint is a directory with two files:

    config.json         {"architecture": "vit", "num_classes": 26, "img_size": 32, ...}
    model.safetensors   the state dict (parameters and buffers), one tensor per key

``config.json`` says how to rebuild the model: a constructor name from :data:`ARCHITECTURES` and
its keyword arguments. The weights file holds only tensors. The safetensors format
(https://huggingface.co/docs/safetensors, Hugging Face's default) is a JSON header followed by
raw tensor bytes, so loading a file never runs code. Loading a pickle (what ``torch.save``
writes) can run any code the file's author chose. A legacy ``pytorch_model.bin`` is still read,
with ``torch.load(..., weights_only=True)``, which refuses to unpickle anything but tensors and
plain containers. Both ways serve the same rule: loading a checkpoint must never unpickle code.

``from_pretrained(directory, num_classes=n)`` swaps the classifier for a freshly initialised one
with ``n`` outputs (fine-tuning on a new label set): every other tensor must load, and only the
head's keys may be missing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import Tensor, nn

from rxvision.models.efficientnet import (
    EfficientNet,
    efficientnet_b0,
    efficientnet_b1,
    efficientnet_b2,
    efficientnet_b3,
)
from rxvision.models.transfer import get_classifier
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

#: Constructor names usable as ``config["architecture"]``; the other config keys are its kwargs.
ARCHITECTURES: dict[str, Callable[..., nn.Module]] = {
    "efficientnet": EfficientNet,
    "efficientnet_b0": efficientnet_b0,
    "efficientnet_b1": efficientnet_b1,
    "efficientnet_b2": efficientnet_b2,
    "efficientnet_b3": efficientnet_b3,
    "vit": VisionTransformer,
    "vit_tiny_patch16_224": vit_tiny_patch16_224,
}

_PREVIEW = 6  # keys shown per kind of problem in a loading error


def save_pretrained(
    model: nn.Module, directory: str | os.PathLike[str], config: Mapping[str, Any]
) -> Path:
    """Write ``model`` to ``directory`` (created if needed): config.json and model.safetensors.

    Args:
        model: the model; its whole ``state_dict()`` (parameters and buffers) is saved.
        directory: the checkpoint directory; existing files of the same names are overwritten.
        config: ``{"architecture": name, **constructor kwargs}``, with ``num_classes`` among
            the kwargs; written with sorted keys and an indent of 2.

    Tied tensors (two names, one storage) are each written in full and non-contiguous tensors
    are made contiguous, since safetensors refuses both as they are.

    Returns:
        The directory, as a ``Path``.

    Raises:
        ValueError: the architecture is unknown or ``num_classes`` is missing from ``config``.
    """
    _check_config(config, "config")
    text = json.dumps(dict(config), indent=2, sort_keys=True) + "\n"
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tensors = _standalone_tensors(model.state_dict())
    save_file(tensors, directory / WEIGHTS_NAME, metadata={"format": "pt"})
    (directory / CONFIG_NAME).write_text(text, encoding="utf-8")
    return directory


def from_pretrained(directory: str | os.PathLike[str], num_classes: int | None = None) -> nn.Module:
    """Rebuild the model saved by :func:`save_pretrained` in ``directory``, in eval mode.

    The model is built from ``config.json`` and loaded from ``model.safetensors`` (or, when that
    file is absent, from a legacy ``pytorch_model.bin`` with ``weights_only=True``). Every saved
    tensor must fit the model: same keys, same shapes. The directory is only read.

    Args:
        directory: the checkpoint directory.
        num_classes: ``None`` (or the saved value) loads the saved classifier; another value
            builds the model with that many classes and a freshly initialised classifier, and
            loads every other tensor.

    Raises:
        FileNotFoundError: no such directory, no ``config.json`` or no weights file.
        ValueError: ``config.json`` is not a JSON object with a known ``architecture`` and a
            ``num_classes``; ``num_classes < 1``; or the saved tensors do not fit the model
            (the message lists the missing, unexpected and wrongly shaped keys).
        pickle.UnpicklingError: a legacy ``pytorch_model.bin`` holds more than tensors.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(
            f"checkpoint directory {directory} does not exist (save_pretrained creates it)"
        )
    if num_classes is not None and num_classes < 1:
        raise ValueError(f"num_classes must be >= 1, got {num_classes}")
    config = _read_config(directory / CONFIG_NAME)
    kwargs = {key: value for key, value in config.items() if key != "architecture"}
    source, state = _read_weights(directory)
    replace_head = num_classes is not None and num_classes != kwargs["num_classes"]
    if replace_head:
        kwargs["num_classes"] = num_classes
    model = ARCHITECTURES[config["architecture"]](**kwargs)
    new_head = _head_keys(model) if replace_head else set()
    state = {key: value for key, value in state.items() if key not in new_head}
    _load_checked(model, state, source, new_head)
    return model.eval()


# -- helpers -----------------------------------------------------------------------------------
def _check_config(config: object, where: str) -> None:
    """Raise ValueError unless ``config`` is a mapping with a known architecture and num_classes."""
    if not isinstance(config, Mapping):
        raise ValueError(f"{where} must be a JSON object, got {type(config).__name__}")
    name = config.get("architecture")
    if name not in ARCHITECTURES:
        raise ValueError(
            f"{where}: unknown architecture {name!r}; known: {', '.join(sorted(ARCHITECTURES))}"
        )
    if "num_classes" not in config:
        raise ValueError(f"{where} has no 'num_classes' (the classifier's output count)")


def _read_config(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: a checkpoint directory holds {CONFIG_NAME} and {WEIGHTS_NAME}"
        )
    try:
        config = json.loads(path.read_bytes())
    except ValueError as err:  # JSONDecodeError, UnicodeDecodeError
        raise ValueError(f"{path} is not valid JSON: {err}") from err
    _check_config(config, str(path))
    return config


def _read_weights(directory: Path) -> tuple[Path, dict[str, Tensor]]:
    """The weights file and its tensors on the CPU; never unpickles code."""
    path = directory / WEIGHTS_NAME
    if path.is_file():
        try:
            return path, load_file(path, device="cpu")
        except SafetensorError as err:
            raise ValueError(f"{path} is not a safetensors file: {err}") from err
    path = directory / LEGACY_WEIGHTS_NAME
    if path.is_file():
        state = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(state, Mapping) or not all(
            isinstance(value, Tensor) for value in state.values()
        ):
            raise ValueError(f"{path} does not hold a state dict (names to tensors)")
        return path, dict(state)
    raise FileNotFoundError(
        f"{directory} has no weights file: expected {WEIGHTS_NAME} (or a legacy "
        f"{LEGACY_WEIGHTS_NAME})"
    )


def _standalone_tensors(state: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """Contiguous CPU tensors, each with its own storage (a tied tensor is copied)."""
    tensors: dict[str, Tensor] = {}
    storages: set[int] = set()
    for name, tensor in state.items():
        tensor = tensor.detach().cpu().contiguous()
        storage = tensor.untyped_storage().data_ptr()
        if storage in storages:
            tensor = tensor.clone()
        storages.add(storage)
        tensors[name] = tensor
    return tensors


def _head_keys(model: nn.Module) -> set[str]:
    """State-dict keys of the classifier (:func:`rxvision.models.transfer.get_classifier`)."""
    head = get_classifier(model)
    name = next(name for name, module in model.named_modules() if module is head)
    return {f"{name}.{key}" for key in head.state_dict()}


def _load_checked(
    model: nn.Module, state: Mapping[str, Tensor], source: Path, new_head: set[str]
) -> None:
    """Load ``state`` into ``model``; only the ``new_head`` keys may be missing.

    Raises:
        ValueError: listing the missing, unexpected and wrongly shaped keys.
    """
    own = model.state_dict()
    missing = sorted(own.keys() - state.keys() - new_head)
    unexpected = sorted(state.keys() - own.keys())
    wrong_shape = sorted(
        f"{key} {tuple(state[key].shape)} vs {tuple(own[key].shape)}"
        for key in own.keys() & state.keys()
        if state[key].shape != own[key].shape
    )
    problems = [
        f"{label} ({len(keys)}): {_preview(keys)}"
        for label, keys in (
            ("missing keys", missing),
            ("unexpected keys", unexpected),
            ("wrong shapes, saved vs model", wrong_shape),
        )
        if keys
    ]
    if problems:
        raise ValueError(
            f"{source} does not fit the {type(model).__name__} described by {CONFIG_NAME}: "
            + "; ".join(problems)
        )
    model.load_state_dict(state, strict=not new_head)


def _preview(keys: list[str]) -> str:
    """The first few keys, comma-separated, with ``...`` when there are more."""
    shown = ", ".join(keys[:_PREVIEW])
    return shown + ", ..." if len(keys) > _PREVIEW else shown
