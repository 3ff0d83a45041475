"""Reference solution of the beam-search drill (see ``weeks/week6/beam_search.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

__all__ = ["Hypothesis", "beam_search"]

StepFn = Callable[[list[tuple[int, ...]]], np.ndarray]


class Hypothesis(NamedTuple):
    """A decoded sequence: generated tokens (no start token), total log-prob, ranking score."""

    tokens: tuple[int, ...]
    log_prob: float
    score: float


def _score(log_prob: float, length: int, length_penalty: float) -> float:
    return log_prob / length**length_penalty


def beam_search(
    step_fn: StepFn,
    start: int,
    eos: int,
    beam_width: int,
    max_len: int,
    length_penalty: float = 0.0,
) -> list[Hypothesis]:
    """Beam search over ``step_fn``'s next-token log-probabilities; best hypothesis first."""
    if beam_width < 1 or max_len < 1:
        raise ValueError(f"beam_width and max_len must be >= 1, got {beam_width}, {max_len}")
    live: list[tuple[tuple[int, ...], float]] = [((start,), 0.0)]
    finished: list[tuple[tuple[int, ...], float]] = []
    for _ in range(max_len):
        logp = np.asarray(step_fn([seq for seq, _ in live]), dtype=np.float64)
        if logp.ndim != 2 or logp.shape[0] != len(live):
            raise ValueError(
                f"step_fn must return ({len(live)}, vocab) log-probs, got {logp.shape}"
            )
        totals = np.array([score for _, score in live])[:, None] + logp
        flat = totals.ravel()
        order = np.argsort(-flat, kind="stable")[:beam_width]  # ties: earlier beam, smaller token
        survivors = []
        for index in order:
            if not np.isfinite(flat[index]):
                break
            beam, token = divmod(int(index), logp.shape[1])
            hyp = (live[beam][0] + (token,), float(flat[index]))
            (finished if token == eos else survivors).append(hyp)
        live = survivors
        if not live:
            break
    finished.extend(live)  # still open at max_len: they end there
    ranked = [
        Hypothesis(seq[1:], score, _score(score, len(seq) - 1, length_penalty))
        for seq, score in finished
    ]
    ranked.sort(key=lambda h: -h.score)
    return ranked[:beam_width]
