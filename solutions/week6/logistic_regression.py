"""Reference solution: logistic regression trained by batch gradient descent."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["LogisticRegression", "sigmoid"]


def sigmoid(z: ArrayLike) -> NDArray[np.float64]:
    """``1 / (1 + exp(-z))`` elementwise, finite for every finite ``z``."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _check_xy(X: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_samples, n_features), got {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"y must contain only 0 and 1, got values {np.unique(y)[:5]}")
    return X, y.astype(np.float64)


class LogisticRegression:
    """Binary logistic regression: mean log-loss + ``l2 / 2 * ||w||^2``, bias not penalised."""

    def __init__(self, lr: float = 0.1, n_iter: int = 1000, l2: float = 0.0) -> None:
        self.lr = lr
        self.n_iter = n_iter
        self.l2 = l2
        self.coef_: NDArray[np.float64] = np.zeros(0)
        self.intercept_: float = 0.0

    def _logits(self, X: NDArray[np.float64]) -> NDArray[np.float64]:
        return X @ self.coef_ + self.intercept_

    def loss(self, X: ArrayLike, y: ArrayLike) -> float:
        """Objective at the current ``coef_`` and ``intercept_``."""
        X, y = _check_xy(X, y)
        z = self._logits(X)
        data = np.mean(np.logaddexp(0.0, z) - y * z)
        return float(data + 0.5 * self.l2 * self.coef_ @ self.coef_)

    def gradient(self, X: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], float]:
        """Gradient of :meth:`loss` with respect to ``(coef_, intercept_)``."""
        X, y = _check_xy(X, y)
        residual = sigmoid(self._logits(X)) - y
        grad_w = X.T @ residual / X.shape[0] + self.l2 * self.coef_
        grad_b = float(residual.mean())
        return grad_w, grad_b

    def fit(self, X: ArrayLike, y: ArrayLike) -> LogisticRegression:
        """Start from zeros and take ``n_iter`` gradient steps of size ``lr``."""
        X, y = _check_xy(X, y)
        self.coef_ = np.zeros(X.shape[1])
        self.intercept_ = 0.0
        for _ in range(self.n_iter):
            grad_w, grad_b = self.gradient(X, y)
            self.coef_ = self.coef_ - self.lr * grad_w
            self.intercept_ = self.intercept_ - self.lr * grad_b
        return self

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Probability of class 1 for each row of ``X``, shape (n,)."""
        return sigmoid(self._logits(np.asarray(X, dtype=np.float64)))

    def predict(self, X: ArrayLike) -> NDArray[np.int64]:
        """Class 1 where the probability is at least 0.5, else class 0."""
        return (self.predict_proba(X) >= 0.5).astype(np.int64)
