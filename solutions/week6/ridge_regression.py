"""Reference solution: ridge regression in closed form (least squares) and by gradient descent."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["fit_ridge", "fit_ridge_gd"]


def _centre(X: ArrayLike, y: ArrayLike, alpha: float, fit_intercept: bool):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (n_samples >= 1, n_features), got {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
    if alpha < 0:
        raise ValueError(f"alpha must be non-negative, got {alpha}")
    if fit_intercept:
        x_mean, y_mean = X.mean(axis=0), float(y.mean())
    else:
        x_mean, y_mean = np.zeros(X.shape[1]), 0.0
    return X - x_mean, y - y_mean, x_mean, y_mean


def fit_ridge(
    X: ArrayLike, y: ArrayLike, alpha: float = 1.0, fit_intercept: bool = True
) -> tuple[NDArray[np.float64], float]:
    """Minimise ``||y - X w - b||^2 + alpha ||w||^2``; the intercept ``b`` is not penalised."""
    Xc, yc, x_mean, y_mean = _centre(X, y, alpha, fit_intercept)
    d = Xc.shape[1]
    # least squares on [Xc; sqrt(alpha) I] w = [yc; 0]: the normal equations of ridge, solved
    # without forming X^T X (whose condition number is the square of X's)
    A = np.vstack([Xc, np.sqrt(alpha) * np.eye(d)])
    b = np.concatenate([yc, np.zeros(d)])
    coef = np.linalg.lstsq(A, b, rcond=None)[0]
    intercept = y_mean - float(x_mean @ coef) if fit_intercept else 0.0
    return coef, intercept


def fit_ridge_gd(
    X: ArrayLike,
    y: ArrayLike,
    alpha: float = 1.0,
    fit_intercept: bool = True,
    n_iter: int = 1000,
    lr: float | None = None,
) -> tuple[NDArray[np.float64], float]:
    """The same objective (divided by n) minimised by gradient descent from zero."""
    Xc, yc, x_mean, y_mean = _centre(X, y, alpha, fit_intercept)
    n, d = Xc.shape
    if lr is None:
        lipschitz = 2.0 * (np.linalg.norm(Xc, 2) ** 2 + alpha) / n
        lr = 1.0 / lipschitz if lipschitz > 0 else 1.0
    coef = np.zeros(d)
    for _ in range(n_iter):
        grad = 2.0 * (Xc.T @ (Xc @ coef - yc) + alpha * coef) / n
        coef = coef - lr * grad
    intercept = y_mean - float(x_mean @ coef) if fit_intercept else 0.0
    return coef, intercept
