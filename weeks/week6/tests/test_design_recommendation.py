"""Tests of week6.design_recommendation: a recommendation system.

Your design is read by ``grader.design_judge``: every section of the template written in
sentences (more than a one-liner, not a keyword list), a Mermaid architecture diagram that parses,
names the main components and connects them, the key concepts of the prompt discussed in the
sections where they belong, estimates stated in the structured form (a table ``| quantity | value
| unit |`` or lines ``name = value unit``) with their inputs, that still hold when recomputed, and
at least three explicit trade-offs (these shared checks are in ``grader/design_checks.py``; each
test names the ``[#clause]`` of the template it checks); then the two-stage
funnel and the latency budget per stage. The quality of the argument is your mentor's rubric, not
these tests.
Run: ``pytest weeks/week6/tests/test_design_recommendation.py``.
"""

from __future__ import annotations

import pytest

from grader import design_judge
from grader.design_checks import DIAGRAM_PATHS, FORMAT, REQUIRED_ESTIMATES, DesignPromptTests
from grader.writing import WritingTests

FUNNEL = ("catalogue_size", "candidates_retrieved", "candidates_ranked", "results_shown")


class TestDesign(DesignPromptTests):
    rubric = design_judge.RUBRICS["recommendation"]
    required_estimates = REQUIRED_ESTIMATES["recommendation"]
    paths = DIAGRAM_PATHS["recommendation"]

    @pytest.mark.clause("funnel")
    def test_funnel_narrows_at_every_stage(self, judgement: design_judge.Judgement) -> None:
        values = judgement.estimates.values
        missing = [name for name in FUNNEL if name not in values]
        assert not missing, f"state the funnel sizes {', '.join(missing)}; {FORMAT}"
        sizes = [values[name].value for name in FUNNEL]
        assert all(a > b for a, b in zip(sizes, sizes[1:], strict=False)), (
            "each stage of the funnel must keep fewer items than the one before: "
            + " -> ".join(f"{name} {size:,.0f}" for name, size in zip(FUNNEL, sizes, strict=True))
        )
        assert sizes[1] <= sizes[0] / 100, (
            f"retrieval should cut the catalogue by orders of magnitude (millions -> hundreds or "
            f"thousands); you keep {sizes[1]:,.0f} of {sizes[0]:,.0f}"
        )

    @pytest.mark.clause("stage-budgets")
    def test_latency_budget_per_stage_fits_the_slo(self, judgement: design_judge.Judgement) -> None:
        values = judgement.estimates.values
        stages = [name for name in values if name.startswith("budget_")]
        for needed in ("retrieval", "ranking"):
            assert any(needed in name for name in stages), (
                f"give the {needed} stage its latency budget (e.g. `budget_{needed}_ms = 20`); "
                f"stages found: {', '.join(stages) or 'none'}"
            )
        check = next((c for c in judgement.checks if c.name == "latency_slo"), None)
        assert check is not None, (
            "state the end-to-end SLO as latency_slo (e.g. latency_slo_ms = 100)"
        )
        assert check.ok, check.message()


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""
