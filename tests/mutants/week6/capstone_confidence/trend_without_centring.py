"""Bug: the trend divides sum(x * y) by sum(x * x) without centring x and y first."""

from collections.abc import Sequence

from solutions.week6.capstone_confidence import *  # noqa: F403


def trend(scores: Sequence[float]) -> float:
    if len(scores) < 2:
        raise ValueError("a trend needs at least two scores")
    xs = range(len(scores))
    return sum(x * y for x, y in zip(xs, scores, strict=True)) / sum(x * x for x in xs)
