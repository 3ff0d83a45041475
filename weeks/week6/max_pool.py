"""Drill: max pooling, forward and backward (medium, time box 25 minutes).

Interview prompt: "Implement 2-D max pooling in NumPy, returning the argmax indices, and its
backward pass. Your results must match PyTorch exactly, including overlapping windows and
padding."

``max_pool2d(x, kernel_size, stride=None, padding=0)``

- ``x``: float array ``(N, C, H, W)``. ``kernel_size``, ``stride`` and ``padding`` are an int or a
  pair ``(along H, along W)``. [#pairs] ``stride=None`` means ``stride = kernel_size``.
  [#stride-default]
- Padding adds ``padding`` cells on EACH side that can never win the max: pad with ``-inf``
  (zeros would beat negative inputs). [#pad-neg-inf] Like PyTorch, require
  ``0 <= padding <= kernel // 2``. [#padding-range]
- Output size per axis: ``(H + 2 * padding - kernel) // stride + 1`` (floor, no ceil mode).
  [#out-size]
- Returns ``(out, indices)``, both of shape ``(N, C, out_h, out_w)``. ``indices`` (int64) is
  PyTorch's ``return_indices=True`` convention: the flat position ``h * W + w`` of the max inside
  its own ``H x W`` input plane (unpadded coordinates). [#indices] On ties, the first maximum in
  row-major order inside the window wins (what ``np.argmax`` gives). [#ties]

``max_pool2d_backward(grad_out, indices, input_shape)``

- ``grad_out``: gradient of the loss w.r.t. ``out``; ``indices``: from the forward pass;
  ``input_shape``: ``x.shape``.
- Returns ``grad_in`` of shape ``input_shape``: each window's gradient goes to its argmax only,
  every other input gets 0. [#backward-argmax] When windows overlap (stride < kernel) one input
  can be the max of several windows: its gradients ADD UP. [#backward-accumulate]

Neither function modifies its arguments. [#no-mutation]

Errors (``ValueError``, raised when called): ``x`` not 4-D [#x-4d], kernel or stride < 1
[#kernel-stride-range], padding out of range (see above), a window that does not fit
[#window-fits], ``grad_out`` and ``indices`` of different shapes [#backward-shapes].

Example::

    >>> x = np.array([[[[1.0, 2.0], [4.0, 3.0]]]])
    >>> out, idx = max_pool2d(x, 2)
    >>> out, idx
    (array([[[[4.]]]]), array([[[[2]]]]))
    >>> max_pool2d_backward(np.ones((1, 1, 1, 1)), idx, x.shape)[0, 0]
    array([[0., 0.],
           [1., 0.]])

Complexity: forward O(N * C * out_h * out_w * kh * kw) with no Python loop over positions (use a
sliding-window view). [#vectorized] Backward O(number of outputs), whatever the kernel size.
[#backward-cost]
"""

from __future__ import annotations

import numpy as np

__all__ = ["max_pool2d", "max_pool2d_backward"]

IntOrPair = int | tuple[int, int]


def max_pool2d(
    x: np.ndarray,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Max pooling with argmax indices, identical to ``F.max_pool2d(..., return_indices=True)``.

    Args:
        x: input, shape ``(N, C, H, W)``.
        kernel_size: int or ``(kh, kw)``.
        stride: int, pair, or ``None`` for ``kernel_size``.
        padding: int or ``(ph, pw)``, ``-inf`` cells on each side, at most half the kernel.

    Returns:
        ``(out, indices)`` of shape ``(N, C, out_h, out_w)``; ``indices[n, c, i, j]`` is
        ``h * W + w`` of the winning input ``x[n, c, h, w]``.

    Raises:
        ValueError: see the module docstring.
    """
    # TODO: pad with -inf, sliding-window view, argmax over the flattened window, convert the
    # window-local index to (h, w) in input coordinates.
    raise NotImplementedError


def max_pool2d_backward(
    grad_out: np.ndarray, indices: np.ndarray, input_shape: tuple[int, int, int, int]
) -> np.ndarray:
    """Gradient of max pooling w.r.t. its input.

    Args:
        grad_out: gradient w.r.t. the pooled output, shape ``(N, C, out_h, out_w)``.
        indices: the ``indices`` returned by :func:`max_pool2d`, same shape.
        input_shape: ``(N, C, H, W)`` of the pooled input.

    Returns:
        ``grad_in`` of shape ``input_shape``: ``grad_out`` routed to the argmax positions,
        accumulated where one input won several windows.

    Raises:
        ValueError: ``grad_out`` and ``indices`` differ in shape, or do not fit ``input_shape``.
    """
    # TODO: scatter-ADD into a zero array (fancy-index assignment drops repeated indices).
    raise NotImplementedError
