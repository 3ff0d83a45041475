"""Reference solution of the conv2d-via-im2col drill (see ``weeks/week6/conv2d_im2col.py``)."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["conv2d", "conv2d_naive", "conv_output_size", "im2col"]

IntOrPair = int | tuple[int, int]


def _pair(value: IntOrPair, name: str, minimum: int) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int | np.integer) else tuple(value)
    if len(pair) != 2 or any(int(v) != v or v < minimum for v in pair):
        raise ValueError(f"{name} must be an int >= {minimum} or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def conv_output_size(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Output length along one spatial dimension."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def im2col(
    x: np.ndarray,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> np.ndarray:
    """Unfold the patches of ``x`` (N, C, H, W) into columns (N, C * kh * kw, out_h * out_w)."""
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got {x.shape}")
    kh, kw = _pair(kernel_size, "kernel_size", 1)
    (sh, sw), (ph, pw), (dh, dw) = _params(stride, padding, dilation)
    n, c, h, w = x.shape
    out_h = conv_output_size(h, kh, sh, ph, dh)
    out_w = conv_output_size(w, kw, sw, pw, dw)
    if out_h < 1 or out_w < 1:
        raise ValueError(
            f"the dilated kernel ({dh * (kh - 1) + 1}, {dw * (kw - 1) + 1}) is larger than the "
            f"padded input ({h + 2 * ph}, {w + 2 * pw})"
        )
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    windows = sliding_window_view(padded, span, axis=(2, 3))  # (N, C, H', W', span_h, span_w)
    windows = windows[:, :, ::sh, ::sw, ::dh, ::dw][:, :, :out_h, :out_w]  # (N, C, oh, ow, kh, kw)
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, out_h * out_w)


def _params(
    stride: IntOrPair, padding: IntOrPair, dilation: IntOrPair
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    return _pair(stride, "stride", 1), _pair(padding, "padding", 0), _pair(dilation, "dilation", 1)


def _check(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, groups: int) -> None:
    if x.ndim != 4 or w.ndim != 4:
        raise ValueError(f"x and w must be 4-D (NCHW, OIHW), got {x.shape} and {w.shape}")
    if not isinstance(groups, int | np.integer) or groups < 1:
        raise ValueError(f"groups must be a positive int, got {groups!r}")
    c, o = x.shape[1], w.shape[0]
    if c % groups or o % groups:
        raise ValueError(f"in ({c}) and out ({o}) channels must both be divisible by {groups=}")
    if w.shape[1] * groups != c:
        raise ValueError(
            f"w has {w.shape[1]} input channels per group but x has {c} channels and {groups=}"
        )
    if b is not None and b.shape != (o,):
        raise ValueError(f"b must have shape ({o},), got {b.shape}")


def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D cross-correlation, NCHW, as ``torch.nn.functional.conv2d``, via im2col + matmul."""
    x, w = np.asarray(x), np.asarray(w)
    b = None if b is None else np.asarray(b)
    _check(x, w, b, groups)
    n, _, h, wd = x.shape
    o, cg, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = _params(stride, padding, dilation)
    out_h, out_w = conv_output_size(h, kh, sh, ph, dh), conv_output_size(wd, kw, sw, pw, dw)
    cols = im2col(x, (kh, kw), stride, padding, dilation)  # (N, C*kh*kw, out_h*out_w)
    cols = cols.reshape(n, groups, cg * kh * kw, out_h * out_w)
    weights = w.reshape(groups, o // groups, cg * kh * kw)
    out = (weights[None] @ cols).reshape(n, o, out_h, out_w)  # one batched matmul
    if b is not None:
        out = out + b[None, :, None, None]
    return out


def conv2d_naive(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> np.ndarray:
    """The same convolution with explicit loops over outputs (the reference to compare with)."""
    x, w = np.asarray(x), np.asarray(w)
    b = None if b is None else np.asarray(b)
    _check(x, w, b, groups)
    (sh, sw), (ph, pw), (dh, dw) = _params(stride, padding, dilation)
    n, _, h, wd = x.shape
    o, cg, kh, kw = w.shape
    out_h, out_w = conv_output_size(h, kh, sh, ph, dh), conv_output_size(wd, kw, sw, pw, dw)
    if out_h < 1 or out_w < 1:
        raise ValueError("the dilated kernel is larger than the padded input")
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((n, o, out_h, out_w), dtype=np.result_type(x, w))
    per_group = o // groups
    for sample in range(n):
        for oc in range(o):
            g = oc // per_group
            channels = padded[sample, g * cg : (g + 1) * cg]
            for i in range(out_h):
                for j in range(out_w):
                    patch = channels[
                        :,
                        i * sh : i * sh + dh * (kh - 1) + 1 : dh,
                        j * sw : j * sw + dw * (kw - 1) + 1 : dw,
                    ]
                    out[sample, oc, i, j] = np.sum(patch * w[oc])
    if b is not None:
        out = out + b[None, :, None, None]
    return out
