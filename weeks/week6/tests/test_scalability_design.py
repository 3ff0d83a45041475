"""Tests of week6.scalability_design: scaling RxVision25 by 100x across three regions.

Judged by ``grader.design_judge``: the sections (Bottlenecks, Compute, Data, Multi-region, Cost)
written, estimates derived from your *measured* per-pod capacity (``replica_throughput``) that hold
when recomputed, a bottleneck analysis with numbers, and the concepts of the deep dive.
Run: ``pytest weeks/week6/tests/test_scalability_design.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import design_judge
from grader.written import Document, load

RUBRIC = design_judge.Rubric(
    sections={
        "bottlenecks": ("bottleneck", "what breaks first"),
        "compute": ("predictor", "serving fleet"),
        "data": ("storage", "state"),
        "multi-region": ("multi region", "regions", "geo"),
        "cost": ("costs", "budget"),
    },
    concepts={
        "stateless": ("stateless",),
        "horizontal scaling": ("horizontal", "autoscaling", "autoscaler", "hpa"),
        "batching": ("dynamic batching", "batch"),
        "cache tiers": ("cache tier", "in process", "local cache", "two level", "cdn"),
        "sharding": ("shard", "partition", "partitioned"),
        "replication": ("replicated", "read replica", "replicas"),
        "multi-region routing": (
            "geo dns",
            "geo routing",
            "latency based routing",
            "nearest healthy region",
            "anycast",
            "global load balancer",
        ),
        "eventual consistency": ("eventually consistent",),
        "model versions": ("model version",),
        "data residency": ("phi", "in region", "residency"),
        "failover": ("fail over", "fails over"),
    },
    diagram=False,
)
REQUIRED = ("replica_throughput", "scale_factor", "target_qps", "replicas", "monthly_cost")
MEASURED = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:%|ms\b|requests/s|req/s|GB\b|MB\b|inserts/s|x\b)")


@pytest.fixture
def document(target_path: Path) -> Document:
    return load(target_path)


@pytest.fixture
def judgement(document: Document) -> design_judge.Judgement:
    return design_judge.judge(document, RUBRIC)


def test_deep_dive_sections_are_written(judgement: design_judge.Judgement) -> None:
    problems = [p for p in judgement.problems() if p.startswith(("missing section", "section"))]
    assert not problems, "sections to write:\n" + "\n".join(f"- {p}" for p in problems)


def test_estimates_start_from_the_measured_capacity(judgement: design_judge.Judgement) -> None:
    values = judgement.estimates.values
    assert not judgement.estimates.problems, "\n".join(judgement.estimates.problems)
    missing = [name for name in REQUIRED if name not in values]
    assert not missing, (
        f"state {', '.join(missing)} (a table `| replica_throughput | 45 | requests/s |` or lines "
        "`replicas = 126`): the answer must start from your measured per-pod capacity "
        "(replica_throughput, from your Week 3 load test)"
    )
    factor = values["scale_factor"].value
    assert factor == pytest.approx(100), (
        f"the prompt is 100x the traffic; your scale_factor is {factor:g} "
        f"(line {values['scale_factor'].line})"
    )


def test_estimates_hold_when_recomputed(judgement: design_judge.Judgement) -> None:
    names = {c.name for c in judgement.checks}
    assert {"target_qps", "replicas", "monthly_cost"} <= names, (
        "target_qps, replicas and monthly_cost must be recomputable: state peak_qps, "
        "scale_factor, replica_throughput, utilisation and cost_per_replica_hour too; "
        f"recomputed so far: {', '.join(sorted(names)) or 'nothing'}"
    )
    wrong = [c.message() for c in judgement.wrong_estimates]
    assert not wrong, "estimates that do not follow from your numbers:\n" + "\n".join(
        f"- {w}" for w in wrong
    )


def test_bottlenecks_are_quantified(document: Document) -> None:
    body = document.section(*("bottleneck", "what breaks first")) or ""
    numbers = MEASURED.findall(body)
    assert len(numbers) >= 3, (
        "say what breaks first *with numbers* from your measurements (requests/s per pod, "
        "inserts/s, memory in GB, share of time in the model): found "
        f"{len(numbers)} measured quantities in the Bottlenecks section, want at least 3"
    )


def test_deep_dive_concepts_are_discussed(judgement: design_judge.Judgement) -> None:
    missing = judgement.concepts.missing
    assert not missing, "concepts an interviewer expects in this deep dive: " + ", ".join(
        f"{name} ({' / '.join(RUBRIC.concepts[name])})" for name in missing
    )
