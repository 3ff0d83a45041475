"""The checks every week-6 system design answer shares, for the design tests and the capstone.

Each check takes a :class:`grader.design_judge.Judgement` (or the document) and returns the
learner-facing message of what is wrong, or ``None`` when the check passes. Two users:

- :class:`DesignPromptTests`, a pytest base class: a design prompt's test file subclasses it as
  ``class TestDesign(DesignPromptTests)`` with its ``rubric`` and ``required_estimates``, and
  keeps only its prompt-specific tests (volume, funnel, latency budget ...) as methods;
- ``week6.capstone_design_interview``, which runs :func:`template_problems` on all three designs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import pytest

from grader import design_judge, manifest
from grader.design_judge import Judgement, Rubric
from grader.mermaid import Flowchart
from grader.written import Document, load

__all__ = [
    "BARRIER",
    "COMPARISON",
    "DERIVED",
    "DIAGRAM_PATHS",
    "FORMAT",
    "MIN_FRAGMENT_WORDS",
    "REQUIRED_ESTIMATES",
    "SECTION_TERMS",
    "SERVING_WORDS",
    "STORE_WORDS",
    "TEMPLATE_SECTIONS",
    "TRAINING_WORDS",
    "DesignPromptTests",
    "api_problem",
    "chart_connection_problems",
    "components_problem",
    "concepts_in_sections_problem",
    "concepts_problem",
    "connected_problem",
    "cylinders_problem",
    "derivable_problem",
    "diagram_paths_problem",
    "diagram_problem",
    "edge_labels_problem",
    "estimates_stated_problem",
    "flat_stores",
    "keyword_sections_problem",
    "names_match_problem",
    "prose_fragments",
    "prose_words",
    "recomputed_problem",
    "section_terms_problem",
    "sections_problem",
    "sync_async_problem",
    "template_problems",
    "title_problem",
    "trade_offs_problem",
    "working_problem",
]

COMPARISON = re.compile(r"\bvs\.?(?!\w)|\bversus\b|\bover\b|\binstead of\b|\brather than\b", re.I)
FORMAT = (
    "state each as a table row `| peak_qps | 1,736 | requests/s |` or a line `peak_qps = 1736 "
    "requests/s` (the names the judge knows are in grader/estimates.py, QUANTITIES)"
)

if TYPE_CHECKING:
    #: The estimates each Monday design must state, by design name (as in ``RUBRICS``).
    REQUIRED_ESTIMATES: dict[str, tuple[str, ...]]
    #: The paths each Monday design's diagram must draw, by design name: each a sequence of
    #: component names (of the rubric) that edges must lead through, in order.
    DIAGRAM_PATHS: dict[str, tuple[tuple[str, ...], ...]]


@cache
def _required_estimates() -> dict[str, tuple[str, ...]]:
    """:data:`REQUIRED_ESTIMATES`, read on first use from ``[data] required_estimates`` of each
    design's entry file ``curriculum/week6/design_<name>.toml``."""
    curriculum = manifest.load(manifest.find_root(Path(__file__).resolve().parent))
    required = {}
    for name in design_judge.RUBRICS:
        entry = f"week6.design_{name}"
        data = manifest.entry_data(curriculum, entry)
        if "required_estimates" not in data:
            raise manifest.ManifestError(
                f"{curriculum[entry].entry}: [data] has no required_estimates (read by "
                "grader.design_checks)"
            )
        required[name] = tuple(data["required_estimates"])
    return required


@cache
def _diagram_paths() -> dict[str, tuple[tuple[str, ...], ...]]:
    """:data:`DIAGRAM_PATHS`, read on first use from ``[data] diagram_paths`` of each design's
    entry file (a design without it requires no path)."""
    curriculum = manifest.load(manifest.find_root(Path(__file__).resolve().parent))
    return {
        name: tuple(
            tuple(path)
            for path in manifest.entry_data(curriculum, f"week6.design_{name}").get(
                "diagram_paths", ()
            )
        )
        for name in design_judge.RUBRICS
    }


def __getattr__(name: str) -> object:
    if name == "REQUIRED_ESTIMATES":
        return _required_estimates()
    if name == "DIAGRAM_PATHS":
        return _diagram_paths()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def sections_problem(judgement: Judgement) -> str | None:
    """Missing or one-line sections of the template."""
    rubric = judgement.rubric
    problems = [
        f"- no section for {name!r} (a `## ` heading containing one of "
        f"{', '.join(repr(s) for s in (name, *rubric.sections[name]))})"
        for name in judgement.sections.missing
    ]
    problems += [
        f"- section {judgement.sections.found[name]!r} has only {count} words: write at least "
        f"{rubric.min_section_words} (what you decide, and why)"
        for name, count in judgement.thin.items()
    ]
    if problems:
        return "sections of the design template to write:\n" + "\n".join(problems)
    return None


def diagram_problem(judgement: Judgement) -> str | None:
    """A Mermaid block that does not parse, or no diagram at all."""
    if judgement.diagram_errors:
        return (
            "your Mermaid diagram does not parse (paste it into https://mermaid.live to see it):\n"
            + "\n".join(judgement.diagram_errors)
        )
    if not judgement.diagrams:
        return (
            "no architecture diagram: add a ```mermaid block with a `flowchart LR` of the serving "
            "path and the training/feedback path"
        )
    return None


def components_problem(judgement: Judgement) -> str | None:
    """Required components that no node of the diagram names."""
    if not judgement.diagrams:
        return "no parsable Mermaid diagram to check (see test_architecture_diagram_parses)"
    components = judgement.rubric.components
    missing = [
        f"- {name} (a node label containing one of: "
        f"{', '.join(repr(s) for s in (name, *components[name]))})"
        for name in judgement.components.missing
    ]
    if missing:
        labels = ", ".join(sorted(judgement.diagrams[0].labels()))
        return (
            "components an interviewer expects to see in the diagram but cannot find:\n"
            + "\n".join(missing)
            + f"\nyour node labels: {labels}"
        )
    return None


def concepts_problem(judgement: Judgement) -> str | None:
    """Concepts of the prompt never mentioned."""
    concepts = judgement.rubric.concepts
    missing = [
        f"- {name} (or: {', '.join(concepts[name]) or name})" for name in judgement.concepts.missing
    ]
    if missing:
        return (
            f"{len(missing)} concept(s) this prompt is about are never mentioned; say where each "
            "fits in your design (or why it does not):\n" + "\n".join(missing)
        )
    return None


def estimates_stated_problem(judgement: Judgement, required: Sequence[str]) -> str | None:
    """Unreadable estimates, or ``required`` estimates not stated."""
    if judgement.estimates.problems:
        return "some estimates could not be read:\n" + "\n".join(judgement.estimates.problems)
    missing = [name for name in required if name not in judgement.estimates.values]
    if missing:
        return (
            f"estimates not found: {', '.join(missing)}; {FORMAT}. Found: "
            f"{', '.join(judgement.estimates.values) or 'none'}"
        )
    return None


def recomputed_problem(judgement: Judgement) -> str | None:
    """No recomputable estimate, or estimates more than 2x from their recomputed value."""
    if not judgement.checks:
        return f"no estimate could be recomputed; {FORMAT}"
    wrong = [check.message() for check in judgement.wrong_estimates]
    if wrong:
        return "estimates that do not follow from your other numbers:\n" + "\n".join(
            f"- {w}" for w in wrong
        )
    return None


def trade_offs_problem(document: Document, rubric: Rubric, minimum: int = 3) -> str | None:
    """Fewer than ``minimum`` explicit trade-offs (``A vs B`` ..., 12 words or more each)."""
    body = document.section("trade-off", *rubric.sections["trade-offs"])
    if body is None:
        return "no `## Trade-offs` section"
    entries = design_judge.items(body)
    explicit = [e for e in entries if len(e.split()) >= 12 and COMPARISON.search(e)]
    if len(explicit) < minimum:
        return (
            f"found {len(explicit)} explicit trade-off(s) in {len(entries)} list item(s) of the "
            f"Trade-offs section; write at least {minimum}, one list item each, naming both "
            "options (`A vs B`, `A over B`, `A instead of B`), what you chose and why, in 12 words "
            "or more"
        )
    return None


# =============================================================================================
# Prose: sentences, not keyword lists
# =============================================================================================
#: Function words: a fragment of prose has some, a keyword list has (almost) none.
_STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "to",
        "of",
        "for",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "we",
        "i",
        "it",
        "its",
        "that",
        "this",
        "which",
        "when",
        "if",
        "so",
        "because",
        "then",
        "than",
        "as",
        "into",
        "our",
        "each",
        "not",
        "no",
        "they",
        "their",
        "them",
        "will",
        "can",
        "may",
        "must",
        "only",
        "one",
        "every",
        "any",
        "all",
        "who",
        "what",
        "how",
        "why",
        "where",
    ]
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-\.%/]*")
_FRAGMENT = re.compile(r"\n\s*\n|\n\s*(?:[-*+]|\d+[.)])\s+|(?<=[.!?;])\s+")
_FENCED = re.compile(r"^(`{3,}|~{3,}).*?^\1", re.DOTALL | re.MULTILINE)
#: A fragment of prose: at least this many words, two of them function words.
MIN_FRAGMENT_WORDS = 6


def prose_fragments(body: str) -> list[str]:
    """The sentences of a section body: list items, sentences and paragraphs of at least
    :data:`MIN_FRAGMENT_WORDS` words of which at least two are function words ("the", "to",
    "we" ...). Comments, fenced blocks (diagrams), table rows and headings are left out, so a bare
    keyword list (``- Redis``, ``- Kafka, ONNX, canary``) has none."""
    body = _FENCED.sub(" ", re.sub(r"<!--.*?-->", " ", body, flags=re.DOTALL))
    lines = [line for line in body.splitlines() if not line.lstrip().startswith(("|", "#"))]
    fragments = []
    for part in _FRAGMENT.split("\n" + "\n".join(lines)):
        found = _WORD.findall(part)
        if len(found) >= MIN_FRAGMENT_WORDS and sum(w.lower() in _STOPWORDS for w in found) >= 2:
            fragments.append(" ".join(part.split()))
    return fragments


def prose_words(body: str) -> int:
    """Words of ``body`` that are in sentences (:func:`prose_fragments`)."""
    return sum(len(_WORD.findall(fragment)) for fragment in prose_fragments(body))


def keyword_sections_problem(document: Document, judgement: Judgement) -> str | None:
    """Sections long enough in words but written as bare keyword lists, not sentences."""
    minimum = judgement.rubric.min_section_words
    bare = []
    for name, heading in judgement.sections.found.items():
        if name in judgement.thin:
            continue  # a one-liner: sections_problem says so
        count = prose_words(document.sections[heading])
        if count < minimum:
            bare.append(f"- {heading!r}: {count} words in sentences")
    if bare:
        return (
            "sections written as keyword lists rather than sentences (an interviewer hears "
            f"decisions and reasons, not a list of tools); write at least {minimum} words in "
            "sentences or list items that say what you do and why:\n" + "\n".join(bare)
        )
    return None


#: Heading words of the template's sections that are not in the rubric's ``sections``.
TEMPLATE_SECTIONS = ("estimate", "architecture")


def concepts_in_sections_problem(document: Document, judgement: Judgement) -> str | None:
    """Concepts mentioned, but only outside the sentences of the template's sections (a trailing
    glossary, a keyword list, a diagram label)."""
    headings = [
        heading
        for heading in document.sections
        if heading in judgement.sections.found.values()
        or any(word in heading.lower() for word in TEMPLATE_SECTIONS)
    ]
    prose = "\n".join(
        fragment for heading in headings for fragment in prose_fragments(document.sections[heading])
    )
    found = design_judge.find_terms(prose, judgement.rubric.concepts)
    elsewhere = [name for name in found.missing if name not in judgement.concepts.missing]
    if elsewhere:
        return (
            "these concepts appear only outside the sentences of the template's sections (in a "
            "glossary, an extra section, a keyword list or the diagram): say where each one fits "
            "in your design, in the section where it belongs: " + ", ".join(elsewhere)
        )
    return None


# =============================================================================================
# The diagram: paths, edges, stores, connectivity, names
# =============================================================================================
#: Words of the subgraph titles of the serving path and of the training/feedback path.
SERVING_WORDS = ("serving", "online", "request", "scoring", "inference")
TRAINING_WORDS = ("training", "offline", "feedback", "backfill", "learning")
#: Words of a node label that make it a store (to be drawn as a cylinder).
STORE_WORDS = (
    "store",
    "cache",
    "registry",
    "database",
    "db",
    "lake",
    "warehouse",
    "index",
    "log",
    "bucket",
)


#: The component a required chain of arrows may not pass through unless the chain names it.
BARRIER = "training"


def _no_diagram(judgement: Judgement) -> str | None:
    if not judgement.diagrams:
        return "no parsable Mermaid diagram to check (see test_architecture_diagram_parses)"
    return None


def diagram_paths_problem(judgement: Judgement) -> str | None:
    """No subgraph for the serving path, or none for the training/feedback path."""
    if problem := _no_diagram(judgement):
        return problem
    titles = [s.title for chart in judgement.diagrams for s in chart.subgraphs]
    has = {
        part: any(design_judge.find_terms(t, {w: () for w in words}).found for t in titles)
        for part, words in (("serving", SERVING_WORDS), ("training", TRAINING_WORDS))
    }
    if not all(has.values()):
        return (
            "draw the serving path and the training/feedback path as a subgraph each: "
            f"`subgraph online [Serving path]` (a title containing {'/'.join(SERVING_WORDS)}) and "
            f"`subgraph offline [Training and feedback path]` ({'/'.join(TRAINING_WORDS)}); "
            f"subgraph titles found: {', '.join(titles) or 'none'}"
        )
    return None


def edge_labels_problem(judgement: Judgement) -> str | None:
    """Edges without a label saying what flows."""
    if problem := _no_diagram(judgement):
        return problem
    bare = [
        f"{e.source} -> {e.target}"
        for chart in judgement.diagrams
        for e in chart.edges
        if not e.label.strip()
    ]
    if bare:
        return (
            "label every edge with what flows (`A -->|image, sync| B`); unlabelled: "
            + ", ".join(bare)
        )
    return None


def sync_async_problem(judgement: Judgement) -> str | None:
    """Not both solid (synchronous) and dotted (asynchronous) edges."""
    if problem := _no_diagram(judgement):
        return problem
    strokes = {e.stroke for chart in judgement.diagrams for e in chart.edges}
    if not {"normal", "dotted"} <= strokes:
        return (
            "show synchronous calls as solid arrows (`-->`) and asynchronous flows (queues, logs, "
            "batch jobs) as dotted arrows (`-.->`); your diagram has "
            + (f"only {', '.join(sorted(strokes))} edges" if strokes else "no edges")
        )
    return None


def flat_stores(charts: Sequence[Flowchart]) -> list[str]:
    """``id[label]`` of each node whose label names a store (:data:`STORE_WORDS`) but that is
    drawn in another shape than a cylinder."""
    stores = {word: () for word in STORE_WORDS}
    return [
        f"{n.id}[{n.label}]"
        for chart in charts
        for n in chart.nodes.values()
        if n.shape not in (None, "cylinder") and design_judge.find_terms(n.label, stores).found
    ]


def cylinders_problem(judgement: Judgement) -> str | None:
    """No store drawn as a cylinder, or a node named as a store drawn in another shape."""
    if problem := _no_diagram(judgement):
        return problem
    cylinders = [n for c in judgement.diagrams for n in c.nodes.values() if n.shape == "cylinder"]
    flat = flat_stores(judgement.diagrams)
    if not cylinders or flat:
        return (
            "draw the stores (databases, caches, logs, registries, indexes) as cylinders, "
            "`fs[(Feature store)]`; "
            + (f"drawn as boxes: {', '.join(flat)}" if flat else "no cylinder in the diagram")
        )
    return None


def _graph(charts: Sequence[Flowchart]) -> tuple[dict[str, set[str]], dict[str, str]]:
    """The diagrams as one directed graph (``chart:id`` -> successors) and the node labels;
    an edge to or from a subgraph links its nodes, an open or double arrow goes both ways."""
    graph: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    for index, chart in enumerate(charts):
        members = {s.id: s.nodes for s in chart.subgraphs}
        for node in chart.nodes.values():
            if node.id not in members:
                labels[f"{index}:{node.id}"] = node.label
        for edge in chart.edges:
            for source in members.get(edge.source, {edge.source}):
                for target in members.get(edge.target, {edge.target}):
                    a, b = f"{index}:{source}", f"{index}:{target}"
                    graph.setdefault(a, set()).add(b)
                    if edge.arrow in ("open", "double"):
                        graph.setdefault(b, set()).add(a)
    return graph, labels


def chart_connection_problems(
    charts: Sequence[Flowchart],
    components: Mapping[str, Sequence[str]],
    paths: Sequence[Sequence[str]] = (),
) -> list[str]:
    """One line per node that no edge touches and per required chain of ``components`` (names,
    in order) that no chain of arrows draws; empty when the diagrams are connected."""
    graph, labels = _graph(charts)
    linked = set(graph) | {b for targets in graph.values() for b in targets}
    isolated = [label for node, label in labels.items() if node not in linked]
    problems = []
    if isolated:
        problems.append(
            "- nodes that no edge connects: "
            + ", ".join(isolated)
            + (" (the diagram has no edges at all)" if not graph else "")
        )

    def matching(name: str) -> set[str]:
        terms = {name: components[name]}
        return {node for node, label in labels.items() if design_judge.find_terms(label, terms).ok}

    for path in paths:
        # A chain only goes through the training pipeline where it names it: the arrows from the
        # serving path into training are feedback, not a way for a request to reach the model.
        detours = set() if BARRIER in path or BARRIER not in components else matching(BARRIER)
        frontier = matching(path[0])
        for before, name in zip(path, path[1:], strict=False):
            reached, todo = set(frontier), list(frontier)
            while todo:
                for nxt in graph.get(todo.pop(), ()):
                    if nxt not in reached:
                        reached.add(nxt)
                        if nxt not in detours:
                            todo.append(nxt)
            frontier = reached & matching(name)
            if not frontier:
                problems.append(
                    f"- no chain of arrows leads from the {before} to the {name} "
                    f"({' -> '.join(path)} must be drawn edge by edge)"
                )
                break
    return problems


def connected_problem(judgement: Judgement, paths: Sequence[Sequence[str]] = ()) -> str | None:
    """Nodes that no edge touches, or a required path (component names of the rubric, in order)
    that no chain of edges draws."""
    if problem := _no_diagram(judgement):
        return problem
    problems = chart_connection_problems(judgement.diagrams, judgement.rubric.components, paths)
    if problems:
        return "the diagram is not connected where it must be:\n" + "\n".join(problems)
    return None


def names_match_problem(document: Document, judgement: Judgement) -> str | None:
    """Node labels never used in the text outside the diagram."""
    if problem := _no_diagram(judgement):
        return problem
    prose = _FENCED.sub(" ", document.text)
    labels = {n.label: () for chart in judgement.diagrams for n in chart.nodes.values() if n.shape}
    missing = design_judge.find_terms(prose, labels).missing
    if missing:
        return (
            "these nodes of your diagram are never named in the text (outside the diagram): "
            + ", ".join(missing)
            + ". Walk through the diagram with the same component names, so a reader can follow "
            "from the text to the drawing."
        )
    return None


# =============================================================================================
# Other requirements of the template
# =============================================================================================
_ENDPOINT = re.compile(r"\b(?:GET|POST|PUT|PATCH|DELETE)\s+`?/[\w{}/.-]*")
_RESPONSE = re.compile(r"\b(?:return|returns|returning|response|responds|replies)\b", re.I)
_TIME_VALUE = re.compile(r"\d[\d,.]*\s*(?:ms|milliseconds?|s|seconds?)\b", re.I)
_NUMBERS = re.compile(r"\d[\d,.]*")

#: Requirements a template states for one section: clause -> (section name in
#: :data:`grader.design_judge.DESIGN_SECTIONS`, what to write, terms (name -> synonyms), whether a
#: time value such as ``300 ms`` is needed too).
SECTION_TERMS: dict[str, tuple[str, str, dict[str, tuple[str, ...]], bool]] = {
    "slo": (
        "requirements",
        "the latency SLO with its number (`p99 under 300 ms`)",
        {"latency SLO": ("slo", "p99", "p95", "p50", "latency")},
        True,
    ),
    "rollback": (
        "a/b and rollout",
        "how a bad model is rolled back",
        {"rollback": ("roll back", "rolled back", "rolls back", "revert", "roll it back")},
        False,
    ),
    "degrade": (
        "failure modes",
        "how the system degrades when a dependency fails (a fallback answer)",
        {
            "degraded answer": (
                "fallback",
                "fall back",
                "falls back",
                "degrade",
                "degraded",
                "degrades",
                "graceful",
            )
        },
        False,
    ),
}


def section_terms_problem(document: Document, judgement: Judgement, clause: str) -> str | None:
    """A requirement of :data:`SECTION_TERMS` that its section does not meet."""
    section, what, terms, timed = SECTION_TERMS[clause]
    heading = judgement.sections.found.get(section)
    if heading is None:
        return f"no section for {section!r} (see test_every_template_section_is_written)"
    body = document.sections[heading]
    found = design_judge.find_terms(body, terms)
    if not found.ok or (timed and not _TIME_VALUE.search(body)):
        return f"the section {heading!r} should say {what}"
    return None


def title_problem(document: Document) -> str | None:
    """The ``# Design: <your title ...>`` placeholder kept, or no title."""
    if not document.title.strip() or "<" in document.title or "your title" in document.title:
        return f"give the design your own title (the first `# ` line); it is {document.title!r}"
    return None


def working_problem(document: Document) -> str | None:
    """An Estimates section without a sentence of working (numbers in prose)."""
    body = document.section("estimate")
    if body is None:
        return "no `## Estimates` section"
    working = [f for f in prose_fragments(body) if len(_NUMBERS.findall(f)) >= 2]
    if not working:
        return (
            "show the working of your estimates in a sentence or two under the table (`50 M / "
            "86,400 s is 579 photos/s on average and 1,736/s at a 3x peak ...`)"
        )
    return None


def api_problem(document: Document) -> str | None:
    """No API (an endpoint with a method, and what it returns) in the architecture section."""
    body = document.section("architecture", "api")
    if body is None:
        return "no `## High-level architecture` section (where the API goes)"
    body = _FENCED.sub(" ", body)
    if not _ENDPOINT.search(body) or not _RESPONSE.search(body):
        return (
            "give the API in the architecture section: each endpoint with its method and path, "
            "its request and what it returns (`POST /v1/predict` (image) returns `{predictions, "
            "model_version}`)"
        )
    return None


#: The derived estimates: a stated one must come with the inputs that recompute it.
DERIVED = (
    "avg_qps",
    "peak_qps",
    "target_qps",
    "backend_qps",
    "replicas",
    "storage",
    "bandwidth",
    "monthly_cost",
    "cost_per_million",
    "latency_slo",
)


def derivable_problem(judgement: Judgement, required: Sequence[str]) -> str | None:
    """Required derived estimates stated without the inputs that recompute them."""
    checked = {check.name for check in judgement.checks}
    values = judgement.estimates.values
    bare = [
        f"- {name}: {design_judge.DERIVATIONS[name]}"
        for name in required
        if name in DERIVED and name in values and name not in checked
    ]
    if bare:
        return (
            "estimates stated without the inputs that give them, so nobody can check them; state "
            f"the inputs too ({FORMAT}):\n" + "\n".join(bare)
        )
    return None


def template_problems(
    document: Document,
    rubric: Rubric,
    required_estimates: Sequence[str],
    paths: Sequence[Sequence[str]] = (),
) -> list[str]:
    """Every shared check's message for one design (empty: the template is followed)."""
    judgement = design_judge.judge(document, rubric)
    drawn = bool(judgement.diagrams)
    found = [
        title_problem(document),
        sections_problem(judgement),
        keyword_sections_problem(document, judgement),
        *(section_terms_problem(document, judgement, clause) for clause in SECTION_TERMS),
        diagram_problem(judgement),
        components_problem(judgement) if drawn else None,
        diagram_paths_problem(judgement) if drawn else None,
        edge_labels_problem(judgement) if drawn else None,
        sync_async_problem(judgement) if drawn else None,
        cylinders_problem(judgement) if drawn else None,
        connected_problem(judgement, paths) if drawn else None,
        names_match_problem(document, judgement) if drawn else None,
        api_problem(document),
        concepts_problem(judgement),
        concepts_in_sections_problem(document, judgement),
        estimates_stated_problem(judgement, required_estimates),
        derivable_problem(judgement, required_estimates),
        recomputed_problem(judgement),
        working_problem(document),
        trade_offs_problem(document, rubric),
    ]
    return [problem for problem in found if problem is not None]


# The tests of a design read and judge the same file a score of times: once per file version.
_LOADED: dict[tuple[str, int, int], Document] = {}
_JUDGED: dict[tuple[int, int], tuple[Document, Rubric, Judgement]] = {}


def _load(path: Path) -> Document:
    """:func:`grader.written.load`, cached by the file's path, modification time and size."""
    stat = path.stat() if path.is_file() else None
    if stat is None:
        return load(path)  # raises FileNotFoundError with its message
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _LOADED:
        if len(_LOADED) > 64:
            _LOADED.clear()
        _LOADED[key] = load(path)
    return _LOADED[key]


def _judge(document: Document, rubric: Rubric) -> Judgement:
    """:func:`grader.design_judge.judge`, cached for the same (loaded) document and rubric."""
    key = (id(document), id(rubric))
    cached = _JUDGED.get(key)
    if cached is None or cached[0] is not document or cached[1] is not rubric:
        if len(_JUDGED) > 64:
            _JUDGED.clear()
        cached = _JUDGED[key] = (document, rubric, design_judge.judge(document, rubric))
    return cached[2]


class DesignPromptTests:
    """The shared tests of a design prompt; subclass as ``TestDesign`` in the prompt's test file.

    Each test is marked with the clause (``[#id]``) of the design template it checks; the three
    design templates tag the same ids.

    Attributes:
        rubric: the prompt's :class:`~grader.design_judge.Rubric`.
        required_estimates: estimate names the answer must state.
        paths: chains of rubric components the diagram's edges must draw (``DIAGRAM_PATHS``).
    """

    rubric: ClassVar[Rubric]
    required_estimates: ClassVar[tuple[str, ...]]
    paths: ClassVar[tuple[tuple[str, ...], ...]] = ()

    @pytest.fixture
    def document(self, target_path: Path) -> Document:
        return _load(target_path)

    @pytest.fixture
    def judgement(self, document: Document) -> Judgement:
        return _judge(document, self.rubric)

    @pytest.mark.clause("title")
    def test_the_design_has_its_own_title(self, document: Document) -> None:
        problem = title_problem(document)
        assert problem is None, problem

    @pytest.mark.clause("sections", "substance")
    def test_every_template_section_is_written(self, judgement: Judgement) -> None:
        problem = sections_problem(judgement)
        assert problem is None, problem

    @pytest.mark.clause("substance")
    def test_sections_are_sentences_not_keyword_lists(
        self, document: Document, judgement: Judgement
    ) -> None:
        problem = keyword_sections_problem(document, judgement)
        assert problem is None, problem

    @pytest.mark.clause("slo")
    def test_requirements_state_the_latency_slo(
        self, document: Document, judgement: Judgement
    ) -> None:
        problem = section_terms_problem(document, judgement, "slo")
        assert problem is None, problem

    @pytest.mark.clause("rollback")
    def test_rollout_says_how_to_roll_back(self, document: Document, judgement: Judgement) -> None:
        problem = section_terms_problem(document, judgement, "rollback")
        assert problem is None, problem

    @pytest.mark.clause("degrade")
    def test_failure_modes_say_how_to_degrade(
        self, document: Document, judgement: Judgement
    ) -> None:
        problem = section_terms_problem(document, judgement, "degrade")
        assert problem is None, problem

    @pytest.mark.clause("diagram")
    def test_architecture_diagram_parses(self, judgement: Judgement) -> None:
        problem = diagram_problem(judgement)
        assert problem is None, problem

    @pytest.mark.clause("components")
    def test_diagram_names_the_main_components(self, judgement: Judgement) -> None:
        problem = components_problem(judgement)
        assert problem is None, problem

    @pytest.mark.clause("diagram-paths")
    def test_diagram_has_a_serving_and_a_training_subgraph(self, judgement: Judgement) -> None:
        problem = diagram_paths_problem(judgement)
        assert problem is None, problem

    @pytest.mark.clause("edge-labels")
    def test_every_edge_says_what_flows(self, judgement: Judgement) -> None:
        problem = edge_labels_problem(judgement)
        assert problem is None, problem

    @pytest.mark.clause("sync-async")
    def test_sync_and_async_edges_are_distinguished(self, judgement: Judgement) -> None:
        problem = sync_async_problem(judgement)
        assert problem is None, problem

    @pytest.mark.clause("cylinders")
    def test_stores_are_drawn_as_cylinders(self, judgement: Judgement) -> None:
        problem = cylinders_problem(judgement)
        assert problem is None, problem

    @pytest.mark.clause("connected")
    def test_diagram_connects_the_components(self, judgement: Judgement) -> None:
        problem = connected_problem(judgement, self.paths)
        assert problem is None, problem

    @pytest.mark.clause("names-match")
    def test_text_names_the_components_as_the_diagram(
        self, document: Document, judgement: Judgement
    ) -> None:
        problem = names_match_problem(document, judgement)
        assert problem is None, problem

    @pytest.mark.clause("api")
    def test_the_api_is_given(self, document: Document) -> None:
        problem = api_problem(document)
        assert problem is None, problem

    @pytest.mark.clause("concepts")
    def test_key_concepts_are_discussed(self, judgement: Judgement) -> None:
        problem = concepts_problem(judgement)
        assert problem is None, problem

    @pytest.mark.clause("concepts")
    def test_concepts_are_discussed_in_the_sections(
        self, document: Document, judgement: Judgement
    ) -> None:
        problem = concepts_in_sections_problem(document, judgement)
        assert problem is None, problem

    @pytest.mark.clause("estimates-stated")
    def test_estimates_are_stated(self, judgement: Judgement) -> None:
        problem = estimates_stated_problem(judgement, self.required_estimates)
        assert problem is None, problem

    @pytest.mark.clause("estimates-derivable")
    def test_derived_estimates_come_with_their_inputs(self, judgement: Judgement) -> None:
        problem = derivable_problem(judgement, self.required_estimates)
        assert problem is None, problem

    @pytest.mark.clause("estimates-recomputed")
    def test_estimates_hold_when_recomputed(self, judgement: Judgement) -> None:
        problem = recomputed_problem(judgement)
        assert problem is None, problem

    @pytest.mark.clause("working")
    def test_estimates_show_their_working(self, document: Document) -> None:
        problem = working_problem(document)
        assert problem is None, problem

    @pytest.mark.clause("trade-offs")
    def test_at_least_three_explicit_trade_offs(self, document: Document) -> None:
        problem = trade_offs_problem(document, self.rubric)
        assert problem is None, problem

    @pytest.mark.clause("own-words")
    def test_no_section_is_pasted_from_another(self, document: Document) -> None:
        problem = pasted_sections_problem(document)
        assert problem is None, problem


#: Share of the shorter section's word 5-grams that another section also has, from which the two
#: count as one text pasted twice. The exemplar designs' sections share at most 0.034 (0.076
#: between the three diagrams of design_diagrams); a paragraph pasted under a second heading, with
#: or without text around it, shares 1.0.
PASTED_SHARE = 0.5


def pasted_sections_problem(document: Document) -> str | None:
    """Sections that are (nearly) the same text under two headings, or None.

    A paragraph pasted under several headings fills their word counts and puts the same concepts
    in every section; :func:`grader.star.near_duplicates` compares the sections' word 5-grams (a
    cheap, exact check: no model).
    """
    from grader import star

    pairs = star.near_duplicates(document.sections, threshold=PASTED_SHARE)
    if not pairs:
        return None
    return (
        "write each section in its own words; these share most of their text (the same "
        "paragraph under two headings answers only one of them):\n"
        + "\n".join(
            f"`## {a}` / `## {b}`: {share:.0%} of 5-word phrases shared" for a, b, share in pairs
        )
    )
