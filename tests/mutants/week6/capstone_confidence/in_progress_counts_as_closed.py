"""Bug: readiness counts gaps "in progress" as closed."""

from collections.abc import Mapping, Sequence

from solutions.week6.capstone_confidence import *  # noqa: F403
from solutions.week6.capstone_confidence import readiness as _readiness


def readiness(scores: Mapping[str, Sequence[float]], gaps: Mapping[str, str]) -> dict[str, object]:
    done = {g: "closed" if s.strip().lower() == "in progress" else s for g, s in gaps.items()}
    return _readiness(scores, done)
