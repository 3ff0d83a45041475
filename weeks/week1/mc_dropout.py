"""Monte Carlo dropout: how sure is the model about this pill?

A network trained with dropout can estimate its own uncertainty: keep dropout *on* at test time,
run the same batch ``n`` times, and look at how the predictions vary (Gal and Ghahramani,
"Dropout as a Bayesian Approximation", ICML 2016, https://arxiv.org/abs/1506.02142). Only the
dropout layers may sample: BatchNorm must stay in eval mode, or it normalises with the statistics
of the test batch and overwrites the running statistics learned in training (``model.train()``
does both, so it is the wrong switch).

With ``p_t`` the softmax output of pass ``t`` (shape ``(B, C)``), ``p = mean_t p_t`` and natural
logs (nats) everywhere:

- predictive entropy ``H[p] = -sum_c p_c log p_c``: the total uncertainty;
- expected entropy ``mean_t H[p_t]``: the part every pass agrees on (aleatoric, noisy images);
- mutual information ``H[p] - mean_t H[p_t]``, always ``>= 0``: the disagreement between passes
  (epistemic, "the model has not seen this"), also called BALD.

Average the *probabilities* of the passes, not the logits: ``softmax(mean logits)`` is a
different, over-confident distribution.

You write :func:`enable_dropout`, :func:`entropy` and :func:`mc_dropout_predict`. Given:
``DROPOUT_TYPES``, :func:`is_dropout` and :class:`MCDropoutResult`.
"""

from __future__ import annotations

from typing import NamedTuple

from torch import Tensor, nn

__all__ = [
    "DROPOUT_TYPES",
    "MCDropoutResult",
    "enable_dropout",
    "entropy",
    "is_dropout",
    "mc_dropout_predict",
]

#: The torch modules that sample a random mask in training mode (given).
DROPOUT_TYPES: tuple[type[nn.Module], ...] = (
    nn.Dropout,
    nn.Dropout1d,
    nn.Dropout2d,
    nn.Dropout3d,
    nn.AlphaDropout,
    nn.FeatureAlphaDropout,
)


class MCDropoutResult(NamedTuple):
    """What :func:`mc_dropout_predict` returns (given). ``B`` samples, ``C`` classes, ``n`` passes.

    Attributes:
        probs: ``(B, C)`` predictive distribution, the mean of the per-pass softmax outputs.
        entropy: ``(B,)`` predictive entropy ``H[probs]`` in nats.
        expected_entropy: ``(B,)`` mean over passes of each pass's entropy.
        mutual_information: ``(B,)`` ``entropy - expected_entropy`` (>= 0 up to rounding).
        samples: ``(n, B, C)`` softmax output of every pass, in the order they were run.
    """

    probs: Tensor
    entropy: Tensor
    expected_entropy: Tensor
    mutual_information: Tensor
    samples: Tensor


def is_dropout(module: nn.Module) -> bool:
    """Whether ``module`` is a dropout layer: an ``nn.Dropout*`` or a ``DropPath`` (given).

    ``DropPath`` (stochastic depth, in your EfficientNet and in timm) is recognised by its class
    name, so that both implementations count.
    """
    return isinstance(module, DROPOUT_TYPES) or type(module).__name__ == "DropPath"


def enable_dropout(model: nn.Module) -> None:
    """Put ``model`` in eval mode, then switch only its dropout layers to training mode.

    Afterwards every module for which :func:`is_dropout` is true (every ``DROPOUT_TYPES``,
    subclasses included, and ``DropPath``) has ``training == True`` [#dropout-on] and every other
    module (BatchNorm included) ``training == False``. [#others-eval] Works in place and returns
    ``None``. [#in-place]
    """
    # TODO: model.eval(), then .train() on each dropout module of model.modules().
    raise NotImplementedError


def entropy(probs: Tensor, dim: int = -1) -> Tensor:
    """Shannon entropy in nats along ``dim``: ``-sum(p * log p)``, [#entropy-nats] with
    ``0 * log 0 = 0``. [#zero-log-zero]

    Example: ``entropy(torch.tensor([0.5, 0.5]))`` is ``log 2 = 0.6931``, and a one-hot vector
    has entropy 0 (not NaN: clamp the probabilities inside the log to a tiny epsilon).

    Returns:
        ``probs`` with ``dim`` reduced (any ``dim``, negative too). [#entropy-dim]
    """
    # TODO: one line.
    raise NotImplementedError


def mc_dropout_predict(model: nn.Module, x: Tensor, n_samples: int = 20) -> MCDropoutResult:
    """Run ``n_samples`` stochastic passes of ``model`` on ``x`` with only dropout active.

    Steps:

    1. remember every module's ``training`` flag (``{m: m.training for m in model.modules()}``);
    2. :func:`enable_dropout`;
    3. without gradients, run the whole batch ``n_samples`` times, one pass after another (the
       grader replays your passes with the same ``torch.manual_seed`` and compares), [#passes] and
       stack the softmax outputs into ``samples`` of shape ``(n_samples, B, C)``; [#samples]
    4. restore every module's flag, in a ``finally`` block so that it happens even on error;
       [#restore]
    5. compute the mean probabilities, [#mean-probs] the entropies and the mutual information
       (module docstring). [#decomposition]

    BatchNorm running statistics must be exactly the same before and after the call.
    [#bn-untouched]

    Args:
        model: A classifier returning logits ``(B, C)``.
        x: The input batch.
        n_samples: Number of stochastic passes, ``>= 1`` (else ``ValueError``, raised before
            any pass runs). [#n-samples]

    Returns:
        ``MCDropoutResult(probs, entropy, expected_entropy, mutual_information, samples)``;
        [#result] no returned tensor requires grad. [#no-grad]
    """
    # TODO: the five steps above.
    raise NotImplementedError
