"""Bug: conv2d ignores dilation (kernel taps always adjacent)."""

from types import ModuleType

from solutions.week6 import capstone_coding as _solution

__all__ = ["drill"]


def drill(name: str) -> ModuleType:
    module = _solution.drill(name)
    if name != "conv2d_im2col":
        return module
    patched = ModuleType(module.__name__)
    vars(patched).update(vars(module))

    def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
        return module.conv2d(x, w, b, stride=stride, padding=padding, dilation=1, groups=groups)

    patched.conv2d = conv2d
    return patched
