"""Capstone: evidence of interview readiness (week6.capstone_confidence).

This capstone reads your ``portfolio/mock_interview_log.md``, ``feedback_tracker.md`` and
``interview_strategy.md`` and asks whether they show a candidate getting ready: at least four
scored mocks, scores that go up, every gap tracked and worked on, a complete strategy, and the
other week-6 capstones passing. [#evidence]

You write the two functions that summarise your progress for a mentor: :func:`trend` (how fast a
rubric score improves per mock) and :func:`readiness` (the summary). :data:`PORTFOLIO` tells the
grader where your documents are (leave it as it is).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["PORTFOLIO", "readiness", "trend"]

#: The folder holding your written week-6 deliverables.
PORTFOLIO: Path = Path(__file__).resolve().parent / "portfolio"


def trend(scores: Sequence[float]) -> float:
    """The least-squares slope of ``scores`` against the mock number (0, 1, 2, ...).

    Args:
        scores: one rubric score per mock, oldest first.

    Returns:
        Score points gained per mock: ``sum((x - mean_x) * (y - mean_y)) / sum((x - mean_x)**2)``
        with ``x = 0 .. n-1``, as a Python float. [#slope] [#float] ``0.0`` for constant
        scores. [#constant] The grader compares with ``numpy.polyfit(x, scores, 1)[0]``.

    Raises:
        ValueError: fewer than two scores (no trend). [#too-few]

    Example:
        ``trend([2, 2, 3, 3, 4])`` is 0.5.
    """
    # TODO: centre x and y, then divide the cross products by the squared deviations of x.
    raise NotImplementedError


def readiness(scores: Mapping[str, Sequence[float]], gaps: Mapping[str, str]) -> dict[str, object]:
    """A readiness summary of your mocks and your feedback tracker.

    Args:
        scores: rubric dimension -> its score in each mock, oldest first (every list the same
            length, at least two).
        gaps: gap id (``"G4"``) -> its tracker status: ``"open"``, ``"in progress"`` or
            ``"closed"`` (compare ignoring case and surrounding spaces). [#status-case]

    Returns:
        A dict with exactly these keys: [#keys]

        - ``"trends"``: dimension -> :func:`trend` of its scores; [#trends]
        - ``"improving"``: the dimensions whose trend is > 0, sorted; [#improving]
        - ``"mean_trend"``: the mean of the trends (a float; 0.0 when ``scores`` is empty);
          [#mean-trend]
        - ``"closed_share"``: closed gaps / all gaps (0.0 when there are no gaps); [#closed-share]
        - ``"open"``: the ids of the gaps still ``"open"``, sorted by their number (G2 before
          G10). [#open-order]

    Example:
        ``readiness({"communication": [2, 3], "depth": [3, 3]}, {"G1": "closed", "G2": "open"})``
        gives trends ``{"communication": 1.0, "depth": 0.0}``, improving ``["communication"]``,
        mean_trend 0.5, closed_share 0.5 and open ``["G2"]``.
    """
    # TODO: build the dict from trend() and the statuses.
    raise NotImplementedError
