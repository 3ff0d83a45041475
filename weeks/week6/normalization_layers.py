"""Drill: batch norm and layer norm, training and inference (medium, time box 30 minutes).

Interview prompt: "Implement BatchNorm2d and LayerNorm in NumPy, forward and backward, and explain
what changes between training and inference." The grader compares every number with PyTorch
(``torch.nn.BatchNorm2d``, ``torch.nn.LayerNorm``, float64) and checks gradients with autograd
and finite differences. Work in float64: inputs of any float dtype give float64 results. [#float64]

``BatchNorm2d(num_features, eps=1e-5, momentum=0.1)``, input ``(N, C, H, W)``:

- Parameters ``weight`` (gamma, ones) and ``bias`` (beta, zeros), shape ``(C,)``; buffers
  ``running_mean`` (zeros) and ``running_var`` (ones), shape ``(C,)``. [#bn-init] Flag
  ``training`` (starts ``True``), switched by ``train(mode=True)`` / ``eval()`` which return
  ``self``. [#train-eval]
- Training: per channel, ``mean`` and the BIASED ``var`` over the ``m = N * H * W`` values;
  ``y = (x - mean) / sqrt(var + eps) * weight + bias``. [#bn-train-forward] Then update the
  buffers the PyTorch way::

      running_mean = (1 - momentum) * running_mean + momentum * mean
      running_var  = (1 - momentum) * running_var  + momentum * var * m / (m - 1)   # UNBIASED

  [#running-stats] A channel with ``m == 1`` in training raises ``ValueError`` (as PyTorch
  does). [#bn-single-value]
  An input that is not ``(N, num_features, H, W)`` raises ``ValueError``. [#bn-shape]
- Evaluation: normalise with ``running_mean`` and ``running_var`` (never the batch's statistics)
  and do not touch the buffers. [#bn-eval]

``LayerNorm(normalized_shape, eps=1e-5)``: ``normalized_shape`` is an int or a tuple naming the
trailing dims of each sample, e.g. ``E`` for ``(B, T, E)`` or ``(C, H, W)`` for images. ``weight``
(ones) and ``bias`` (zeros) have shape ``normalized_shape``. [#ln-init] Each sample is normalised
over those trailing dims only (biased variance), in training and inference alike; no running
statistics. [#ln-forward]
An input whose trailing dims are not ``normalized_shape`` raises ``ValueError``. [#ln-shape]

Both layers: ``forward(x)`` (also ``layer(x)``) returns the output and remembers what backward
needs; ``backward(grad_out)`` returns the gradient w.r.t. the input of the LAST forward, in the mode
that forward ran in. [#backward-last] It stores ``grad_weight`` and ``grad_bias`` (same shapes as
``weight`` and ``bias``; ``None`` before the first backward). [#param-grads] In eval mode the
batch-norm statistics are constants, so its backward is a per-channel scale. [#bn-eval-backward]
``eps`` (added to the variance inside the square root) changes every output and gradient. [#eps]

Example::

    >>> bn = BatchNorm2d(1)
    >>> x = np.array([1.0, 2.0, 3.0, 4.0]).reshape(4, 1, 1, 1)
    >>> bn(x).ravel().round(4)
    array([-1.3416, -0.4472,  0.4472,  1.3416])
    >>> bn.running_mean, bn.running_var.round(4)      # 0.9 * 0 + 0.1 * 2.5; 0.9 + 0.1 * 5/3
    (array([0.25]), array([1.0667]))

Complexity: O(size of x) per call, vectorised over the batch (no Python loop over samples).
[#vectorized]
"""

from __future__ import annotations

import numpy as np

__all__ = ["BatchNorm2d", "LayerNorm"]


class BatchNorm2d:
    """Batch normalisation over (N, H, W) for each channel of an (N, C, H, W) input.

    Attributes:
        weight, bias: learnable scale and shift, shape ``(C,)``.
        running_mean, running_var: running statistics used in eval mode, shape ``(C,)``.
        training: ``True`` in training mode.
        grad_weight, grad_bias: set by :meth:`backward` (``None`` before).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        """Create the layer.

        Args:
            num_features: number of channels ``C``.
            eps: added to the variance inside the square root.
            momentum: weight of the new batch in the running averages.
        """
        # TODO: store the arguments; create weight, bias, running_mean, running_var, training,
        # grad_weight and grad_bias as described above.
        raise NotImplementedError

    def train(self, mode: bool = True) -> BatchNorm2d:
        """Switch to training (``mode=True``) or evaluation mode; returns ``self``."""
        # TODO
        raise NotImplementedError

    def eval(self) -> BatchNorm2d:
        """Switch to evaluation mode; returns ``self``."""
        # TODO
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Normalise ``x``; in training mode also update the running statistics.

        Args:
            x: input, shape ``(N, C, H, W)``.

        Returns:
            Output of the same shape.

        Raises:
            ValueError: wrong shape, or a single value per channel in training mode.
        """
        # TODO: batch statistics (training) or running statistics (eval); cache for backward.
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Gradient of the loss w.r.t. the input of the last :meth:`forward`.

        Args:
            grad_out: gradient w.r.t. the output, shape ``(N, C, H, W)``.

        Returns:
            Gradient w.r.t. the input; also sets ``grad_weight`` and ``grad_bias``.
        """
        # TODO: in training the mean and variance depend on x (three terms); in eval they do not.
        raise NotImplementedError


class LayerNorm:
    """Layer normalisation over the trailing ``normalized_shape`` dims of each sample.

    Attributes:
        weight, bias: learnable scale and shift, shape ``normalized_shape``.
        grad_weight, grad_bias: set by :meth:`backward` (``None`` before).
    """

    def __init__(self, normalized_shape: int | tuple[int, ...], eps: float = 1e-5) -> None:
        """Create the layer.

        Args:
            normalized_shape: the trailing dims to normalise over (an int means one dim).
            eps: added to the variance inside the square root.
        """
        # TODO: store normalized_shape as a tuple, eps, weight, bias, grad_weight, grad_bias.
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Normalise every sample over its trailing dims.

        Args:
            x: input of shape ``(..., *normalized_shape)``.

        Returns:
            Output of the same shape.

        Raises:
            ValueError: the trailing dims of ``x`` are not ``normalized_shape``.
        """
        # TODO: statistics over the LAST len(normalized_shape) axes, never the batch axis.
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Gradient of the loss w.r.t. the input of the last :meth:`forward`.

        Args:
            grad_out: gradient w.r.t. the output, same shape as the input.

        Returns:
            Gradient w.r.t. the input; also sets ``grad_weight`` and ``grad_bias`` (summed over
            every leading dim).
        """
        # TODO: the same formula as batch norm, over the normalised axes.
        raise NotImplementedError
