"""Reference solution of ``week1.checkpoint_io``: the reference system's checkpoint format."""

from rxvision.models.hub import (
    ARCHITECTURES,
    CONFIG_NAME,
    LEGACY_WEIGHTS_NAME,
    WEIGHTS_NAME,
    from_pretrained,
    save_pretrained,
)

__all__ = [
    "ARCHITECTURES",
    "CONFIG_NAME",
    "LEGACY_WEIGHTS_NAME",
    "WEIGHTS_NAME",
    "from_pretrained",
    "save_pretrained",
]
