"""Drill: learning-rate schedules: step, cosine with warm-up, one-cycle (easy, 20 minutes).

Interview prompt: "Write the learning rate as a pure function of the step for three common
schedules." The grader runs PyTorch's schedulers step by step and compares every value
(relative tolerance 1e-9), the boundary steps included. Steps count from 0: ``step`` is the
number of optimizer steps already taken, so ``f(0)`` is the learning rate of the first update.

``step_lr(step, base_lr, step_size, gamma=0.1)``: ``base_lr * gamma ** (step // step_size)``
(``torch.optim.lr_scheduler.StepLR``): constant for ``step_size`` steps, then multiplied by
``gamma``. [#step-lr] ``ValueError`` if ``step < 0`` or ``step_size < 1``. [#step-lr-args]

``cosine_with_warmup(step, base_lr, warmup_steps, total_steps, min_lr=0.0)``:

- warm-up, ``step < warmup_steps``: linear, ``base_lr * (step + 1) / warmup_steps``, i.e. from
  ``base_lr / warmup_steps`` at step 0 up to exactly ``base_lr`` at step ``warmup_steps - 1``
  (PyTorch: ``LinearLR(start_factor=1 / warmup_steps, total_iters=warmup_steps - 1)``);
  [#warmup]
- then cosine, with ``p = (step - warmup_steps) / (total_steps - warmup_steps)``:
  ``min_lr + (base_lr - min_lr) * (1 + cos(pi * p)) / 2`` (``base_lr`` at ``step ==
  warmup_steps``, ``min_lr`` at ``step == total_steps``; PyTorch: ``CosineAnnealingLR(T_max=
  total_steps - warmup_steps, eta_min=min_lr)`` chained after the warm-up by ``SequentialLR``);
  [#cosine]
- ``step >= total_steps``: stays at ``min_lr`` (PyTorch's cosine would rise again); [#after-total]
- ``warmup_steps == 0`` is plain cosine. [#no-warmup] ``ValueError`` unless ``step >= 0`` and
  ``0 <= warmup_steps < total_steps``. [#cosine-args]

``one_cycle(step, max_lr, total_steps, pct_start=0.3)``: PyTorch's ``OneCycleLR(max_lr,
total_steps, pct_start, anneal_strategy="linear")`` with its defaults ``div_factor=25`` and
``final_div_factor=1e4``:

- ``initial_lr = max_lr / 25``, ``final_lr = initial_lr / 1e4``, ``peak = pct_start *
  total_steps - 1`` (a float: the step where the rate reaches ``max_lr``);
- ``step <= peak``: linear from ``initial_lr`` (step 0) to ``max_lr`` (step ``peak``);
  [#one-cycle-up]
- after: linear from ``max_lr`` (step ``peak``) to ``final_lr`` at the LAST step,
  ``total_steps - 1``. [#one-cycle-down]
- ``ValueError`` unless ``0 <= step < total_steps``, ``0 < pct_start < 1`` and ``peak > 0``.
  [#one-cycle-args]

Example::

    >>> [round(cosine_with_warmup(s, 1.0, 4, 12), 3) for s in range(0, 13, 2)]
    [0.25, 0.75, 1.0, 0.854, 0.5, 0.146, 0.0]
    >>> one_cycle(0, 0.1, 100), one_cycle(29, 0.1, 100), f"{one_cycle(99, 0.1, 100):.1e}"
    (0.004, 0.1, '4.0e-07')

Complexity: O(1) per call (no loop over the steps). [#complexity]
"""

from __future__ import annotations

__all__ = ["cosine_with_warmup", "one_cycle", "step_lr"]


def step_lr(step: int, base_lr: float, step_size: int, gamma: float = 0.1) -> float:
    """Step decay: multiply by ``gamma`` every ``step_size`` steps.

    Args:
        step: optimizer steps taken so far (>= 0).
        base_lr: learning rate of the first ``step_size`` steps.
        step_size: steps between two decays (>= 1).
        gamma: decay factor.

    Returns:
        The learning rate for this step.

    Raises:
        ValueError: ``step < 0`` or ``step_size < 1``.
    """
    # TODO: integer division decides how many decays happened.
    raise NotImplementedError


def cosine_with_warmup(
    step: int, base_lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0
) -> float:
    """Linear warm-up to ``base_lr``, then cosine decay to ``min_lr`` at ``total_steps``.

    Args:
        step: optimizer steps taken so far (>= 0).
        base_lr: peak learning rate, reached at step ``warmup_steps - 1``.
        warmup_steps: length of the linear warm-up (0 for none).
        total_steps: step at which the cosine reaches ``min_lr``.
        min_lr: floor of the schedule.

    Returns:
        The learning rate for this step.

    Raises:
        ValueError: ``step < 0`` or not ``0 <= warmup_steps < total_steps``.
    """
    # TODO: three cases: warm-up, cosine, after the end.
    raise NotImplementedError


def one_cycle(step: int, max_lr: float, total_steps: int, pct_start: float = 0.3) -> float:
    """One-cycle policy with linear annealing (PyTorch's ``OneCycleLR`` defaults).

    Args:
        step: optimizer steps taken so far, ``0 <= step < total_steps``.
        max_lr: the peak learning rate.
        total_steps: length of the cycle.
        pct_start: fraction of the cycle spent increasing the rate.

    Returns:
        The learning rate for this step.

    Raises:
        ValueError: out-of-range ``step``, ``pct_start`` not in (0, 1), or ``pct_start *
            total_steps <= 1``.
    """
    # TODO: two linear phases meeting at peak = pct_start * total_steps - 1.
    raise NotImplementedError
