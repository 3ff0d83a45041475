"""Drill (easy, 20 minutes): linear and ridge regression, closed form and by gradient descent.

The prompt
----------
Fit ``y ≈ X @ coef + intercept`` by minimising the ridge objective (scikit-learn's ``Ridge``)::

    ||y - X @ coef - intercept||^2 + alpha * ||coef||^2

[#objective] The intercept is **not** penalised: with ``fit_intercept=True``, centre ``X`` and
``y`` (subtract the column means and the mean of y), solve for ``coef`` on the centred data, then
``intercept = y_mean - x_mean @ coef``. [#intercept] With ``fit_intercept=False`` nothing is
centred and the intercept is ``0.0``. [#no-intercept] ``alpha = 0`` is ordinary least squares.
[#ols]

``fit_ridge(X, y, alpha=1.0, fit_intercept=True)``
    closed form. Never call ``np.linalg.inv``: solve ``(XᵀX + alpha I) coef = Xᵀy`` with
    ``np.linalg.solve`` when ``alpha > 0``, or (better, and required when ``alpha == 0``) solve
    the least-squares problem with ``np.linalg.lstsq`` (``[X; sqrt(alpha) I] coef ≈ [y; 0]``
    has the same solution without squaring X's condition number). For a rank-deficient ``X``
    with ``alpha == 0`` (e.g. a duplicated column) return the **minimum-norm** solution, which
    is what ``lstsq`` gives: finite, never ``inf`` or a LinAlgError. [#min-norm]
``fit_ridge_gd(X, y, alpha=1.0, fit_intercept=True, n_iter=1000, lr=None)``
    the same objective divided by n, ``(||Xc @ coef - yc||^2 + alpha ||coef||^2) / n``, minimised
    by ``n_iter`` steps of gradient descent from ``coef = 0`` on the centred data; the gradient
    is ``2 (Xcᵀ (Xc @ coef - yc) + alpha coef) / n``. [#gd] ``lr=None`` means ``1 / L`` with
    ``L = 2 (sigma_max(Xc)^2 + alpha) / n`` (``sigma_max = np.linalg.norm(Xc, 2)``), a step
    that always converges. [#gd-lr] Same intercept rule.

Both return ``(coef, intercept)``: an array of shape ``(d,)`` and a Python float. [#returns]
Errors (``ValueError``): ``X`` not 2-D (or with no rows), [#x-shape] ``y`` not of shape
``(n,)``, [#y-shape] ``alpha < 0``. [#alpha-range]

Complexity: closed form O(n d^2 + d^3); gradient descent O(n d) per step.

Example::

    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = 2 * X[:, 0] + 1
    >>> fit_ridge(X, y, alpha=0.0)
    (array([2.]), 1.0)
    >>> coef, intercept = fit_ridge(X, y, alpha=5.0)      # shrinks the slope, not the intercept
    >>> coef.round(3), round(intercept, 3)
    (array([1.]), 2.5)

The grader compares with ``sklearn.linear_model.Ridge``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["fit_ridge", "fit_ridge_gd"]


def fit_ridge(
    X: ArrayLike, y: ArrayLike, alpha: float = 1.0, fit_intercept: bool = True
) -> tuple[NDArray[np.float64], float]:
    """Ridge regression in closed form.

    Args:
        X: shape ``(n, d)``.
        y: shape ``(n,)``.
        alpha: L2 penalty on ``coef`` (not on the intercept), ``>= 0``.
        fit_intercept: centre the data and fit an unpenalised intercept.

    Returns:
        ``(coef, intercept)``.

    Raises:
        ValueError: see the module docstring.
    """
    # TODO: centre, solve without inv, recover the intercept.
    raise NotImplementedError


def fit_ridge_gd(
    X: ArrayLike,
    y: ArrayLike,
    alpha: float = 1.0,
    fit_intercept: bool = True,
    n_iter: int = 1000,
    lr: float | None = None,
) -> tuple[NDArray[np.float64], float]:
    """Ridge regression by gradient descent.

    Args:
        X: shape ``(n, d)``.
        y: shape ``(n,)``.
        alpha: L2 penalty on ``coef``, ``>= 0``.
        fit_intercept: centre the data and fit an unpenalised intercept.
        n_iter: number of gradient steps.
        lr: step size; ``None`` means ``1 / L`` (see the module docstring).

    Returns:
        ``(coef, intercept)``.

    Raises:
        ValueError: see the module docstring.
    """
    # TODO
    raise NotImplementedError
