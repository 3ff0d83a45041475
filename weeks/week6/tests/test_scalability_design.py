"""Tests of week6.scalability_design: scaling RxVision25 by 100x across three regions.

Judged by ``grader.design_judge``: the sections (Bottlenecks, Compute, Data, Multi-region, Cost)
written in sentences, estimates derived from your *measured* per-pod capacity
(``replica_throughput``) that hold when recomputed, a bottleneck analysis in order with numbers,
what each section must cover, and the concepts of the deep dive discussed where they belong (not
in a glossary). Each test names the ``[#clause]`` of the template it checks.
Run: ``pytest weeks/week6/tests/test_scalability_design.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import design_judge
from grader.design_checks import concepts_in_sections_problem, keyword_sections_problem
from grader.writing import WritingTests
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
#: clause -> (section, terms (name -> synonyms) it must name, what the template asks for)
SECTION_TERMS: dict[str, tuple[str, dict[str, tuple[str, ...]], str]] = {
    "compute": (
        "compute",
        {
            "stateless": ("stateless",),
            "autoscaling": ("autoscaling", "autoscaler", "hpa", "horizontal"),
            "batching": ("batch", "dynamic batching"),
            "hardware": ("gpu", "cpu", "vcpu", "hardware", "instance type"),
            "cache tiers": RUBRIC.concepts["cache tiers"],
        },
        "stateless predictors, autoscaling, batching, the hardware choice and the cache tiers",
    ),
    "data": (
        "data",
        {
            "database": ("postgresql", "postgres", "mysql", "sql", "audit log"),
            "cache": ("redis", "memcached"),
            "object store": ("object storage", "s3", "blob", "bucket", "gcs"),
            "feature store": ("online store",),
            "registry": ("model registry",),
            "partitioning": ("partition", "partitioned", "shard", "sharded", "sharding"),
            "replication": ("replica", "replicas", "replicated", "replicate"),
        },
        "each stateful part (database, cache, object store, feature store, registry) with its "
        "partitioning and replication",
    ),
    "multi-region": (
        "multi-region",
        {
            "routing": ("routing", "routed", "geo dns", "anycast", "global load balancer"),
            "failover": ("fail over", "fails over"),
            "data residency": RUBRIC.concepts["data residency"],
            "consistency": ("consistent", "eventually consistent"),
        },
        "routing users to a region, failover, data residency and consistency across regions",
    ),
}
MONEY = re.compile(r"\$\s?\d[\d,.]*|\d[\d,.]*\s?(?:\$|usd|dollars)", re.I)
LEVERS = ("lever", "levers", "cut", "cuts", "save", "saves", "saving", "reduce", "reduces")


@pytest.fixture
def document(target_path: Path) -> Document:
    return load(target_path)


@pytest.fixture
def judgement(document: Document) -> design_judge.Judgement:
    return design_judge.judge(document, RUBRIC)


@pytest.mark.clause("sections")
def test_deep_dive_sections_are_written(judgement: design_judge.Judgement) -> None:
    problems = [p for p in judgement.problems() if p.startswith(("missing section", "section"))]
    assert not problems, "sections to write:\n" + "\n".join(f"- {p}" for p in problems)


@pytest.mark.clause("measured", "hundred-x", "estimates-stated")
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


@pytest.mark.clause("estimates-recomputed")
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


@pytest.mark.clause("bottleneck-numbers")
def test_bottlenecks_are_quantified(document: Document) -> None:
    body = document.section(*("bottleneck", "what breaks first")) or ""
    numbers = MEASURED.findall(body)
    assert len(numbers) >= 3, (
        "say what breaks first *with numbers* from your measurements (requests/s per pod, "
        "inserts/s, memory in GB, share of time in the model): found "
        f"{len(numbers)} measured quantities in the Bottlenecks section, want at least 3"
    )


@pytest.mark.clause("concepts")
def test_deep_dive_concepts_are_discussed(judgement: design_judge.Judgement) -> None:
    missing = judgement.concepts.missing
    assert not missing, "concepts an interviewer expects in this deep dive: " + ", ".join(
        f"{name} ({' / '.join(RUBRIC.concepts[name])})" for name in missing
    )


@pytest.mark.clause("sections")
def test_sections_are_sentences_not_keyword_lists(
    document: Document, judgement: design_judge.Judgement
) -> None:
    problem = keyword_sections_problem(document, judgement)
    assert problem is None, problem


@pytest.mark.clause("concepts")
def test_concepts_are_discussed_in_the_sections(
    document: Document, judgement: design_judge.Judgement
) -> None:
    problem = concepts_in_sections_problem(document, judgement)
    assert problem is None, problem


@pytest.mark.clause("bottlenecks", "bottleneck-numbers")
def test_bottlenecks_come_in_order_each_with_its_number(document: Document) -> None:
    body = document.section("bottleneck", "what breaks first") or ""
    entries = design_judge.items(body)
    assert len(entries) >= 3, (
        "list what breaks first, second and third as traffic grows, one list item each; found "
        f"{len(entries)} item(s) in the Bottlenecks section"
    )
    bare = [entry[:60] for entry in entries if not MEASURED.search(entry)]
    assert not bare, (
        "give each bottleneck the number that says when it breaks (requests/s per pod, inserts/s, "
        "GB of memory, a multiple of today's traffic such as 40x); without one: "
        + "; ".join(repr(b) for b in bare)
    )


@pytest.mark.parametrize(
    "clause", [pytest.param(c, marks=pytest.mark.clause(c), id=c) for c in SECTION_TERMS]
)
def test_each_section_covers_what_the_template_asks(
    document: Document, judgement: design_judge.Judgement, clause: str
) -> None:
    section, terms, what = SECTION_TERMS[clause]
    heading = judgement.sections.found.get(section)
    assert heading is not None, f"no {section!r} section (see test_deep_dive_sections_are_written)"
    missing = design_judge.find_terms(document.sections[heading], terms).missing
    assert not missing, (
        f"the {heading!r} section should cover {what}; it never names: "
        + ", ".join(f"{name} ({' / '.join(terms[name])})" for name in missing)
    )


@pytest.mark.clause("cost")
def test_cost_gives_the_bill_by_component_and_the_levers(
    document: Document, judgement: design_judge.Judgement
) -> None:
    heading = judgement.sections.found.get("cost")
    assert heading is not None, "no 'Cost' section (see test_deep_dive_sections_are_written)"
    body = document.sections[heading]
    amounts = MONEY.findall(body)
    assert len(amounts) >= 2, (
        "give the bill by component, each in $ a month (`Predictor fleet: ... about $9,200 a "
        f"month`); found {len(amounts)} amount(s) in the Cost section"
    )
    assert design_judge.find_terms(body, {"levers": LEVERS}).ok, (
        "name the levers that cut the bill (the cache hit rate, quantisation, scaling down at "
        "night ...): the Cost section never says what would cut, save or reduce it"
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""
