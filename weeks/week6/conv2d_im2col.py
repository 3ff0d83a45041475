"""Drill: conv2d via im2col (hard, time box 45 minutes).

Interview prompt: "Implement a 2-D convolution layer's forward pass in NumPy. First the obvious
loops, then make it fast by turning it into one matrix multiplication."

A deep-learning "convolution" is a *cross-correlation*: the kernel is NOT flipped.
[#cross-correlation]
For input ``x`` of shape ``(N, C, H, W)`` and weights ``w`` of shape ``(O, C // groups, kh, kw)``::

    out[n, o, i, j] = b[o] + sum_{c, u, v} w[o, c, u, v]
                      * xpad[n, g * C/groups + c, i * sh + u * dh, j * sw + v * dw]

where ``g = o // (O / groups)`` is the group of output channel ``o`` [#groups] and ``xpad`` is
``x`` padded with ``ph`` zero rows above *and* below and ``pw`` zero columns left *and* right.
[#padding]

You write four functions (the grader checks each against PyTorch):

- ``conv_output_size(size, kernel, stride, padding, dilation)``: output length along one axis,
  ``(size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1``. [#output-size]
- ``im2col(x, kernel_size, stride, padding, dilation)``: every receptive field as one column,
  shape ``(N, C * kh * kw, out_h * out_w)``. Row order is channel-major then kernel row then kernel
  column (row ``c * kh * kw + u * kw + v``); column order is output row-major
  (column ``i * out_w + j``). This is exactly ``torch.nn.functional.unfold``. [#im2col]
- ``conv2d(x, w, b, stride, padding, dilation, groups)``: im2col, then ONE (batched) matrix
  multiplication of ``w.reshape(O, -1)`` (per group) with the columns, then reshape to
  ``(N, O, out_h, out_w)``. [#conv2d] No Python loop over output positions. [#no-loops]
- ``conv2d_naive(...)``: same arguments and result, with explicit loops over outputs. [#naive]

Arguments ``stride``, ``padding`` and ``dilation`` are an int (same for both axes) or a pair
``(along H, along W)``. [#pairs] ``b`` may be ``None`` (no bias). [#bias] Inputs are float
arrays; return a new array, never modify the inputs. [#no-mutation]

Errors (``ValueError``), from ``im2col`` (its arguments), ``conv2d`` and ``conv2d_naive``:

- ``x``/``w`` not 4-D; [#ndim]
- in or out channels not divisible by ``groups``, or ``groups < 1``; [#groups-divisible]
- ``w.shape[1] * groups != C``; [#w-channels]
- ``b`` not ``None`` and not of shape ``(O,)``; [#bias-shape]
- stride or dilation < 1, padding < 0; [#params-range]
- a kernel larger than the padded input (output size < 1). [#kernel-fits]

Example::

    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> w = np.array([[[[1.0, 0.0], [0.0, 0.0]]]])      # picks the top-left of each window
    >>> conv2d(x, w)[0, 0]
    array([[0., 1.],
           [3., 4.]])

Complexity: im2col builds ``N * C * kh * kw * out_h * out_w`` entries; the multiplication is
``O(N * O * (C / groups) * kh * kw * out_h * out_w)``. [#complexity] Expect to explain the
memory cost of the column matrix and why the matmul is still faster than the loops.
"""

from __future__ import annotations

import numpy as np

__all__ = ["conv2d", "conv2d_naive", "conv_output_size", "im2col"]

IntOrPair = int | tuple[int, int]


def conv_output_size(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Output length along one spatial dimension.

    Args:
        size: input length (H or W).
        kernel: kernel length along that axis.
        stride: step between windows.
        padding: zeros added on EACH side.
        dilation: spacing between kernel taps (1 = contiguous).

    Returns:
        ``(size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1`` (may be < 1 when the
        kernel does not fit; callers raise).
    """
    # TODO: one line of integer arithmetic.
    raise NotImplementedError


def im2col(
    x: np.ndarray,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> np.ndarray:
    """Unfold every receptive field of ``x`` into a column (like ``torch.nn.functional.unfold``).

    Args:
        x: input, shape ``(N, C, H, W)``.
        kernel_size: ``kh`` (square) or ``(kh, kw)``.
        stride: int or ``(sh, sw)``.
        padding: int or ``(ph, pw)``, zeros on both sides of each axis.
        dilation: int or ``(dh, dw)``.

    Returns:
        Array of shape ``(N, C * kh * kw, out_h * out_w)``; row ``c * kh * kw + u * kw + v``,
        column ``i * out_w + j`` holds ``xpad[n, c, i * sh + u * dh, j * sw + v * dw]``.

    Raises:
        ValueError: ``x`` is not 4-D, a bad stride/padding/dilation, or the kernel does not fit.
    """
    # TODO: pad, take a sliding-window view, slice by stride and dilation, transpose, reshape.
    raise NotImplementedError


def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D cross-correlation, identical to ``torch.nn.functional.conv2d``, via im2col + matmul.

    Args:
        x: input, shape ``(N, C, H, W)``.
        w: weights, shape ``(O, C // groups, kh, kw)``.
        b: bias, shape ``(O,)``, or ``None``.
        stride: int or ``(sh, sw)``.
        padding: int or ``(ph, pw)``.
        dilation: int or ``(dh, dw)``.
        groups: input and output channels are split into this many blocks; block ``g`` of the
            output only sees block ``g`` of the input (``groups == C`` is a depthwise conv).

    Returns:
        Output of shape ``(N, O, out_h, out_w)``.

    Raises:
        ValueError: see the module docstring.
    """
    # TODO: im2col once, then one batched matrix multiplication over the groups.
    raise NotImplementedError


def conv2d_naive(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> np.ndarray:
    """The same convolution as :func:`conv2d`, written with explicit loops over the outputs.

    Same arguments, result and errors as :func:`conv2d`; slow but obviously correct, it is the
    baseline you compare your fast version with in an interview.
    """
    # TODO: loop over samples, output channels and output positions; slice the padded input.
    raise NotImplementedError
