"""Reference solution of the max-pooling drill (see ``weeks/week6/max_pool.py``)."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["max_pool2d", "max_pool2d_backward"]

IntOrPair = int | tuple[int, int]


def _pair(value: IntOrPair, name: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int | np.integer) else tuple(value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def max_pool2d(
    x: np.ndarray,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Max pooling over (N, C, H, W); returns the output and torch-style flat argmax indices."""
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got {x.shape}")
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(kernel_size if stride is None else stride, "stride")
    ph, pw = _pair(padding, "padding")
    if min(kh, kw, sh, sw) < 1:
        raise ValueError("kernel_size and stride must be >= 1")
    if not (0 <= ph <= kh // 2 and 0 <= pw <= kw // 2):
        raise ValueError(f"padding must be between 0 and half the kernel, got {padding!r}")
    n, c, h, w = x.shape
    out_h, out_w = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    if out_h < 1 or out_w < 1:
        raise ValueError(f"a {kh}x{kw} window does not fit the padded {h}x{w} input")
    padded = np.pad(
        x.astype(np.result_type(x, np.float32), copy=False),
        ((0, 0), (0, 0), (ph, ph), (pw, pw)),
        constant_values=-np.inf,
    )
    windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    windows = windows[:, :, :out_h, :out_w].reshape(n, c, out_h, out_w, kh * kw)
    local = windows.argmax(axis=-1)  # first maximum in row-major window order, like torch
    out = np.take_along_axis(windows, local[..., None], axis=-1)[..., 0]
    du, dv = np.divmod(local, kw)
    rows = np.arange(out_h)[:, None] * sh + du - ph
    cols = np.arange(out_w)[None, :] * sw + dv - pw
    return out, (rows * w + cols).astype(np.int64)


def max_pool2d_backward(
    grad_out: np.ndarray, indices: np.ndarray, input_shape: tuple[int, int, int, int]
) -> np.ndarray:
    """Route each output gradient to its argmax input position, adding up where windows overlap."""
    grad_out, indices = np.asarray(grad_out), np.asarray(indices)
    if grad_out.shape != indices.shape:
        raise ValueError(f"grad_out {grad_out.shape} and indices {indices.shape} must match")
    n, c, h, w = input_shape
    if grad_out.ndim != 4 or grad_out.shape[:2] != (n, c):
        raise ValueError(f"grad_out {grad_out.shape} does not fit input_shape {input_shape}")
    grad_in = np.zeros(n * c * h * w, dtype=np.result_type(grad_out, np.float32))
    plane_start = (np.arange(n * c) * (h * w)).reshape(n, c, 1, 1)
    np.add.at(grad_in, (indices + plane_start).ravel(), grad_out.ravel())
    return grad_in.reshape(n, c, h, w)
