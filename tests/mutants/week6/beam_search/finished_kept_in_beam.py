"""Bug: hypotheses that emitted eos stay in the beam (not expanded) and keep occupying a slot."""

from __future__ import annotations

import numpy as np

from solutions.week6.beam_search import Hypothesis, StepFn, __all__

__all__ = list(__all__)


def beam_search(
    step_fn: StepFn,
    start: int,
    eos: int,
    beam_width: int,
    max_len: int,
    length_penalty: float = 0.0,
) -> list[Hypothesis]:
    if beam_width < 1 or max_len < 1:
        raise ValueError("beam_width and max_len must be >= 1")
    beam: list[tuple[tuple[int, ...], float]] = [((start,), 0.0)]
    for _ in range(max_len):
        open_ = [(seq, score) for seq, score in beam if seq[-1] != eos]
        if not open_:
            break
        logp = np.asarray(step_fn([seq for seq, _ in open_]))
        candidates = [(seq, score) for seq, score in beam if seq[-1] == eos]  # carried along
        for i, (seq, score) in enumerate(open_):
            for token in range(logp.shape[1]):
                if np.isfinite(logp[i, token]):
                    candidates.append((seq + (token,), score + float(logp[i, token])))
        candidates.sort(key=lambda c: -c[1])
        beam = candidates[:beam_width]
    ranked = [
        Hypothesis(seq[1:], score, score / (len(seq) - 1) ** length_penalty) for seq, score in beam
    ]
    ranked.sort(key=lambda h: -h.score)
    return ranked
