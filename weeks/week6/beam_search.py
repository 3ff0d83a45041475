"""Drill: beam search decoding (medium, time box 30 minutes).

Interview prompt: "Given a model that returns next-token log-probabilities, implement beam search
with an end-of-sequence token and length normalisation." The grader uses toy language models
whose best sequences it knows (it enumerates every sequence), so the rules below are exact.

``beam_search(step_fn, start, eos, beam_width, max_len, length_penalty=0.0)``

- ``step_fn(prefixes)``: ``prefixes`` is a list of token tuples, each beginning with ``start``;
  returns an array ``(len(prefixes), vocab_size)`` of next-token LOG-probabilities (``-inf`` =
  impossible). Call it ONCE per decoding step with all live prefixes (a batch), never with a
  prefix that already ended with ``eos``. [#step-fn-batch]
- A hypothesis' ``log_prob`` is the SUM of the log-probabilities of its generated tokens (never
  multiply probabilities: they underflow). [#sum-log-probs] Its length ``n`` counts the
  generated tokens, including ``eos`` but not ``start``. [#length]
- Each step: expand every live hypothesis with every token; among all candidates keep the
  ``beam_width`` with the highest ``log_prob`` [#top-k] (ties: the earlier live hypothesis, then
  the smaller token id [#ties]; candidates at ``-inf`` are never kept [#no-inf]). Kept candidates
  that end with ``eos`` are FINISHED: they leave the beam for good (they are neither expanded nor
  occupy a slot in later steps); the others form the next beam, in the order they were kept
  (which may therefore hold fewer than ``beam_width``). [#finished-leave]
- Stop when no live hypothesis is left or after ``max_len`` steps [#stop]; hypotheses still live
  after ``max_len`` steps are finished too (truncated, without ``eos``). [#truncated]
- Ranking: ``score = log_prob / n ** length_penalty`` (``length_penalty=0`` is the raw sum;
  1 is the per-token average, which stops the search from favouring short outputs). [#score]
- Returns at most ``beam_width`` finished hypotheses as :class:`Hypothesis` ``(tokens, log_prob,
  score)``, best score first; ``tokens`` excludes ``start`` and ends with ``eos`` if it finished
  that way. [#returns] Equal scores keep the order in which the hypotheses finished (earlier step
  first; within a step, the order they were kept; those truncated at ``max_len`` last).
  [#final-ties]
- ``beam_width < 1`` or ``max_len < 1``: ``ValueError``, raised when called. [#sizes]

With ``beam_width = 1`` this is greedy decoding. With a beam as wide as the number of possible
sequences it is exhaustive search.

Example (vocabulary: 0 = eos, 1, 2; start token 3)::

    >>> table = np.log([[0.1, 0.6, 0.3]])            # the same distribution after any prefix
    >>> step = lambda prefixes: np.repeat(table, len(prefixes), axis=0)
    >>> beam_search(step, start=3, eos=0, beam_width=2, max_len=2)[0].tokens
    (1, 1)

Complexity: O(max_len * beam_width * vocab_size) plus the ``step_fn`` calls: at most ``max_len``
calls, with at most ``beam_width`` prefixes each. [#complexity]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

__all__ = ["Hypothesis", "beam_search"]

StepFn = Callable[[list[tuple[int, ...]]], np.ndarray]


class Hypothesis(NamedTuple):
    """A decoded sequence (given; do not change).

    Attributes:
        tokens: generated tokens, without the start token.
        log_prob: sum of the log-probabilities of ``tokens``.
        score: ``log_prob / len(tokens) ** length_penalty``, used for ranking.
    """

    tokens: tuple[int, ...]
    log_prob: float
    score: float


def beam_search(
    step_fn: StepFn,
    start: int,
    eos: int,
    beam_width: int,
    max_len: int,
    length_penalty: float = 0.0,
) -> list[Hypothesis]:
    """Beam search decoding with finished hypotheses kept apart and length normalisation.

    Args:
        step_fn: maps a batch of prefixes (tuples starting with ``start``) to next-token
            log-probabilities, shape ``(len(prefixes), vocab_size)``.
        start: the start token every prefix begins with.
        eos: the end-of-sequence token.
        beam_width: number of candidates kept per step (and of results returned).
        max_len: maximum number of generated tokens (including ``eos``).
        length_penalty: exponent ``alpha`` of the length normalisation.

    Returns:
        Up to ``beam_width`` hypotheses, highest ``score`` first.

    Raises:
        ValueError: ``beam_width`` or ``max_len`` below 1.
    """
    # TODO: live beam + finished list; per step one batched step_fn call, top beam_width of the
    # flattened (live x vocab) totals, move eos endings to finished; rank by normalised score.
    raise NotImplementedError
