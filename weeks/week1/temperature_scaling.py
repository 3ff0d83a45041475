"""Temperature scaling: fix over-confidence with one scalar fitted on validation logits.

Modern networks are over-confident: their top-1 probability is higher than their accuracy.
Temperature scaling divides every logit by one scalar ``T > 0`` before the softmax. ``T > 1``
softens the probabilities, ``T < 1`` sharpens them, and because all logits of a sample are divided
by the same positive number, the argmax (hence the accuracy) never changes. ``T`` is fitted by
minimising the negative log-likelihood (cross-entropy) on a *validation* split, never on the test
split you report on. Paper: Guo et al., "On Calibration of Modern Neural Networks", ICML 2017,
https://arxiv.org/abs/1706.04599 (section 4.2).

You write :func:`fit_temperature`, then :class:`TemperatureScaler`, which uses it. The reference
system's ``rxvision evaluate`` command calls these two names with these signatures.
"""

from __future__ import annotations

from torch import Tensor, nn

__all__ = ["TemperatureScaler", "fit_temperature"]


def fit_temperature(logits: Tensor, labels: Tensor, max_iter: int = 100) -> float:
    """Find the ``T > 0`` that minimises ``F.cross_entropy(logits / T, labels)``. [#nll-optimum]

    Optimise ``log_t`` (a 0-dim tensor starting at 0, i.e. ``T = 1``) rather than ``T`` itself,
    so that ``T = log_t.exp()`` can never become zero or negative. ``torch.optim.LBFGS`` with
    ``line_search_fn="strong_wolfe"`` converges in a few iterations (it needs a closure); working
    in float64 avoids a noisy optimum. Detach the logits first: only ``log_t`` is learned (no
    gradient reaches ``logits``). [#detach]

    The grader draws labels from ``softmax(logits / T_true)`` and expects your ``T`` to match the
    optimum found by ``scipy.optimize.minimize_scalar`` (so ``T_true = 2`` gives about 2 and
    ``T_true = 0.5`` about 0.5), and ``T`` to stay positive even for a model that is always
    wrong. [#positive]

    Args:
        logits: ``(N, C)`` validation logits (may require grad).
        labels: ``(N,)`` validation labels.
        max_iter: Maximum L-BFGS iterations (``torch.optim.LBFGS(..., max_iter=max_iter)``).
            [#max-iter]

    Returns:
        The fitted temperature as a positive Python float. [#returns-float]

    Raises:
        ValueError: ``logits`` is not 2-D, or ``labels`` is not ``(N,)``, or ``N == 0``.
            [#fit-checks]
    """
    # TODO: log_t = torch.zeros((), dtype=torch.float64, requires_grad=True); LBFGS closure.
    raise NotImplementedError


class TemperatureScaler(nn.Module):
    """Divide logits by a fitted temperature: ``forward(x) = model(x) / T``.

    With ``model=None`` it scales the logits it is given: ``TemperatureScaler(None, 2.0)(z)`` is
    ``z / 2``. [#no-model] Typical use::

        scaler = TemperatureScaler(model).fit(val_logits, val_labels)
        probs = scaler(images).softmax(dim=1)

    Args:
        model: The classifier to wrap (its outputs are logits), or ``None``.
        temperature: Initial temperature, ``> 0`` (else ``ValueError``, also for NaN).
            [#init-checks]

    Attributes:
        model: The wrapped model or ``None``. [#model-attr]
        temperature: A 0-dim float tensor registered as a *buffer* (``register_buffer``), so it
            is saved in the state dict (and restored by ``load_state_dict``) but is not a
            trainable parameter. [#buffer]
    """

    temperature: Tensor

    def __init__(self, model: nn.Module | None = None, temperature: float = 1.0) -> None:
        # TODO: validate, keep the model, register the buffer.
        super().__init__()
        raise NotImplementedError

    def fit(self, logits: Tensor, labels: Tensor, max_iter: int = 100) -> TemperatureScaler:
        """Set the temperature to ``fit_temperature(logits, labels, max_iter)``. [#fit-sets]

        Args:
            logits: ``(N, C)`` validation logits of the wrapped model.
            labels: ``(N,)`` validation labels.
            max_iter: Passed to :func:`fit_temperature`.

        Returns:
            ``self``, so that calls chain. [#fit-returns-self]
        """
        # TODO: update the buffer in place (self.temperature.fill_(...)).
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        """Logits divided by the temperature: ``self.model(x) / T``, or ``x / T`` without a model.
        [#forward-divides] Gradients flow through it to the model and to ``x``. [#forward-grad]

        Returns:
            Scaled logits with the shape and dtype of the model's output; [#forward-shape] their
            argmax is the model's. [#argmax]
        """
        # TODO: divide (never multiply) by the temperature.
        raise NotImplementedError
