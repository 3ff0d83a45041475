"""Reference solution of ``week1.distillation``: the reference system's distillation."""

from rxvision.models.distill import distill_step, distillation_loss

__all__ = ["distill_step", "distillation_loss"]
