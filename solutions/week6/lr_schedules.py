"""Reference solution of the learning-rate schedules drill (see ``weeks/week6/lr_schedules.py``)."""

from __future__ import annotations

import math

__all__ = ["cosine_with_warmup", "one_cycle", "step_lr"]


def step_lr(step: int, base_lr: float, step_size: int, gamma: float = 0.1) -> float:
    """``base_lr * gamma ** (step // step_size)``, like ``torch.optim.lr_scheduler.StepLR``."""
    if step < 0 or step_size < 1:
        raise ValueError(f"need step >= 0 and step_size >= 1, got {step=}, {step_size=}")
    return base_lr * gamma ** (step // step_size)


def cosine_with_warmup(
    step: int, base_lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0
) -> float:
    """Linear warm-up to ``base_lr``, then cosine decay to ``min_lr`` at ``total_steps``."""
    if step < 0 or warmup_steps < 0 or total_steps <= warmup_steps:
        raise ValueError(
            f"need step >= 0 and 0 <= warmup_steps < total_steps, got {step=}, "
            f"{warmup_steps=}, {total_steps=}"
        )
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    if step >= total_steps:
        return min_lr
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (base_lr - min_lr) * (1.0 + math.cos(math.pi * progress)) / 2.0


def one_cycle(step: int, max_lr: float, total_steps: int, pct_start: float = 0.3) -> float:
    """``OneCycleLR`` with linear annealing, ``div_factor=25``, ``final_div_factor=1e4``."""
    peak = pct_start * total_steps - 1.0  # the (possibly fractional) step where lr == max_lr
    if not 0 <= step < total_steps or not 0.0 < pct_start < 1.0 or peak <= 0:
        raise ValueError(
            f"need 0 <= step < total_steps, 0 < pct_start < 1 and pct_start * total_steps > 1, "
            f"got {step=}, {total_steps=}, {pct_start=}"
        )
    initial_lr = max_lr / 25.0
    final_lr = initial_lr / 1e4
    if step <= peak:
        return (max_lr - initial_lr) * (step / peak) + initial_lr
    last = total_steps - 1.0
    return (final_lr - max_lr) * ((step - peak) / (last - peak)) + max_lr
