"""Drill: the Adam optimiser with bias correction, and AdamW (medium, time box 20 minutes).

Interview prompt: "Implement Adam on NumPy arrays. Then add weight decay, both the way Adam does
it and the way AdamW does it, and explain the difference." The grader runs your optimiser and
``torch.optim.Adam`` / ``torch.optim.AdamW`` side by side on the same gradients for many steps
and compares the parameters after every step (float64).

``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False)``

- ``params``: a list of float NumPy arrays, updated IN PLACE by ``step`` (the caller keeps
  references to them, as with torch parameters). [#in-place]
- State: ``t`` (steps taken, starts at 0), ``m`` and ``v`` (one zero array per parameter: first
  and second moment estimates). [#state]
- ``step(grads)``: ``grads`` is a list with one gradient per parameter, same order and shapes
  (never modify them). [#grads-untouched] ``t`` grows by ONE per call (not per parameter).
  [#t-per-call] Then for each parameter::

      g = grad + weight_decay * p           # only if not decoupled (Adam's L2 penalty)
      p = p * (1 - lr * weight_decay)       # only if decoupled (AdamW), before the update
      m = b1 * m + (1 - b1) * g
      v = b2 * v + (1 - b2) * g**2
      m_hat = m / (1 - b1**t)               # bias correction: m and v start at 0
      v_hat = v / (1 - b2**t)
      p = p - lr * m_hat / (sqrt(v_hat) + eps)      # eps OUTSIDE the square root

  [#update] ``weight_decay`` with ``decoupled=False`` adds ``weight_decay * p`` to the gradient
  (it then flows through ``m`` and ``v``) [#l2]; with ``decoupled=True`` it only shrinks ``p``
  before the update. [#decoupled]

- Errors (``ValueError``, raised when called): negative ``lr``/``eps``/``weight_decay``, a beta
  outside ``[0, 1)`` [#hyper-range]; ``params`` that are not float arrays [#float-params]; in
  ``step``, a wrong number of gradients or a shape mismatch [#step-errors].

Example::

    >>> w = np.array([1.0, -2.0])
    >>> opt = Adam([w], lr=0.1)
    >>> opt.step([np.array([0.5, -3.0])])
    >>> w                       # first step moves every coordinate by ~lr against its gradient
    array([ 0.9, -1.9])

Complexity: O(number of parameters) per step, vectorised per array (no Python loop over the
elements of a parameter). [#vectorized]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["Adam"]


class Adam:
    """Adam (``decoupled=False``, L2 penalty in the gradient) or AdamW (``decoupled=True``).

    Attributes:
        params: the arrays being optimised (updated in place).
        t: number of steps taken so far.
        m, v: first and second moment estimates, one array per parameter.
    """

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled: bool = False,
    ) -> None:
        """Create the optimiser.

        Args:
            params: float arrays to optimise in place.
            lr: learning rate.
            betas: decay rates ``(b1, b2)`` of the moment estimates.
            eps: added to ``sqrt(v_hat)`` in the denominator.
            weight_decay: L2 coefficient (Adam) or decoupled decay rate (AdamW).
            decoupled: ``True`` for AdamW's decoupled weight decay.

        Raises:
            ValueError: invalid hyper-parameters or non-float params.
        """
        # TODO: validate, store the hyper-parameters, t = 0, zero m and v per parameter.
        raise NotImplementedError

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place.

        Args:
            grads: one gradient per parameter, same order and shapes.

        Raises:
            ValueError: wrong number of gradients or a shape mismatch.
        """
        # TODO: t += 1 once; weight decay; moments; bias correction; in-place update (p -= ...).
        raise NotImplementedError
