"""Reference solution of ``week1.transfer_learning``: the reference system's transfer helpers."""

from rxvision.models.transfer import (
    backbone_stages,
    freeze_backbone,
    get_classifier,
    param_groups,
    replace_classifier,
)

__all__ = [
    "backbone_stages",
    "freeze_backbone",
    "get_classifier",
    "param_groups",
    "replace_classifier",
]
