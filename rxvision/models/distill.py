"""Knowledge distillation (Hinton, Vinyals and Dean, "Distilling the Knowledge in a Neural
Network", 2015, https://arxiv.org/abs/1503.02531): a small student learns from a frozen teacher's
softened class probabilities as well as from the labels.

``loss = alpha * T**2 * KL(softmax(t / T) || softmax(s / T)) + (1 - alpha) * CE(s, y)``

The ``T**2`` factor keeps the soft term's gradients (which scale as ``1 / T**2``) comparable to
the hard term's when the temperature changes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["distill_step", "distillation_loss"]


def distillation_loss(
    student_logits: Tensor,
    teacher_logits: Tensor,
    targets: Tensor,
    temperature: float = 4.0,
    alpha: float = 0.9,
) -> Tensor:
    """Hinton's loss; the teacher's logits are constants (no gradient flows into them)."""
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    log_p_student = F.log_softmax(student_logits / temperature, dim=-1)
    log_p_teacher = F.log_softmax(teacher_logits.detach() / temperature, dim=-1)
    soft = F.kl_div(log_p_student, log_p_teacher, reduction="batchmean", log_target=True)
    hard = F.cross_entropy(student_logits, targets)
    return alpha * temperature**2 * soft + (1 - alpha) * hard


def distill_step(
    student: nn.Module,
    teacher: nn.Module,
    images: Tensor,
    labels: Tensor,
    optimizer: torch.optim.Optimizer,
    temperature: float = 4.0,
    alpha: float = 0.9,
) -> float:
    """One optimiser step of the student; the teacher runs in eval mode under ``no_grad``."""
    teacher.eval()
    with torch.no_grad():
        teacher_logits = teacher(images)
    student.train()
    loss = distillation_loss(student(images), teacher_logits, labels, temperature, alpha)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
