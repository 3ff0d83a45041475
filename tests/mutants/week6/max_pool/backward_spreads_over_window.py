"""Bug: backward spreads each window's gradient evenly over the whole window (like average pool).

The forward pass is the reference; it remembers its arguments so the backward pass can find the
windows (a common design when the backward does not use the indices).
"""

from __future__ import annotations

import numpy as np

from solutions.week6.max_pool import __all__, _pair
from solutions.week6.max_pool import max_pool2d as _reference_forward

__all__ = list(__all__)
_LAST: dict[str, tuple[int, int]] = {}


def max_pool2d(x, kernel_size, stride=None, padding=0):
    _LAST["kernel"] = _pair(kernel_size, "kernel_size")
    _LAST["stride"] = _pair(kernel_size if stride is None else stride, "stride")
    _LAST["padding"] = _pair(padding, "padding")
    return _reference_forward(x, kernel_size, stride, padding)


def max_pool2d_backward(grad_out, indices, input_shape):
    (kh, kw), (sh, sw), (ph, pw) = _LAST["kernel"], _LAST["stride"], _LAST["padding"]
    n, c, h, w = input_shape
    grad_out = np.asarray(grad_out)
    grad_in = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    for i in range(grad_out.shape[2]):
        for j in range(grad_out.shape[3]):
            window = grad_in[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
            window += grad_out[:, :, i : i + 1, j : j + 1] / (kh * kw)
    return grad_in[:, :, ph : ph + h, pw : pw + w]
