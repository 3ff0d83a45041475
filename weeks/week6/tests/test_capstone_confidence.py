"""Tests of week6.capstone_confidence: do your mocks, tracker and strategy show readiness?

Your ``trend`` and ``readiness`` are checked against NumPy and hand-computed cases; then your
mock interview log (parsed by ``grader.mock.parse_mock_log``), feedback tracker and interview
strategy are read together. The other capstones are graded on their own.
Run: ``pytest weeks/week6/tests/test_capstone_confidence.py``.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader import differential as diff
from grader import mock, star, written

MIN_MOCKS = 4
MIN_CLOSED_SHARE = 1 / 3
STRATEGY_SECTIONS = {
    "Targets": ("target",),
    "Pitch": ("pitch",),
    "Format playbooks": ("playbook", "format"),
    "Questions to ask": ("question",),
    "Culture fit": ("culture",),
    "Negotiation": ("negotiat",),
}
MIN_SECTION_WORDS = 40
OTHER_CAPSTONES = (
    "week6.capstone_design_interview",
    "week6.capstone_coding",
    "week6.capstone_behavioral",
)


def _portfolio(impl: ModuleType) -> Path:
    return Path(impl.PORTFOLIO)


def _mocks(impl: ModuleType) -> list[mock.LoggedMock]:
    return mock.parse_mock_log(star.load(_portfolio(impl) / "mock_interview_log.md"))


def _tracker(impl: ModuleType) -> dict[str, str]:
    """Gap id -> status, from the `## Tracker` table."""
    document = star.load(_portfolio(impl) / "feedback_tracker.md")
    statuses = {}
    for row in star.table_rows(document.section("tracker") or ""):
        gap = next((v for k, v in row.items() if k.startswith(("id", "gap"))), "").strip()
        status = next((v for k, v in row.items() if k.startswith("status")), "")
        if mock.GAP_ID.fullmatch(gap):
            statuses[gap] = status.strip().lower()
    return statuses


def _scores(mocks: list[mock.LoggedMock]) -> dict[str, list[float]]:
    return {dim: [float(m.scores.get(dim) or 0) for m in mocks] for dim in mock.DIMENSIONS}


@pytest.mark.clause("slope", "constant", "too-few")
def test_trend_matches_a_least_squares_fit(impl: ModuleType) -> None:
    got = impl.trend([2, 2, 3, 3, 4])
    assert math.isclose(got, 0.5), f"trend([2, 2, 3, 3, 4]) should be 0.5, got {got}"
    rng = np.random.default_rng(0)
    for n in (2, 3, 7):
        scores = rng.integers(1, 5, size=n).tolist()
        want = float(np.polyfit(np.arange(n), scores, 1)[0])
        got = impl.trend(scores)
        assert math.isclose(got, want, abs_tol=1e-9), (
            f"trend({scores}) should be the least-squares slope {want:.4f} (numpy.polyfit), "
            f"got {got}"
        )
    assert impl.trend([3, 3, 3]) == 0.0, "constant scores have trend 0.0"
    with pytest.raises(ValueError):
        impl.trend([3])


@pytest.mark.clause("keys", "trends", "improving", "mean-trend", "closed-share", "status-case")
def test_readiness_on_a_hand_computed_case(impl: ModuleType) -> None:
    got = impl.readiness(
        {"communication": [2, 3, 4], "depth": [3, 3, 3], "trade-offs": [4, 3, 2]},
        {"G10": "Open", "G2": "closed", "G3": " in progress ", "G1": "open"},
    )
    want = {
        "trends": {"communication": 1.0, "depth": 0.0, "trade-offs": -1.0},
        "improving": ["communication"],
        "mean_trend": 0.0,
        "closed_share": 0.25,
        "open": ["G1", "G10"],
    }
    assert isinstance(got, dict) and set(got) == set(want), (
        f"readiness must return a dict with keys {sorted(want)}, got {got!r}"
    )
    for key, value in want.items():
        assert got[key] == pytest.approx(value), (
            f"readiness(...)[{key!r}] should be {value!r}, got {got[key]!r} (communication 2,3,4; "
            "depth 3,3,3; trade-offs 4,3,2; gaps G10 Open, G2 closed, G3 in progress, G1 open)"
        )


def _slope_tolerance(scores: list[float]) -> float:
    """An absolute tolerance for a slope: float64 rounding of sums of the scores' magnitude."""
    return 1e-9 * (1.0 + max((abs(s) for s in scores), default=0.0))


def _same_slope(got: object, want: float, scores: list[float]) -> str | None:
    return diff.same(got, want, rtol=1e-9, atol=_slope_tolerance(scores))


_SCORES = st.one_of(
    st.lists(st.integers(0, 5).map(float), max_size=8),
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), max_size=8),
    st.tuples(st.sampled_from([0.0, 1.0, 3.0, 0.1, -1e3, 1e3]), st.integers(0, 6)).map(
        lambda vn: [vn[0]] * vn[1]
    ),
)


@pytest.mark.clause("slope", "constant", "too-few", "float")
@given(scores=_SCORES)
@example(scores=[])
@example(scores=[3.0])
@example(scores=[2.0, 2.0, 3.0, 3.0, 4.0])
@example(scores=[0.1, 0.1, 0.1])
def test_trend_agrees_with_the_reference(impl: ModuleType, reference: ModuleType, scores) -> None:
    diff.assert_same(
        impl.trend,
        reference.trend,
        scores,
        compare=lambda got, want: (
            _same_slope(got, want, scores)
            if isinstance(got, float)
            else f"trend must return a Python float, got {diff.describe(got)}"
        ),
    )


@pytest.mark.clause("slope", "float")
def test_trend_returns_a_float_for_integer_scores(impl: ModuleType) -> None:
    got = impl.trend((1, 2, 4))
    assert isinstance(got, float), f"trend((1, 2, 4)) must return a float, got {got!r}"
    assert math.isclose(got, 1.5), f"trend((1, 2, 4)) should be 1.5, got {got}"


@pytest.mark.clause("constant")
@pytest.mark.parametrize("value", [0, 3, 0.1, 1e3])
@pytest.mark.parametrize("n", [2, 3, 6])
def test_constant_scores_have_no_trend(impl: ModuleType, value: float, n: int) -> None:
    got = impl.trend([value] * n)
    assert abs(got) <= _slope_tolerance([value]), (
        f"trend({[value] * n}) should be 0.0 (constant scores), got {got!r}"
    )


_STATUSES = st.sampled_from(
    ["open", "closed", "in progress", "Open", " CLOSED ", "In Progress", "  open", "Closed\t"]
)
_GAPS = st.dictionaries(st.integers(1, 30).map(lambda i: f"G{i}"), _STATUSES, max_size=8)


@st.composite
def _score_tables(draw: st.DrawFn) -> dict[str, list[float]]:
    n = draw(st.integers(2, 6))
    dims = draw(
        st.lists(st.sampled_from(["communication", "depth", "trade-offs", "coding"]), unique=True)
    )
    value = st.one_of(st.integers(0, 5).map(float), st.floats(-1e3, 1e3, allow_nan=False))
    return {d: draw(st.lists(value, min_size=n, max_size=n)) for d in dims}


def _same_summary(got: object, want: dict, scores: dict[str, list[float]]) -> str | None:
    if not isinstance(got, dict):
        return f"readiness must return a dict, got {diff.describe(got)}"
    scale = [abs(v) for values in scores.values() for v in values]
    return diff.same(got, want, rtol=1e-9, atol=_slope_tolerance(scale))


@pytest.mark.clause(
    "keys", "trends", "improving", "mean-trend", "closed-share", "status-case", "open-order"
)
@given(scores=_score_tables(), gaps=_GAPS)
@example(scores={}, gaps={})
@example(scores={"depth": [3.0, 3.0]}, gaps={"G10": "open", "G2": " Open ", "G1": "closed"})
@example(scores={"a": [1.0, 2.0], "b": [2.0, 2.0]}, gaps={"G3": " CLOSED ", "G12": "in progress"})
def test_readiness_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, scores, gaps
) -> None:
    diff.assert_same(
        impl.readiness,
        reference.readiness,
        scores,
        gaps,
        compare=lambda got, want: _same_summary(got, want, scores),
    )


@pytest.mark.clause("open-order")
def test_open_gaps_are_sorted_by_number(impl: ModuleType) -> None:
    got = impl.readiness({"depth": [1, 2]}, {"G10": "open", "G2": "open", "G9": "open"})["open"]
    assert got == ["G2", "G9", "G10"], (
        f"open gaps sort by their number (G2 before G10): expected ['G2', 'G9', 'G10'], got {got}"
    )


@pytest.mark.clause("closed-share", "mean-trend")
def test_readiness_with_nothing_logged(impl: ModuleType) -> None:
    got = impl.readiness({}, {})
    assert got.get("closed_share") == 0.0 and got.get("mean_trend") == 0.0, (
        f"with no dimensions and no gaps, closed_share and mean_trend are 0.0; got {got!r}"
    )
    assert got.get("open") == [] and got.get("improving") == [] and got.get("trends") == {}, (
        f"with nothing logged, trends is {{}} and improving/open are []; got {got!r}"
    )


@pytest.mark.clause("evidence")
def test_at_least_four_fully_scored_mocks(impl: ModuleType) -> None:
    mocks = _mocks(impl)
    scored = [m for m in mocks if all(m.scores.get(dim) for dim in mock.DIMENSIONS)]
    assert len(scored) >= MIN_MOCKS and len(scored) == len(mocks), (
        f"{len(scored)} of your {len(mocks)} logged mocks score every dimension "
        f"({', '.join(mock.DIMENSIONS)}); log at least {MIN_MOCKS}, each fully scored"
    )


@pytest.mark.clause("evidence")
def test_scores_trend_upward(impl: ModuleType) -> None:
    mocks = _mocks(impl)
    assert len(mocks) >= 2, "log at least two mocks to show a trend"
    scores = _scores(mocks)
    summary = impl.readiness(scores, _tracker(impl))
    trends = {d: float(np.polyfit(np.arange(len(s)), s, 1)[0]) for d, s in scores.items()}
    table = "\n".join(
        f"- {d}: {' -> '.join(f'{v:g}' for v in s)} (trend {trends[d]:+.2f}/mock)"
        for d, s in scores.items()
    )
    mean = sum(trends.values()) / len(trends)
    assert mean > 0, (
        f"your scores do not improve overall (mean trend {mean:+.2f} per mock):\n{table}\n"
        f"your readiness() says {summary.get('improving')} improve"
    )
    worse = [d for d, s in scores.items() if s[-1] < s[0]]
    assert not worse, (
        f"these dimensions end below where they started: {', '.join(worse)}\n{table}\n"
        "plan a practice for them in the tracker and show it in your next mock"
    )


@pytest.mark.clause("evidence")
def test_every_gap_is_tracked_and_worked_on(impl: ModuleType) -> None:
    mocks = _mocks(impl)
    tracker = _tracker(impl)
    raised = {gap: m.number for m in mocks for gap in m.gaps}
    untracked = sorted(set(raised) - set(tracker), key=lambda g: int(g[1:]))
    assert not untracked, f"gaps of your mock log missing from the tracker: {untracked}"
    last = max(m.number for m in mocks)
    earlier = {gap for gap, number in raised.items() if number < last}
    still_open = sorted((g for g in earlier if tracker[g] == "open"), key=lambda g: int(g[1:]))
    assert not still_open, (
        f"gaps raised before your last mock are still 'open' (no practice started): "
        f"{', '.join(still_open)}; start a practice and mark them 'in progress'"
    )
    summary = impl.readiness(_scores(mocks), {g: tracker[g] for g in earlier})
    closed = sum(tracker[g] == "closed" for g in earlier)
    assert earlier and closed / len(earlier) >= MIN_CLOSED_SHARE, (
        f"{closed} of the {len(earlier)} gaps raised before your last mock are closed; close at "
        f"least a third with evidence from a later mock (your readiness() gives closed_share "
        f"{summary.get('closed_share')})"
    )


@pytest.mark.clause("evidence")
def test_strategy_is_complete(impl: ModuleType) -> None:
    document = star.load(_portfolio(impl) / "interview_strategy.md")
    thin = []
    for name, words in STRATEGY_SECTIONS.items():
        body = document.section(*words)
        count = 0 if body is None else written.words(body)
        if count < MIN_SECTION_WORDS:
            thin.append(f"{name} ({count} words)")
    assert not thin, (
        f"interview_strategy.md sections missing or under {MIN_SECTION_WORDS} words: "
        + ", ".join(thin)
    )
