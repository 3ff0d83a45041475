"""Reference solution of the batch-norm / layer-norm drill (see the stub for the spec)."""

from __future__ import annotations

import numpy as np

__all__ = ["BatchNorm2d", "LayerNorm"]


def _normalize_backward(
    grad_xhat: np.ndarray, xhat: np.ndarray, inv_std: np.ndarray, axes: tuple[int, ...]
) -> np.ndarray:
    """Gradient through ``xhat = (x - mean) / sqrt(var + eps)`` with stats over ``axes``."""
    m = int(np.prod([xhat.shape[a] for a in axes]))
    sum_g = grad_xhat.sum(axis=axes, keepdims=True)
    sum_gx = (grad_xhat * xhat).sum(axis=axes, keepdims=True)
    return inv_std / m * (m * grad_xhat - sum_g - xhat * sum_gx)


class BatchNorm2d:
    """Batch normalisation over (N, H, W) for each channel of an (N, C, H, W) input."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.weight = np.ones(num_features)
        self.bias = np.zeros(num_features)
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.training = True
        self.grad_weight: np.ndarray | None = None
        self.grad_bias: np.ndarray | None = None
        self._cache: tuple[np.ndarray, np.ndarray, bool] | None = None

    def train(self, mode: bool = True) -> BatchNorm2d:
        """Switch to training (``mode=True``) or evaluation mode; returns ``self``."""
        self.training = mode
        return self

    def eval(self) -> BatchNorm2d:
        """Switch to evaluation mode; returns ``self``."""
        return self.train(False)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Normalise ``x`` (N, C, H, W); in training also update the running statistics."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 4 or x.shape[1] != self.num_features:
            raise ValueError(f"expected (N, {self.num_features}, H, W), got {x.shape}")
        axes = (0, 2, 3)
        if self.training:
            m = x.shape[0] * x.shape[2] * x.shape[3]
            if m < 2:
                raise ValueError("batch norm needs more than 1 value per channel in training")
            mean = x.mean(axis=axes)
            var = x.var(axis=axes)  # biased: used to normalise
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * (
                var * m / (m - 1)  # unbiased: used for the running estimate
            )
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        inv_std = inv_std[None, :, None, None]
        xhat = (x - mean[None, :, None, None]) * inv_std
        self._cache = (xhat, inv_std, self.training)
        return xhat * self.weight[None, :, None, None] + self.bias[None, :, None, None]

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Gradient w.r.t. the last forward's input; sets ``grad_weight`` and ``grad_bias``."""
        if self._cache is None:
            raise RuntimeError("call forward before backward")
        xhat, inv_std, training = self._cache
        grad_out = np.asarray(grad_out, dtype=np.float64)
        axes = (0, 2, 3)
        self.grad_weight = (grad_out * xhat).sum(axis=axes)
        self.grad_bias = grad_out.sum(axis=axes)
        grad_xhat = grad_out * self.weight[None, :, None, None]
        if not training:  # the statistics are constants in eval mode
            return grad_xhat * inv_std
        return _normalize_backward(grad_xhat, xhat, inv_std, axes)


class LayerNorm:
    """Layer normalisation over the trailing ``normalized_shape`` dimensions of each sample."""

    def __init__(self, normalized_shape: int | tuple[int, ...], eps: float = 1e-5) -> None:
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape = tuple(int(s) for s in shape)
        self.eps = eps
        self.weight = np.ones(self.normalized_shape)
        self.bias = np.zeros(self.normalized_shape)
        self.grad_weight: np.ndarray | None = None
        self.grad_bias: np.ndarray | None = None
        self._cache: tuple[np.ndarray, np.ndarray] | None = None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Normalise every sample of ``x`` (..., *normalized_shape) over its trailing dims."""
        x = np.asarray(x, dtype=np.float64)
        k = len(self.normalized_shape)
        if x.shape[x.ndim - k :] != self.normalized_shape:
            raise ValueError(f"x {x.shape} does not end with {self.normalized_shape}")
        axes = tuple(range(x.ndim - k, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        inv_std = 1.0 / np.sqrt(x.var(axis=axes, keepdims=True) + self.eps)
        xhat = (x - mean) * inv_std
        self._cache = (xhat, inv_std)
        return xhat * self.weight + self.bias

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Gradient w.r.t. the last forward's input; sets ``grad_weight`` and ``grad_bias``."""
        if self._cache is None:
            raise RuntimeError("call forward before backward")
        xhat, inv_std = self._cache
        grad_out = np.asarray(grad_out, dtype=np.float64)
        k = len(self.normalized_shape)
        batch_axes = tuple(range(xhat.ndim - k))
        self.grad_weight = (grad_out * xhat).sum(axis=batch_axes)
        self.grad_bias = grad_out.sum(axis=batch_axes)
        axes = tuple(range(xhat.ndim - k, xhat.ndim))
        return _normalize_backward(grad_out * self.weight, xhat, inv_std, axes)
