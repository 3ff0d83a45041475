"""Tests of week6.design_diagrams: Mermaid architecture diagrams for the three designs.

Each `## ` section (image classification, recommendation, real-time pipeline) holds one
```mermaid flowchart. ``grader.mermaid.parse_mermaid`` parses it (the same flowchart subset
that https://mermaid.live renders), then the tests check what an interviewer looks for: a short
walkthrough, the required components connected by arrows (client to model server, training to the
model server), a serving path and a training/feedback path drawn left to right, labelled edges with
sync (solid) and async (dotted) arrows, stores drawn as cylinders, no edge to an undeclared node,
and node names that match the words of your design document. Each test names the ``[#clause]`` of
the template it checks.
Run: ``pytest weeks/week6/tests/test_design_diagrams.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import design_judge
from grader.design_checks import (
    DIAGRAM_PATHS,
    chart_connection_problems,
    flat_stores,
    prose_fragments,
)
from grader.mermaid import Flowchart, MermaidError, parse_mermaid
from grader.writing import WritingTests
from grader.written import Document, load

#: design key -> (section heading words, design document)
DESIGNS = {
    "image_classification": (("image classification", "image"), "design_image_classification.md"),
    "recommendation": (("recommendation", "recommender"), "design_recommendation.md"),
    "realtime_pipeline": (("real-time", "realtime", "streaming"), "design_realtime_pipeline.md"),
}
SERVING = ("serving", "online", "request", "scoring", "inference")
TRAINING = ("training", "offline", "feedback", "backfill", "learning")
FENCE = re.compile(r"```mermaid[^\n]*\n(.*?)```", re.S)


@pytest.fixture
def document(target_path: Path) -> Document:
    return load(target_path)


def _diagram(document: Document, key: str) -> Flowchart:
    headings, _ = DESIGNS[key]
    body = document.section(*headings)
    if body is None:
        pytest.fail(
            f"no section for the {key.replace('_', ' ')} design: add a `## ` heading containing "
            f"one of {', '.join(repr(h) for h in headings)} with its ```mermaid block"
        )
    blocks = FENCE.findall(body)
    if not blocks:
        pytest.fail(f"the {key.replace('_', ' ')} section has no ```mermaid block")
    try:
        return parse_mermaid(blocks[0])
    except MermaidError as exc:
        pytest.fail(
            f"the {key.replace('_', ' ')} diagram does not parse: {exc} "
            "(paste it into https://mermaid.live to see the error highlighted)"
        )


def _name(key: str) -> str:
    return key.replace("_", " ")


@pytest.mark.clause("one-per-design")
@pytest.mark.parametrize("key", DESIGNS)
def test_diagram_parses(document: Document, key: str) -> None:
    chart = _diagram(document, key)
    assert chart.edges, f"the {_name(key)} diagram has no edges: connect the components"


@pytest.mark.clause("components")
@pytest.mark.parametrize("key", DESIGNS)
def test_diagram_has_the_required_components(document: Document, key: str) -> None:
    chart = _diagram(document, key)
    components = design_judge.RUBRICS[key].components
    found = design_judge.find_terms(chart.text(), components)
    missing = [
        f"- {name} (a node label containing one of {', '.join(repr(s) for s in (name, *syn))})"
        for name, syn in components.items()
        if name in found.missing
    ]
    assert not missing, (
        f"the {_name(key)} diagram lacks components:\n"
        + "\n".join(missing)
        + f"\nyour node labels: {', '.join(chart.labels())}"
    )


@pytest.mark.clause("subgraphs")
@pytest.mark.parametrize("key", DESIGNS)
def test_serving_and_training_paths_are_subgraphs(document: Document, key: str) -> None:
    chart = _diagram(document, key)
    titles = [s.title for s in chart.subgraphs]
    has = {
        label: any(design_judge.find_terms(t, {w: () for w in words}).found for t in titles)
        for label, words in (("serving", SERVING), ("training", TRAINING))
    }
    assert all(has.values()), (
        f"the {_name(key)} diagram needs a subgraph for the serving path (title containing "
        f"{'/'.join(SERVING)}) and one for the training/feedback path (title containing "
        f"{'/'.join(TRAINING)}); subgraph titles found: {titles or 'none'}"
    )


@pytest.mark.clause("edge-labels")
@pytest.mark.parametrize("key", DESIGNS)
def test_every_edge_is_labelled(document: Document, key: str) -> None:
    chart = _diagram(document, key)
    bare = [f"{e.source} -> {e.target}" for e in chart.edges if not e.label.strip()]
    assert not bare, (
        f"label every edge of the {_name(key)} diagram with what flows (`A -->|image, sync| B`); "
        f"unlabelled: {', '.join(bare)}"
    )


@pytest.mark.clause("sync-async")
@pytest.mark.parametrize("key", DESIGNS)
def test_sync_and_async_edges_are_distinguished(document: Document, key: str) -> None:
    chart = _diagram(document, key)
    strokes = {e.stroke for e in chart.edges}
    assert {"normal", "dotted"} <= strokes, (
        f"the {_name(key)} diagram should show synchronous calls as solid arrows (`-->`) and "
        f"asynchronous flows (queues, logs, batch jobs) as dotted arrows (`-.->`); it uses only "
        f"{', '.join(sorted(strokes))} edges"
    )


@pytest.mark.clause("cylinders")
@pytest.mark.parametrize("key", DESIGNS)
def test_stores_are_drawn_as_cylinders(document: Document, key: str) -> None:
    chart = _diagram(document, key)
    stores = [n.label for n in chart.nodes.values() if n.shape == "cylinder"]
    assert stores, (
        f"draw the stores of the {_name(key)} design (databases, caches, logs, registries) as "
        "cylinders: `db[(Feature store)]`; none found"
    )
    flat = flat_stores([chart])
    assert not flat, (
        f"in the {_name(key)} diagram these nodes are named as stores but drawn as boxes: "
        f"{', '.join(flat)}; draw them as cylinders, `db[(Feature store)]`"
    )


@pytest.mark.clause("declared")
@pytest.mark.parametrize("key", DESIGNS)
def test_every_edge_endpoint_is_declared(document: Document, key: str) -> None:
    chart = _diagram(document, key)
    undeclared = chart.undeclared()
    assert not undeclared, (
        f"in the {_name(key)} diagram, {', '.join(undeclared)} appear in edges but are never "
        "declared with a label (`id[Label]`): a typo of another node id, or a label you forgot"
    )


@pytest.mark.clause("connected")
@pytest.mark.parametrize("key", DESIGNS)
def test_diagram_connects_the_components(document: Document, key: str) -> None:
    chart = _diagram(document, key)
    problems = chart_connection_problems(
        [chart], design_judge.RUBRICS[key].components, DIAGRAM_PATHS[key]
    )
    assert not problems, f"the {_name(key)} diagram is not connected where it must be:\n" + (
        "\n".join(problems)
    )


@pytest.mark.clause("left-to-right")
@pytest.mark.parametrize("key", DESIGNS)
def test_request_path_runs_left_to_right(document: Document, key: str) -> None:
    chart = _diagram(document, key)
    assert chart.direction == "LR", (
        f"draw the {_name(key)} diagram left to right, `flowchart LR`, so the request path reads "
        f"like the text; it is drawn {chart.direction}"
    )


@pytest.mark.clause("walkthrough")
@pytest.mark.parametrize("key", DESIGNS)
def test_each_diagram_has_a_walkthrough(document: Document, key: str) -> None:
    _diagram(document, key)
    body = document.section(*DESIGNS[key][0]) or ""
    sentences = prose_fragments(FENCE.sub(" ", body))
    assert len(sentences) >= 2, (
        f"walk through the {_name(key)} diagram in two or three sentences before its ```mermaid "
        f"block (what a request meets, where the feedback loop goes); found {len(sentences)} "
        "sentence(s)"
    )


@pytest.fixture
def design_dir(target_path: Path, rx_root: Path, target: str) -> Path:
    """Where the design documents are: next to this file, or the target's portfolio."""
    if (target_path.parent / DESIGNS["recommendation"][1]).is_file():
        return target_path.parent
    top = "solutions" if target == "solution" else "weeks"
    return rx_root / top / "week6" / "portfolio"


@pytest.mark.clause("names-match")
@pytest.mark.parametrize("key", DESIGNS)
def test_node_names_match_the_design_document(
    document: Document, design_dir: Path, key: str
) -> None:
    chart = _diagram(document, key)
    design = load(design_dir / DESIGNS[key][1])
    prose = FENCE.sub(" ", design.text)
    labels = {n.label: () for n in chart.nodes.values() if n.shape is not None}
    missing = design_judge.find_terms(prose, labels).missing
    assert not missing, (
        f"these nodes of the {_name(key)} diagram are never named in the text of "
        f"{DESIGNS[key][1]} (outside its diagram): {', '.join(missing)}. Use the same component "
        "names in both so a reader can follow from the text to the diagram."
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""
