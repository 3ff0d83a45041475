"""Knowledge distillation: a small student learns from a big teacher's softened predictions.

Hinton, Vinyals and Dean, "Distilling the Knowledge in a Neural Network", 2015,
https://arxiv.org/abs/1503.02531 (sections 1-2). A trained teacher knows more than the labels
say: its probabilities tell that a pink round tablet looks more like another pink round tablet
than like a blue capsule ("dark knowledge"). Dividing the logits by a temperature ``T > 1``
softens both distributions so that those small probabilities carry weight, and the student is
trained to match them as well as the labels:

    loss = alpha * T**2 * KL(p_teacher || p_student) + (1 - alpha) * CE(student_logits, y)

with ``p_teacher = softmax(teacher_logits / T)`` and ``p_student = softmax(student_logits / T)``.

You write, in this order (the tests follow the same order):

1. ``distillation_loss``: the formula above; the grader compares it with ``F.kl_div`` and
   ``F.cross_entropy`` and checks its gradient against the closed form;
2. ``distill_step``: one training step of the student with a frozen teacher.

The notebook ``weeks/week1/notebooks/distillation.py`` then measures whether it helps.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["distill_step", "distillation_loss"]


def distillation_loss(
    student_logits: Tensor,
    teacher_logits: Tensor,
    targets: Tensor,
    temperature: float = 4.0,
    alpha: float = 0.9,
) -> Tensor:
    """Hinton's knowledge-distillation loss, averaged over the batch.

    With ``T = temperature``:

    - soft term: ``KL(softmax(t / T) || softmax(s / T))``, summed over classes and averaged over
      the batch. With PyTorch that is ``F.kl_div(input, target, reduction="batchmean")`` where
      ``input`` is the **student's log**-probabilities ``F.log_softmax(s / T, dim=-1)`` and
      ``target`` the teacher's probabilities (or log-probabilities with ``log_target=True``).
      The direction matters: the teacher's distribution is the target, the student's the input.
      [#soft-kl] The temperature divides *both* logits. [#both-scaled]
    - multiply the soft term by ``T ** 2``: its gradient with respect to the student logits is
      ``(softmax(s / T) - softmax(t / T)) / T`` per sample, so without the factor the soft
      signal would fade as ``1 / T ** 2`` when you raise ``T``. With it, the gradient of
      ``T**2 * KL`` is ``T * (softmax(s / T) - softmax(t / T)) / N``: the grader checks this.
      [#t-squared]
    - hard term: ``F.cross_entropy(s, targets)`` on the *unscaled* student logits. [#hard-ce]
    - total: ``alpha * T**2 * soft + (1 - alpha) * hard``; ``alpha = 0`` is plain cross-entropy.
      [#total]

    The teacher's logits are constants: no gradient may flow into them (``.detach()`` them), even
    if the caller forgot ``no_grad``. [#teacher-detached]

    Args:
        student_logits: ``(N, K)``.
        teacher_logits: ``(N, K)``.
        targets: ``(N,)`` int64 labels.
        temperature: ``T > 0`` (``ValueError`` otherwise). [#temperature-range] 1 means no
            softening.
        alpha: weight of the soft term in ``[0, 1]`` (``ValueError`` otherwise). [#alpha-range]

    Returns:
        A scalar tensor. [#scalar]
    """
    # TODO: log_softmax of both scaled logits, F.kl_div(..., reduction="batchmean"), T**2,
    # cross-entropy, the weighted sum.
    raise NotImplementedError


def distill_step(
    student: nn.Module,
    teacher: nn.Module,
    images: Tensor,
    labels: Tensor,
    optimizer: torch.optim.Optimizer,
    temperature: float = 4.0,
    alpha: float = 0.9,
) -> float:
    """One optimisation step of ``student`` distilled from a frozen ``teacher``.

    1. ``teacher.eval()`` (its BatchNorm must use running statistics and its dropout be off:
       the teacher is a fixed function), and compute its logits inside ``torch.no_grad()`` (no
       graph, no gradient into its parameters, half the memory). [#teacher-frozen] Leave the
       teacher in eval mode. [#teacher-stays-eval]
    2. ``student.train()``, student logits, :func:`distillation_loss` with this step's
       ``temperature`` and ``alpha``. [#student-loss]
    3. ``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()`` (the optimiser holds
       the student's parameters only). [#update]

    The grader checks the teacher's mode and gradient state *during* its forward pass, that its
    parameters have no ``.grad`` afterwards, and that the student's update equals a reference
    step.

    Returns:
        The loss of this step as a Python float (``loss.item()``). [#step-float]
    """
    # TODO: the three steps above.
    raise NotImplementedError
