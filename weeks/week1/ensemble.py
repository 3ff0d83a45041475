"""Deep ensembles: average the *probabilities* of several independently trained classifiers.

Paper: "Simple and Scalable Predictive Uncertainty Estimation using Deep Ensembles",
Lakshminarayanan, Pritzel and Blundell, NeurIPS 2017, https://arxiv.org/abs/1612.01474.

An ensemble of ``M`` classifiers ``f_1..f_M`` with weights ``w_m >= 0`` (summing to 1) predicts

    p(y | x) = sum_m w_m * softmax(f_m(x))

Average *probabilities*, not logits: ``softmax(mean of logits)`` is a different model (a
"logit ensemble"), usually over-confident, and it hides the members' disagreement. Because
``-log`` is convex, the ensemble's negative log-likelihood is never worse than the weighted mean
of its members' (Jensen's inequality); the grader checks this on random inputs.

How much the members disagree is the *mutual information* ("BALD" score)

    MI(x) = H[sum_m w_m p_m] - sum_m w_m H[p_m],   H[p] = -sum_c p_c log p_c   (nats)

which is 0 when every member predicts the same distribution, positive otherwise, and at most
``log(M)``. High MI flags inputs the ensemble has not seen the like of.

You write, in this order (the tests follow the same order): ``mutual_information``, then
``Ensemble`` (``__init__``, ``member_probs``, ``predict_proba``, ``forward``, ``disagreement``).
Keep the module free of Python control flow that depends on the data, so it exports to ONNX as
one graph (``week1.onnx_export``).
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

__all__ = ["Ensemble", "mutual_information"]


def mutual_information(member_probs: Tensor, weights: Tensor | None = None) -> Tensor:
    """Disagreement of ensemble members: entropy of the mean minus the mean of the entropies.

    ``MI = H[sum_m w_m p_m] - sum_m w_m H[p_m]`` per sample, with natural logarithms [#mi-formula]
    and ``0 * log 0 = 0`` (clamp probabilities at ``1e-12`` inside the log). [#mi-zero-prob] Clamp
    the result at 0 so rounding never makes it negative. [#mi-nonneg]

    Args:
        member_probs: ``(M, N, C)`` probabilities of ``M`` members for ``N`` samples over ``C``
            classes (each ``member_probs[m, n]`` sums to 1).
        weights: ``(M,)`` non-negative member weights summing to 1 (default: ``1 / M`` each).
            [#mi-default-weights]

    Returns:
        ``(N,)`` non-negative scores in nats. [#mi-shape] Example: two members predicting
        ``[1, 0]`` and ``[0, 1]`` with equal weights give ``log 2 = 0.693``; identical members
        give 0. [#mi-identical]
    """
    # TODO: the entropy of the weighted mean over axis 0, minus the weighted mean entropy.
    raise NotImplementedError


class Ensemble(nn.Module):
    """A weighted deep ensemble of classifiers returning log-probabilities.

    Args:
        members: classifiers mapping the same input to logits ``(N, C)`` over the same classes.
        weights: one non-negative weight per member (default: uniform). [#default-weights] They
            are normalised to sum to 1 and stored as the buffer ``weights`` (shape ``(M,)``), so
            ``Ensemble(ms, [1, 3])`` and ``Ensemble(ms, [0.25, 0.75])`` are the same ensemble.
            [#weights-normalised]

    Store the members in an ``nn.ModuleList`` named ``members`` (a plain list hides them from
    ``.eval()``, ``.to()``, ``parameters()`` and ``state_dict()``). [#members-registered] An
    ensemble combines trained models for inference: finish ``__init__`` with ``self.eval()`` so
    that dropout and batch norm of every member are in inference mode. [#eval-mode] Calling
    ``.train()`` afterwards puts every member back in training mode. [#train-mode]

    Raises:
        ValueError: no members [#no-members], a weight count different from the member count
            [#weight-count], a negative weight [#negative-weight], or weights summing to 0
            [#zero-sum]. Raised by the constructor itself. [#raises-eagerly]
    """

    def __init__(
        self, members: Sequence[nn.Module], weights: Sequence[float] | None = None
    ) -> None:
        super().__init__()
        # TODO: validate, nn.ModuleList, normalised "weights" buffer, then self.eval().
        raise NotImplementedError

    def member_probs(self, x: Tensor) -> Tensor:
        """Softmax probabilities of every member, stacked: shape ``(M, N, C)``. [#member-probs]"""
        # TODO: torch.stack of softmax(member(x), dim=-1).
        raise NotImplementedError

    def predict_proba(self, x: Tensor) -> Tensor:
        """The ensemble's probabilities ``(N, C)``: ``sum_m w_m p_m``; rows sum to 1.

        [#predict-proba]
        """
        # TODO: weighted sum of member_probs over the member axis.
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        """Log-probabilities ``(N, C)``: ``log(predict_proba(x).clamp_min(1e-12))``. [#forward-log]

        Log-probabilities plug straight into ``F.nll_loss`` and ``argmax``; apply ``exp`` to get
        the probabilities back.
        """
        # TODO: one line.
        raise NotImplementedError

    def disagreement(self, x: Tensor) -> Tensor:
        """``(N,)`` :func:`mutual_information` of the members' probabilities with ``weights``.

        [#disagreement]
        """
        # TODO: one line.
        raise NotImplementedError
