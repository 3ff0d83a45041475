"""The design judge: terms, Mermaid flowcharts, estimates, and the judgement of a document.

The Python Mermaid parser is cross-checked against the real one (npm ``mermaid`` under ``jsdom``,
run by Node.js) on a set of diagrams, including every diagram of the week 6 exemplars and
mutants. That test installs the pinned npm packages into ``$RXGRADE_MERMAID_DIR`` (default
``~/.cache/rxgrade/mermaid``) on first use, and skips when Node.js is missing, when
``RXGRADE_MERMAID_INSTALL=0`` forbids the install, or when npm cannot reach its registry.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pytest

from grader import manifest, mutants
from grader.design_judge import Rubric, find_terms, items, judge
from grader.estimates import EstimateCheck, check_estimates, impossible_values, parse_estimates
from grader.mermaid import Edge, MermaidError, NodeMermaid, parse_mermaid

ROOT = Path(__file__).resolve().parents[2]


# -- terms -------------------------------------------------------------------------------------
def test_find_terms_matches_synonyms_case_hyphens_and_plurals() -> None:
    text = "We keep Feature-Stores in sync, use an HNSW index, and <!-- cold start --> ignore it."
    found = find_terms(
        text,
        {
            "feature store": ("feast",),
            "ANN index": ("ann", "hnsw"),
            "cold start": (),
            "planning": ("plan",),
        },
    )
    assert found.found == {"feature store": "feature store", "ANN index": "hnsw"}
    assert found.missing == ("cold start", "planning")  # comments never count


def test_find_terms_respects_word_boundaries() -> None:
    assert find_terms("capacity planning for the scanner", {"ann": ()}).missing == ("ann",)
    assert find_terms("an A/B test", {"a/b test": ()}).ok
    assert find_terms("at-least-once delivery", {"at least once": ()}).ok


def test_items_are_list_entries_and_level_3_blocks() -> None:
    body = "Intro.\n\n1. **A vs B:** first\n   continued\n- second\n\n### Third\ntext\n\nmore\n"
    assert items(body) == ["**A vs B:** first continued", "second", "Third text more"]


# -- mermaid: what parses ----------------------------------------------------------------------
DIAGRAM = """\
---
title: serving
---
flowchart LR
  %% the online path
  subgraph online [Serving path]
    app[Pharmacy app] -->|photo, sync| gw(API gateway)
    gw -->|lookup| cache[(Redis cache)]
    gw --> pred{{Predictor}} --> out([Answer])
  end
  subgraph Offline training
    train[[Trainer]]
  end
  pred -.->|metrics, async| mon>Monitor]
  gw -- logs --> store[("Image store (S3)")]
  train ==> reg((Registry)) --- pred
  a-1 & b.2 -->
    c
  class gw hot
  style pred fill:#f9f
"""


def test_parse_mermaid_nodes_shapes_and_labels() -> None:
    chart = parse_mermaid(DIAGRAM)
    assert chart.direction == "LR"
    shapes = {n.id: (n.label, n.shape) for n in chart.nodes.values()}
    assert shapes["app"] == ("Pharmacy app", "square")
    assert shapes["gw"] == ("API gateway", "round")
    assert shapes["cache"] == ("Redis cache", "cylinder")
    assert shapes["pred"] == ("Predictor", "hexagon")
    assert shapes["out"] == ("Answer", "stadium")
    assert shapes["train"] == ("Trainer", "subroutine")
    assert shapes["mon"] == ("Monitor", "odd")
    assert shapes["store"] == ("Image store (S3)", "cylinder")
    assert shapes["reg"] == ("Registry", "circle")
    assert shapes["a-1"] == ("a-1", None) and shapes["b.2"] == ("b.2", None)
    assert sorted(chart.undeclared()) == ["a-1", "b.2", "c"]


def test_parse_mermaid_edges_labels_and_strokes() -> None:
    chart = parse_mermaid(DIAGRAM)
    edges = set(chart.edges)
    assert Edge("app", "gw", "photo, sync", "point", "normal") in edges
    assert Edge("pred", "out", "", "point", "normal") in edges  # chains: gw --> pred --> out
    assert Edge("pred", "mon", "metrics, async", "point", "dotted") in edges
    assert Edge("gw", "store", "logs", "point", "normal") in edges  # -- text --> form
    assert Edge("train", "reg", "", "point", "thick") in edges
    assert Edge("reg", "pred", "", "open", "normal") in edges
    # a & b --> c, written across two lines
    assert {("a-1", "c"), ("b.2", "c")} <= {(e.source, e.target) for e in chart.edges}


def test_parse_mermaid_subgraphs() -> None:
    chart = parse_mermaid(DIAGRAM)
    by_title = {s.title: s for s in chart.subgraphs}
    assert by_title["Serving path"].id == "online"
    assert by_title["Serving path"].nodes == {"app", "gw", "cache", "pred", "out"}
    assert by_title["Offline training"].nodes == {"train"}
    assert "Serving path" in chart.text() and "Pharmacy app" in chart.text()


def test_parse_mermaid_graph_header_and_semicolons() -> None:
    chart = parse_mermaid("graph TD;A-->B;B---C")
    assert chart.direction == "TB"
    assert [(e.source, e.target, e.arrow) for e in chart.edges] == [
        ("A", "B", "point"),
        ("B", "C", "open"),
    ]


# -- mermaid: what does not parse --------------------------------------------------------------
BROKEN = [
    ("flowchart LR\n  A[Client --> B", 2, "not closed"),
    ("flowchart LR\n  A -->\n", 2, "no target"),
    ("flowchart XY\n  A --> B", 1, "unknown direction"),
    ("flowchart LR\n  subgraph one\n  A --> B\n", 2, "never closed"),
    ("flowchart LR\n  A --> B\n  end", 3, "without an open subgraph"),
    ("flowchart LR\n  end --> B", 2, "cannot be a node id"),
    ("flowchart LR\n  A[Model (int8)] --> B", 2, "must be quoted"),
    ("flowchart LR\n  A[Model server]] --> B", 2, "unexpected"),
    ("flowchart LR\n  A[] --> B", 2, "empty label"),
    ("flowchart LR\n  A --> B %% trailing comment", 2, "expected an arrow"),
    ("sequenceDiagram\n  A->>B: hi", 1, "only flowcharts"),
    ("", 0, "empty"),
]


@pytest.mark.parametrize(("text", "line", "message"), BROKEN, ids=[m for _, _, m in BROKEN])
def test_parse_mermaid_reports_errors_with_line_numbers(text: str, line: int, message: str) -> None:
    with pytest.raises(MermaidError, match=message) as info:
        parse_mermaid(text)
    assert info.value.line == line


# -- estimates ---------------------------------------------------------------------------------
ESTIMATES = """
| quantity | value | unit |
|---|---|---|
| daily_requests | 50M | requests/day |
| peak_factor | 3x | |
| **peak_qps** | ~1,736 | requests/s |
| utilisation | 60 | |
| image_size | 200 KB | |
<!-- | replicas | 999 | | -->

- `latency_ms = 20`
- concurrency_per_replica = 4
replicas = ceil(1736 x 0.02 / 2.4) = 15 (with headroom)
bandwidth_gbps = 2.8
retention_days = 365
cache_hit_rate = 0%
not_a_quantity = 12
peak_qps = avg_qps x peak_factor
"""


def test_parse_estimates_reads_tables_lines_units_and_multipliers() -> None:
    values = parse_estimates(ESTIMATES).values
    assert values["daily_requests"].value == pytest.approx(50e6 / 86_400)
    assert values["peak_factor"].value == 3
    assert values["peak_qps"].value == 1736
    assert values["utilisation"].value == pytest.approx(0.6)  # 60 means 60 %
    assert values["item_size"].value == 200_000  # image_size is an alias, KB = 1000 bytes
    assert values["latency"].value == pytest.approx(0.020)
    assert values["concurrency_per_replica"].value == 4
    assert values["replicas"].value == 15  # the value after the last '=', remarks dropped
    assert values["bandwidth"].value == pytest.approx(2.8e9 / 8)  # stored in bytes/s
    assert values["retention"].value == 365 * 86_400
    assert values["cache_hit_rate"].value == 0
    assert "not_a_quantity" not in values
    assert values["bandwidth"].shown() == "2.8 gbps"


@pytest.mark.parametrize(
    ("line", "name", "value"),
    [
        ("storage = 1.1 PB", "storage", 1.1e15),
        ("storage_tb = 88", "storage", 88e12),
        ("storage = 10 TiB", "storage", 10 * 2**40),
        ("bandwidth = 100 MB/s", "bandwidth", 100e6),
        ("bandwidth = 800 Mbit/s", "bandwidth", 100e6),
        ("payload_kb = 150", "payload_size", 150e3),
        ("daily_requests = 2 million", "daily_requests", 2e6 / 86_400),
        ("avg_qps = 1.2k", "avg_qps", 1200),
        ("avg_qps = 3600 requests/hour", "avg_qps", 1),
        ("latency_slo = 0.2 s", "latency_slo", 0.2),
        ("budget_ranking_ms = 40", "budget_ranking", 0.04),
        ("cost_per_replica_hour = $0.36", "cost_per_replica_hour", 0.0001),
        ("monthly_cost = $1,900", "monthly_cost", 1900),
        ("model_size = 5.6 MB", "model_size", 5.6e6),
    ],
)
def test_parse_estimates_units(line: str, name: str, value: float) -> None:
    estimates = parse_estimates(line)
    assert not estimates.problems
    assert estimates.values[name].value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("latency = 3 GB", "latency is a duration"),
        ("| storage | lots | |", "is not a number"),
        ("storage = 3 parsecs/s", "is a size in bytes"),
        ("peak_qps = 10\npeak_qps = 20", "stated twice"),
        ("storage = 3 MB ms", "not understood"),
    ],
)
def test_parse_estimates_reports_problems(text: str, problem: str) -> None:
    problems = parse_estimates(text).problems
    assert len(problems) == 1 and problem in problems[0], problems


def _checks(text: str) -> dict[str, EstimateCheck]:
    return {c.name: c for c in check_estimates(parse_estimates(text))}


def test_check_estimates_recomputes_the_chain() -> None:
    checks = _checks(
        "dau = 10M\nrequests_per_user = 5\ndaily_requests = 50M\navg_qps = 579\n"
        "peak_factor = 3\npeak_qps = 1736\ncache_hit_rate = 15%\nbackend_qps = 1476\n"
        "latency_ms = 20\nconcurrency_per_replica = 4\nutilisation = 0.6\nreplicas = 13\n"
        "items_per_day = 5M\nitem_size = 200 KB\nretention_days = 365\nreplication = 3\n"
        "storage = 1.1 PB\npayload_kb = 200\nbandwidth = 2.8 Gbit/s\n"
        "cost_per_replica_hour = 0.2\nmonthly_cost = 1900\n"
    )
    assert set(checks) == {
        "daily_requests",
        "avg_qps",
        "peak_qps",
        "backend_qps",
        "replicas",
        "storage",
        "bandwidth",
        "monthly_cost",
    }
    assert all(c.ok for c in checks.values()), [c.message() for c in checks.values() if not c.ok]
    assert checks["replicas"].expected == 13  # ceil(1476 x 0.02 / 2.4) = ceil(12.3)
    assert checks["storage"].expected == pytest.approx(1.095e15)
    assert checks["bandwidth"].expected == pytest.approx(1736 * 200e3)


def test_check_estimates_flags_more_than_2x_and_names_both_numbers() -> None:
    checks = _checks("daily_requests = 50M\npeak_factor = 3\npeak_qps = 17,360 requests/s")
    check = checks["peak_qps"]
    assert not check.ok and check.ratio == pytest.approx(10, rel=1e-3)
    message = check.message()
    assert "17,360 requests/s" in message and "1,736 requests/s" in message
    assert "off by 10.0x" in message
    assert _checks("daily_requests = 50M\npeak_factor = 3\npeak_qps = 3000")["peak_qps"].ok
    assert not _checks("daily_requests = 50M\npeak_factor = 3\npeak_qps = 800")["peak_qps"].ok


def test_check_estimates_uses_stated_inputs_so_errors_are_flagged_once() -> None:
    checks = _checks(
        "daily_requests = 50M\npeak_factor = 3\npeak_qps = 17360\nlatency = 0.02\n"
        "concurrency_per_replica = 4\nutilisation = 1\nreplicas = 87"
    )
    assert not checks["peak_qps"].ok
    assert checks["replicas"].ok  # consistent with the (wrong) peak the learner stated


def test_check_estimates_bits_vs_bytes() -> None:
    text = "peak_qps = 1000\npayload_size = 250 KB\nbandwidth = {}"
    assert _checks(text.format("2 Gbit/s"))["bandwidth"].ok
    assert not _checks(text.format("2 GB/s"))["bandwidth"].ok


def test_check_estimates_replicas_from_measured_throughput_and_costs() -> None:
    checks = _checks(
        "peak_qps = 40\nscale_factor = 100\ntarget_qps = 4000\nreplica_throughput = 45\n"
        "utilisation = 60%\nreplicas = 149\ncost_per_replica_hour = 0.10\nmonthly_cost = 10877\n"
        "cost_per_million = 1.03"
    )
    assert checks["target_qps"].ok
    assert checks["replicas"].expected == math.ceil(4000 / 27)
    assert checks["monthly_cost"].expected == pytest.approx(149 * 0.10 * 730)
    assert checks["cost_per_million"].expected == pytest.approx(0.10 / (45 * 0.6 * 3600) * 1e6)
    assert all(c.ok for c in checks.values())


def test_check_estimates_tolerance_is_configurable_and_named_in_the_message() -> None:
    text = (
        "peak_qps = 40\nreplica_throughput = 45\nutilisation = 60%\ncost_per_replica_hour = 0.10\n"
    )
    exact = 0.10 / (45 * 0.6 * 3600) * 1e6  # 1.029 $ per million
    forgot_utilisation = f"{text}cost_per_million = {0.10 / (45 * 3600) * 1e6:.3f}"  # 0.6x off
    assert _checks(forgot_utilisation)["cost_per_million"].ok  # within the default 2x
    strict = {c.name: c for c in check_estimates(parse_estimates(forgot_utilisation), 1.1)}
    assert not strict["cost_per_million"].ok
    assert "10%" in strict["cost_per_million"].message()
    rounded = parse_estimates(f"{text}cost_per_million = {exact:.2f}")
    assert all(c.ok for c in check_estimates(rounded, 1.1))


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("utilisation = 140%", "cannot exceed 100 %"),
        ("cache_hit_rate = 101%", "cannot exceed 100 %"),
        ("peak_qps = -5", "negative"),
        ("replica_throughput = 0", "is 0"),
        ("cost_per_replica_hour = 0", "is 0"),
        ("utilisation = 100%", None),
        ("cache_hit_rate = 0%", None),
        ("peak_qps = 0", None),
    ],
)
def test_impossible_values(line: str, found: str | None) -> None:
    problems = impossible_values(parse_estimates(line))
    if found is None:
        assert problems == []
    else:
        assert len(problems) == 1 and found in problems[0], problems


@pytest.mark.parametrize(
    ("budgets", "ok"), [((40, 30, 20), True), ((60, 30, 20), False), ((10, 10, 10), False)]
)
def test_latency_budget_must_fit_and_use_the_slo(budgets: tuple[int, ...], ok: bool) -> None:
    lines = [f"budget_stage{i}_ms = {b}" for i, b in enumerate(budgets)]
    check = _checks("\n".join([*lines, "latency_slo_ms = 100"]))["latency_slo"]
    assert check.ok is ok
    assert f"add up to {sum(budgets)} ms for an SLO of 100 ms" in check.message()


# -- the judgement -----------------------------------------------------------------------------
RUBRIC = Rubric(
    sections={"requirements": ("scope",), "monitoring": ("observability",), "trade-offs": ()},
    concepts={"feature store": ("feast",), "drift": ()},
    components={"cache": ("redis",), "model server": ("predictor",)},
    min_section_words=5,
)
DOCUMENT = """# Design

## Scope and requirements
Serve predictions for fifty thousand pharmacies with a p99 under 300 ms.

## Observability
Dashboards.

## Estimates
daily_requests = 50M
peak_factor = 3
peak_qps = 17,360

```mermaid
flowchart LR
  gw[API] -->|miss| pred[Predictor pool]
```
"""


def test_judge_reports_sections_concepts_components_and_estimates() -> None:
    result = judge(DOCUMENT, RUBRIC)
    assert result.sections.found == {
        "requirements": "Scope and requirements",
        "monitoring": "Observability",
    }
    assert result.sections.missing == ("trade-offs",)
    assert result.thin == {"monitoring": 1}
    assert result.concepts.missing == ("feature store", "drift")
    assert result.components.found == {"model server": "Predictor pool"}
    assert result.components.missing == ("cache",)
    assert [c.name for c in result.wrong_estimates] == ["peak_qps"]
    problems = result.problems()
    assert any("missing section 'trade-offs'" in p for p in problems)
    assert any("'Observability' has 1 words" in p for p in problems)
    assert any("feature store, drift" in p for p in problems)
    assert any("components not named" in p and "cache" in p for p in problems)
    assert any(p.startswith("peak_qps") for p in problems)


def test_judge_reports_broken_and_missing_diagrams() -> None:
    broken = judge(DOCUMENT.replace("pred[Predictor pool]", "pred[Predictor (v2)]"), RUBRIC)
    assert broken.diagram_errors and "diagram 1, line 2" in broken.diagram_errors[0]
    assert broken.components.missing == ("cache", "model server")
    no_diagram = judge(re.sub(r"```mermaid.*```", "", DOCUMENT, flags=re.S), RUBRIC)
    assert any("no ```mermaid" in p for p in no_diagram.problems())


def test_a_complete_document_has_no_problems() -> None:
    text = (
        DOCUMENT.replace("Dashboards.", "Dashboards for latency, errors and drift per class.")
        .replace("17,360", "1,736")
        .replace("-->|miss|", "-->|miss, via the feature store (feast) and redis|")
        .replace("gw[API]", "gw[API with a Redis cache]")
        + "\n## Trade-offs\nFeast vs a homegrown store: less code, more ops.\n"
    )
    assert judge(text, RUBRIC).problems() == []


# -- cross-check with the real Mermaid parser --------------------------------------------------
def _corpus() -> list[str]:
    texts = [DIAGRAM, *(text for text, _, _ in BROKEN if text)]
    texts += [
        "flowchart LR\n  subgraph Online serving\n    A\n  end",
        'flowchart LR\n  A["Client (web)"] -->|"quoted"| B',
        "flowchart LR\n  A --o B\n  B --x C\n  C <--> D",
        "flowchart LR\n  subgraph outer\n    subgraph inner\n      A-->B\n    end\n    C\n  end",
        "flowchart LR\n  A[one] --> B\n  A[two]",
        "flowchart LR\n  A -. dotted words .-> B\n  C == thick words ==> D\n  E -- x --- F",
        "flowchart LR\n  A --> B & C --> D\n  A:::hot --> E",
        "flowchart LR\n  subgraph S [Title]\n    direction TB\n    A --> B\n  end\n  B --> S",
    ]
    documents = [p.read_text() for p in sorted((ROOT / "solutions/week6/portfolio").rglob("*.md"))]
    curriculum = manifest.load(ROOT)
    for deliverable in curriculum.week(6).deliverables:
        if deliverable.solution.endswith(".md"):
            for mutant in mutants.load(curriculum, deliverable):
                documents.append(mutants.patched_text(mutant, ROOT))
    for document in documents:
        texts += re.findall(r"```mermaid[^\n]*\n(.*?)```", document, re.S)
    return list(dict.fromkeys(texts))


_ARROWS = {
    "arrow_point": "point",
    "arrow_open": "open",
    "arrow_circle": "circle",
    "arrow_cross": "cross",
    "double_arrow_point": "double",
}


def _ours(text: str) -> dict | None:
    try:
        chart = parse_mermaid(text)
    except MermaidError:
        return None
    return {
        "direction": chart.direction,
        "nodes": sorted((n.id, n.label, n.shape) for n in chart.nodes.values()),
        "edges": sorted((e.source, e.target, e.label, e.arrow, e.stroke) for e in chart.edges),
        "subgraphs": sorted((s.title, tuple(sorted(s.nodes))) for s in chart.subgraphs),
    }


def _theirs(result: dict) -> dict | None:
    if "error" in result:
        return None
    return {
        "direction": result["direction"],
        "nodes": sorted((n["id"], n["label"], n["shape"]) for n in result["nodes"]),
        "edges": sorted(
            (e["source"], e["target"], e["label"], _ARROWS[e["type"]], e["stroke"])
            for e in result["edges"]
        ),
        "subgraphs": sorted((s["title"], tuple(sorted(s["nodes"]))) for s in result["subgraphs"]),
    }


@pytest.fixture(scope="module")
def node_mermaid() -> NodeMermaid:
    parser = NodeMermaid()
    if parser.node is None:
        pytest.skip("Node.js is not installed: the Python Mermaid parser is not cross-checked")
    if not parser.installed:
        if os.environ.get("RXGRADE_MERMAID_INSTALL", "1") == "0":
            pytest.skip(f"mermaid is not installed under {parser.directory}")
        try:
            parser.install()
        except (RuntimeError, OSError) as exc:
            pytest.skip(f"could not install mermaid from npm: {exc}")
    return parser


def test_python_parser_agrees_with_mermaid(node_mermaid: NodeMermaid) -> None:
    texts = [t for t in _corpus() if not t.lstrip().startswith("sequenceDiagram")]
    results = node_mermaid.parse_many(texts)
    assert len(texts) > 30
    disagreements = []
    for text, result in zip(texts, results, strict=True):
        ours, theirs = _ours(text), _theirs(result)
        if ours != theirs:
            disagreements.append(f"{text!r}\n  python: {ours}\n  mermaid: {theirs or result}")
    assert not disagreements, "\n".join(disagreements)
