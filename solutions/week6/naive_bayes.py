"""Reference solution of the Gaussian naive Bayes drill (see ``weeks/week6/naive_bayes.py``)."""

from __future__ import annotations

import numpy as np

__all__ = ["GaussianNB"]


class GaussianNB:
    """Gaussian naive Bayes in log space, numerically identical to scikit-learn's."""

    def __init__(self, var_smoothing: float = 1e-9) -> None:
        self.var_smoothing = var_smoothing
        self.classes_: np.ndarray | None = None
        self.class_prior_: np.ndarray | None = None
        self.theta_: np.ndarray | None = None
        self.var_: np.ndarray | None = None
        self.epsilon_: float | None = None

    def fit(self, X: np.ndarray, y: np.ndarray) -> GaussianNB:
        """Estimate the class priors and the per-class feature means and variances."""
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
        if X.ndim != 2 or y.ndim != 1 or len(X) != len(y) or len(y) == 0:
            raise ValueError(f"need X (n, d) and y (n,), n > 0; got {X.shape} and {y.shape}")
        self.classes_, index = np.unique(y, return_inverse=True)
        self.epsilon_ = float(self.var_smoothing * np.var(X, axis=0).max())
        k = len(self.classes_)
        counts = np.bincount(index, minlength=k)
        self.class_prior_ = counts / len(y)
        self.theta_ = np.stack([X[index == c].mean(axis=0) for c in range(k)])
        self.var_ = np.stack([X[index == c].var(axis=0) for c in range(k)]) + self.epsilon_
        return self

    def _joint_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        if self.theta_ is None:
            raise RuntimeError("call fit before predicting")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.theta_.shape[1]:
            raise ValueError(f"X must have shape (n, {self.theta_.shape[1]}), got {X.shape}")
        log_norm = -0.5 * np.sum(np.log(2.0 * np.pi * self.var_), axis=1)  # (k,)
        sq = (X[:, None, :] - self.theta_[None]) ** 2 / self.var_[None]  # (n, k, d)
        return np.log(self.class_prior_) + log_norm - 0.5 * sq.sum(axis=2)

    def predict_log_proba(self, X: np.ndarray) -> np.ndarray:
        """``log P(class | x)`` for every row of ``X``, shape ``(n, n_classes)``."""
        jll = self._joint_log_likelihood(X)
        peak = jll.max(axis=1, keepdims=True)
        return jll - (peak + np.log(np.exp(jll - peak).sum(axis=1, keepdims=True)))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """``P(class | x)``, shape ``(n, n_classes)``; rows sum to 1."""
        return np.exp(self.predict_log_proba(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The most probable class label of every row of ``X``."""
        return self.classes_[np.argmax(self._joint_log_likelihood(X), axis=1)]
