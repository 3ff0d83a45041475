"""Reference solution of ``week1.device``: the reference system's device utilities."""

from rxvision.utils.device import DEVICE_ENV, move_model, move_to, pick_device

__all__ = ["DEVICE_ENV", "move_model", "move_to", "pick_device"]
