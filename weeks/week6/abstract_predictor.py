"""Drill (20 min): encapsulation and abstraction with ABCs, properties and protocols.

Every RxVision predictor must report its model version and predict; callers should depend on
that contract, not on any concrete class. Write the contract three ways:

1. ``Predictor``: an **abstract base class** (``abc.ABC``) with an abstract read-only property
   ``model_version -> str`` and an abstract method ``predict(x) -> Prediction``, plus a concrete
   ``predict_batch(xs) -> list[Prediction]`` that calls ``predict`` on each input in order (any
   iterable). [#predict-batch] ``Predictor()`` itself, and any subclass that leaves one of the
   two abstract members out, must raise ``TypeError`` when instantiated (``@abstractmethod``
   does this for you). [#abstract]

2. ``ThresholdedPredictor(scorer, *, threshold=0.5, version="1.0.0", labels=("no_pill",
   "pill"))``: a concrete ``Predictor`` for a binary decision. ``scorer(x)`` returns a
   probability; ``predict(x)`` returns ``Prediction(labels[1], score)`` when
   ``score >= threshold`` and ``Prediction(labels[0], score)`` otherwise [#decision], with
   ``score`` a Python ``float`` (scorers may return NumPy scalars). [#score-float] A score
   outside ``[0, 1]`` (or NaN) raises ``ValueError`` [#score-range]; one that ``float()`` cannot
   convert raises ``TypeError``. [#score-type] A ``scorer`` that is not callable raises
   ``TypeError``. [#scorer-callable]

   - ``threshold`` is a **property with a validating setter**, used by ``__init__`` too.
     [#threshold-init] A non-number (including ``bool`` and strings) raises ``TypeError``.
     [#threshold-type] NaN or a value outside ``[0, 1]`` raises ``ValueError`` and leaves the old
     value in place. [#threshold-range] It is stored as a float. [#threshold-float]
   - ``model_version`` is read-only (assigning raises ``AttributeError``) [#read-only];
     ``version`` must be a non-empty string (``ValueError``). [#version] ``labels`` must be two
     different strings (``ValueError``). [#labels]
   - **Encapsulation:** everything the object stores lives in underscore attributes
     (``self._scorer``, ``self._threshold``, ...). The public surface of an instance is exactly
     ``model_version``, ``predict``, ``predict_batch`` and ``threshold``. [#encapsulation]

3. ``SupportsPredict``: a ``typing.Protocol`` with ``predict(self, x) -> Prediction``, decorated
   with ``@runtime_checkable``, so that ``isinstance(obj, SupportsPredict)`` is True for *any*
   object with a ``predict`` method, even one that never heard of ``Predictor`` (duck typing,
   checked structurally). [#protocol]

The module's ``__all__`` is exactly these four names plus ``Prediction`` (given); any helper you
add at module level starts with an underscore. [#all]

Example::

    >>> p = ThresholdedPredictor(lambda x: float(x.mean()), threshold=0.7, version="2.1.0")
    >>> p.predict(np.full(4, 0.75))
    Prediction(label='pill', score=0.75)
    >>> p.threshold = 1.5
    Traceback (most recent call last):
    ValueError: threshold must be in [0, 1], got 1.5
    >>> isinstance(p, SupportsPredict), p.model_version
    (True, '2.1.0')
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = ["Prediction", "Predictor", "SupportsPredict", "ThresholdedPredictor"]


@dataclass(frozen=True)
class Prediction:
    """One answer: a label and the score behind it. (Given.)"""

    label: str
    score: float


# TODO: make isinstance() work on this protocol (a decorator from typing)
class SupportsPredict(Protocol):
    """Anything with ``predict(x) -> Prediction``, related to :class:`Predictor` or not."""

    def predict(self, x: np.ndarray) -> Prediction: ...


class Predictor(ABC):  # noqa: B024 - until you add the abstract methods
    """What every RxVision predictor offers; subclasses must implement both abstract members."""

    # TODO: make `model_version` (a read-only property) and `predict` abstract

    @property
    def model_version(self) -> str:
        """The version of the model behind the predictions, e.g. ``'1.2.0'``."""
        raise NotImplementedError

    def predict(self, x: np.ndarray) -> Prediction:
        """The prediction for one input."""
        raise NotImplementedError

    def predict_batch(self, xs: Iterable[np.ndarray]) -> list[Prediction]:
        """``predict`` for each input, in order."""
        # TODO
        raise NotImplementedError


class ThresholdedPredictor(Predictor):
    """A binary decision: ``labels[1]`` when the score reaches the threshold, else ``labels[0]``."""

    def __init__(
        self,
        scorer: Callable[[np.ndarray], float],
        *,
        threshold: float = 0.5,
        version: str = "1.0.0",
        labels: tuple[str, str] = ("no_pill", "pill"),
    ) -> None:
        """Store everything in underscore attributes; set the threshold through its setter.

        Raises:
            TypeError: threshold is not a number.
            ValueError: threshold outside [0, 1] or NaN, empty version, labels not two
                different strings.
        """
        # TODO
        raise NotImplementedError

    @property
    def threshold(self) -> float:
        """The decision threshold, in ``[0, 1]``."""
        # TODO
        raise NotImplementedError

    @threshold.setter
    def threshold(self, value: float) -> None:
        # TODO: TypeError for non-numbers (bool too), ValueError outside [0, 1] (NaN too)
        raise NotImplementedError

    @property
    def model_version(self) -> str:
        # TODO: read-only
        raise NotImplementedError

    def predict(self, x: np.ndarray) -> Prediction:
        """``Prediction(labels[1] if score >= threshold else labels[0], score)``."""
        # TODO: ValueError when the score is outside [0, 1]
        raise NotImplementedError
