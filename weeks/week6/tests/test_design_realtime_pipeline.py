"""Tests of week6.design_realtime_pipeline: a real-time ML pipeline.

Your design is read by ``grader.design_judge``: every section of the template written in
sentences (more than a one-liner, not a keyword list), a Mermaid architecture diagram that parses,
names the main components and connects them, the key concepts of the prompt discussed in the
sections where they belong, estimates stated in the structured form (a table ``| quantity | value
| unit |`` or lines ``name = value unit``) with their inputs, that still hold when recomputed, and
at least three explicit trade-offs (these shared checks are in ``grader/design_checks.py``; each
test names the ``[#clause]`` of the template it checks); then the latency
budget per stage and the delivery semantics. The quality of the argument is your mentor's rubric,
not these tests.
Run: ``pytest weeks/week6/tests/test_design_realtime_pipeline.py``.
"""

from __future__ import annotations

import pytest

from grader import design_judge
from grader.design_checks import DIAGRAM_PATHS, REQUIRED_ESTIMATES, DesignPromptTests
from grader.writing import WritingTests
from grader.written import Document

SEMANTICS = {
    "delivery guarantee": ("at least once", "exactly once", "at most once"),
    "idempotent consumers": ("idempotent", "idempotency", "dedup", "deduplicate"),
    "what is deduplicated": ("event id", "message id", "idempotency key", "dedup key"),
}


class TestDesign(DesignPromptTests):
    rubric = design_judge.RUBRICS["realtime_pipeline"]
    required_estimates = REQUIRED_ESTIMATES["realtime_pipeline"]
    paths = DIAGRAM_PATHS["realtime_pipeline"]

    @pytest.mark.clause("stage-budgets")
    def test_latency_budget_per_stage_adds_up_to_the_slo(
        self, judgement: design_judge.Judgement
    ) -> None:
        stages = [name for name in judgement.estimates.values if name.startswith("budget_")]
        assert len(stages) >= 3, (
            "split the end-to-end latency into at least 3 stage budgets (e.g. `budget_ingest_ms`, "
            f"`budget_features_ms`, `budget_scoring_ms`); found {', '.join(stages) or 'none'}"
        )
        check = next((c for c in judgement.checks if c.name == "latency_slo"), None)
        assert check is not None, (
            "state the end-to-end SLO as latency_slo (e.g. latency_slo_ms = 200)"
        )
        assert check.ok, check.message()

    @pytest.mark.clause("semantics")
    def test_delivery_semantics_are_explicit(self, document: Document) -> None:
        found = design_judge.find_terms(document.text, SEMANTICS)
        assert found.ok, (
            "say which delivery guarantee you rely on and how you make it safe: missing "
            + ", ".join(f"{name} ({' / '.join(SEMANTICS[name])})" for name in found.missing)
        )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""
