"""Monte Carlo dropout: predictive uncertainty from a network trained with dropout.

Keeping dropout active at test time and averaging ``n`` stochastic forward passes approximates
Bayesian model averaging (Gal and Ghahramani, "Dropout as a Bayesian Approximation", ICML 2016,
https://arxiv.org/abs/1506.02142). Only the dropout layers (``nn.Dropout*`` and stochastic depth,
``DropPath``) sample; BatchNorm stays in eval mode so its running statistics are used and never
updated. With ``p_t`` the softmax of pass ``t`` and ``p = mean_t p_t`` (all logs natural, nats):

- predictive entropy ``H[p] = -sum_c p_c log p_c`` (total uncertainty);
- expected entropy ``mean_t H[p_t]`` (aleatoric: noise in the data);
- mutual information ``H[p] - mean_t H[p_t] >= 0`` (epistemic, BALD: disagreement between passes).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor, nn

__all__ = [
    "DROPOUT_TYPES",
    "MCDropoutResult",
    "enable_dropout",
    "entropy",
    "is_dropout",
    "mc_dropout_predict",
]

#: The torch modules that sample a random mask in training mode.
DROPOUT_TYPES: tuple[type[nn.Module], ...] = (
    nn.Dropout,
    nn.Dropout1d,
    nn.Dropout2d,
    nn.Dropout3d,
    nn.AlphaDropout,
    nn.FeatureAlphaDropout,
)
_EPS = 1e-12


class MCDropoutResult(NamedTuple):
    """What :func:`mc_dropout_predict` returns (``B`` samples, ``C`` classes, ``n`` passes).

    Attributes:
        probs: ``(B, C)`` predictive distribution, the mean of the per-pass softmax outputs.
        entropy: ``(B,)`` predictive entropy ``H[probs]`` in nats.
        expected_entropy: ``(B,)`` mean over passes of each pass's entropy.
        mutual_information: ``(B,)`` ``entropy - expected_entropy`` (>= 0 up to rounding).
        samples: ``(n, B, C)`` softmax output of every pass.
    """

    probs: Tensor
    entropy: Tensor
    expected_entropy: Tensor
    mutual_information: Tensor
    samples: Tensor


def is_dropout(module: nn.Module) -> bool:
    """Whether ``module`` is a dropout layer: an ``nn.Dropout*`` or a ``DropPath`` (any library)."""
    return isinstance(module, DROPOUT_TYPES) or type(module).__name__ == "DropPath"


def enable_dropout(model: nn.Module) -> None:
    """Put ``model`` in eval mode, then switch only its dropout layers to training mode."""
    model.eval()
    for module in model.modules():
        if is_dropout(module):
            module.train()


def entropy(probs: Tensor, dim: int = -1) -> Tensor:
    """Shannon entropy in nats along ``dim``, with ``0 * log 0 = 0``."""
    return -(probs * probs.clamp_min(_EPS).log()).sum(dim)


@torch.no_grad()
def mc_dropout_predict(model: nn.Module, x: Tensor, n_samples: int = 20) -> MCDropoutResult:
    """Run ``n_samples`` stochastic passes of ``model`` on ``x`` with only dropout active.

    The passes run one after another on the whole batch (so a fixed ``torch.manual_seed`` gives
    reproducible results); each module's ``training`` flag is restored afterwards, even on error.

    Args:
        model: A classifier returning logits ``(B, C)``.
        x: The input batch.
        n_samples: Number of stochastic passes (``>= 1``).

    Returns:
        An :class:`MCDropoutResult`.

    Raises:
        ValueError: ``n_samples < 1``.
    """
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}")
    modes = {module: module.training for module in model.modules()}
    try:
        enable_dropout(model)
        samples = torch.stack([model(x).softmax(dim=-1) for _ in range(n_samples)])
    finally:
        for module, training in modes.items():
            module.training = training
    probs = samples.mean(dim=0)
    total = entropy(probs)
    expected = entropy(samples).mean(dim=0)
    return MCDropoutResult(probs, total, expected, total - expected, samples)
