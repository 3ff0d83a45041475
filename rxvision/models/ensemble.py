"""Deep ensembles: average the *probabilities* of several independently trained classifiers.

Paper: "Simple and Scalable Predictive Uncertainty Estimation using Deep Ensembles",
Lakshminarayanan, Pritzel and Blundell, NeurIPS 2017, https://arxiv.org/abs/1612.01474.

The ensemble predicts ``p(y|x) = sum_m w_m softmax(f_m(x))`` with weights ``w_m >= 0`` summing
to 1. Because ``-log`` is convex, its negative log-likelihood is never worse than the weighted
mean of its members' (Jensen). How much the members disagree is the ensemble's *mutual
information* (the "BALD" score): ``H[sum_m w_m p_m] - sum_m w_m H[p_m]``, zero when all members
agree and at most ``log(M)``.

:class:`Ensemble` is a plain ``nn.Module`` with no Python control flow depending on the data, so
it exports to ONNX as one graph.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

__all__ = ["Ensemble", "mutual_information"]

_EPS = 1e-12


def mutual_information(member_probs: Tensor, weights: Tensor | None = None) -> Tensor:
    """Disagreement of ensemble members: entropy of the mean minus the mean of the entropies.

    Args:
        member_probs: ``(M, N, C)`` probabilities of ``M`` members for ``N`` samples.
        weights: ``(M,)`` non-negative member weights summing to 1 (default: uniform).

    Returns:
        ``(N,)`` non-negative scores in nats, 0 when all members predict the same distribution.
    """
    if weights is None:
        weights = member_probs.new_full((member_probs.shape[0],), 1.0 / member_probs.shape[0])
    w = weights.view(-1, 1, 1)
    mean = (w * member_probs).sum(dim=0)
    entropy_of_mean = -(mean * torch.log(mean.clamp_min(_EPS))).sum(dim=-1)
    member_entropy = -(member_probs * torch.log(member_probs.clamp_min(_EPS))).sum(dim=-1)
    mean_entropy = (weights.view(-1, 1) * member_entropy).sum(dim=0)
    return (entropy_of_mean - mean_entropy).clamp_min(0.0)


class Ensemble(nn.Module):
    """A weighted deep ensemble of classifiers returning log-probabilities.

    Args:
        members: classifiers mapping the same input to logits ``(N, C)`` over the same classes.
        weights: one non-negative weight per member (default: uniform); normalised to sum to 1.

    Raises:
        ValueError: no members, a weight count different from the member count, a negative
            weight, or weights summing to 0.
    """

    def __init__(
        self, members: Sequence[nn.Module], weights: Sequence[float] | None = None
    ) -> None:
        super().__init__()
        if len(members) == 0:
            raise ValueError("an ensemble needs at least one member")
        raw = (
            torch.ones(len(members))
            if weights is None
            else torch.tensor(weights, dtype=torch.float32)
        )
        if raw.shape != (len(members),):
            raise ValueError(f"got {raw.numel()} weights for {len(members)} members")
        if bool((raw < 0).any()) or float(raw.sum()) <= 0:
            raise ValueError(
                f"weights must be non-negative with a positive sum, got {raw.tolist()}"
            )
        self.members = nn.ModuleList(members)
        self.register_buffer("weights", raw / raw.sum())
        self.eval()

    def member_probs(self, x: Tensor) -> Tensor:
        """``(M, N, C)`` softmax probabilities of every member."""
        return torch.stack([torch.softmax(member(x), dim=-1) for member in self.members])

    def predict_proba(self, x: Tensor) -> Tensor:
        """``(N, C)`` weighted mean of the members' probabilities; rows sum to 1."""
        return (self.weights.view(-1, 1, 1) * self.member_probs(x)).sum(dim=0)

    def forward(self, x: Tensor) -> Tensor:
        """``(N, C)`` log of :meth:`predict_proba` (clamped at 1e-12), ready for ``nll_loss``."""
        return torch.log(self.predict_proba(x).clamp_min(_EPS))

    def disagreement(self, x: Tensor) -> Tensor:
        """``(N,)`` mutual information between the prediction and the member (see module doc)."""
        return mutual_information(self.member_probs(x), self.weights)
