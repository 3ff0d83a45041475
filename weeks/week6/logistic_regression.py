"""Drill (easy, 25 minutes): logistic regression trained by gradient descent.

The prompt
----------
Implement binary logistic regression in NumPy, trained by plain (full-batch, vectorised)
gradient descent:

- ``sigmoid(z)``: elementwise, finite for every finite ``z`` (``z = ±1000`` must give 1 and 0,
  never ``nan``); [#sigmoid]
- ``LogisticRegression(lr, n_iter, l2)`` with ``loss``, ``gradient``, ``fit``,
  ``predict_proba`` and ``predict``. ``__init__`` is given.

The model: ``p = sigmoid(X @ coef_ + intercept_)``. The objective minimised by ``fit``::

    loss(w, b) = mean_i( log(1 + exp(z_i)) - y_i * z_i )  +  l2 / 2 * ||w||^2,   z = X @ w + b

that is, the mean log-loss plus an L2 penalty on the weights only. [#objective] The bias
(``intercept_``) is **not** penalised: penalising it drags the decision threshold towards p = 0.5
on imbalanced data. [#no-bias-penalty] Compute the log-loss from the logits
(``np.logaddexp(0, z) - y * z``), never as ``log(sigmoid(z))``, which is ``log(0) = -inf`` once
``|z|`` is large. [#stable-loss]

``fit(X, y)`` starts from ``coef_ = zeros(d)`` and ``intercept_ = 0.0``, whatever they were
before, [#fit-reset] and takes exactly ``n_iter`` steps ``w -= lr * grad_w``,
``b -= lr * grad_b``, [#fit-steps] then returns ``self``. [#fit-self]
Each step costs O(n * d); no Python loop over samples. [#vectorised]

Shapes: ``X`` is ``(n, d)`` floats; ``y`` is ``(n,)`` with values in ``{0, 1}``. ``coef_`` has
shape ``(d,)``, ``intercept_`` is a float. [#params] ``predict_proba`` returns shape ``(n,)``
(probability of class 1) [#proba] and ``predict`` returns int64 labels (1 where the probability
is ``>= 0.5``). [#predict]

Errors: ``loss``, ``gradient`` and ``fit`` raise ``ValueError`` when

- ``X`` is not 2-D; [#x-2d]
- ``y`` does not have shape ``(n,)``; [#y-shape]
- ``y`` holds a value other than 0 and 1. [#y-binary]

Example::

    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]]); y = np.array([0, 0, 1, 1])
    >>> model = LogisticRegression(lr=0.5, n_iter=500).fit(X, y)
    >>> model.predict(np.array([[-3.0], [3.0]]))
    array([0, 1])

The grader compares ``fit`` with scikit-learn (same objective: ``C = 1 / (l2 * n)``), checks
``gradient`` against finite differences of ``loss``, and checks that the bias is not regularised.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["LogisticRegression", "sigmoid"]


def sigmoid(z: ArrayLike) -> NDArray[np.float64]:
    """The logistic function ``1 / (1 + exp(-z))``, elementwise and numerically stable.

    Args:
        z: any array (converted to float64).

    Returns:
        An array of the same shape with values in ``[0, 1]``, never ``nan``.
    """
    # TODO: for z >= 0 use 1 / (1 + exp(-z)); for z < 0 use exp(z) / (1 + exp(z)).
    raise NotImplementedError


class LogisticRegression:
    """Binary logistic regression with an L2 penalty on the weights (not the bias).

    Attributes:
        lr: gradient-descent step size.
        n_iter: number of gradient steps taken by :meth:`fit`.
        l2: strength of the penalty ``l2 / 2 * ||coef_||^2``.
        coef_: weights, shape ``(d,)`` (set by :meth:`fit`, or by hand).
        intercept_: the bias, a float.
    """

    def __init__(self, lr: float = 0.1, n_iter: int = 1000, l2: float = 0.0) -> None:
        self.lr = lr
        self.n_iter = n_iter
        self.l2 = l2
        self.coef_: NDArray[np.float64] = np.zeros(0)
        self.intercept_: float = 0.0

    def loss(self, X: ArrayLike, y: ArrayLike) -> float:
        """The objective at the current ``coef_`` and ``intercept_`` (see the module docstring).

        Args:
            X: shape ``(n, d)``.
            y: shape ``(n,)``, values in ``{0, 1}``.

        Returns:
            ``mean(logaddexp(0, z) - y * z) + l2 / 2 * ||coef_||^2``, a finite Python float.

        Raises:
            ValueError: on bad shapes or labels.
        """
        # TODO
        raise NotImplementedError

    def gradient(self, X: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], float]:
        """Gradient of :meth:`loss` at the current parameters.

        Args:
            X: shape ``(n, d)``.
            y: shape ``(n,)``, values in ``{0, 1}``.

        Returns:
            ``(grad_w, grad_b)``: an array of shape ``(d,)`` and a float. [#gradient]

        Raises:
            ValueError: on bad shapes or labels.
        """
        # TODO: vectorised; the penalty contributes to grad_w only.
        raise NotImplementedError

    def fit(self, X: ArrayLike, y: ArrayLike) -> LogisticRegression:
        """Reset the parameters to zero and take ``n_iter`` gradient-descent steps.

        Args:
            X: shape ``(n, d)``.
            y: shape ``(n,)``, values in ``{0, 1}``.

        Returns:
            ``self``.

        Raises:
            ValueError: on bad shapes or labels.
        """
        # TODO
        raise NotImplementedError

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Probability of class 1 for each row of ``X``, shape ``(n,)``."""
        # TODO
        raise NotImplementedError

    def predict(self, X: ArrayLike) -> NDArray[np.int64]:
        """Labels 0/1 (int64, shape ``(n,)``): 1 where ``predict_proba(X) >= 0.5``."""
        # TODO
        raise NotImplementedError
