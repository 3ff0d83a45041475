"""A semi-automatic judge for written system-design answers (week 6).

It reads a Markdown design (a :class:`grader.written.Document` or plain text) and reports, in a
:class:`Judgement`, what a precise interviewer would tick off:

- **sections**: the template's sections are there (headings matched by synonyms) and each has
  more than a line of substance;
- **concepts**: the ideas the prompt is about ("feature store", "watermark", ...) are named, each
  accepted under several synonyms;
- **diagram**: every Mermaid block parses as a flowchart (:mod:`grader.mermaid`) and its nodes
  name the required components;
- **estimates**: back-of-the-envelope numbers stated in a structured form are recomputed from the
  other stated numbers and flagged when more than 2x off (:mod:`grader.estimates`, whose docstring
  says how to state them).

The judge never grades prose quality: that is the mentor's rubric. Tests turn a
:class:`Judgement` into learner-facing messages with :meth:`Judgement.problems`.

API: :func:`judge` (a document against a :class:`Rubric`, giving a :class:`Judgement`),
:func:`find_terms` and :func:`items` for tests that need one piece; :data:`RUBRICS` holds the three
Monday prompts. Their concepts and diagram components are course data: the ``[data]`` table of
each prompt's entry file ``curriculum/week6/design_<name>.toml`` (see
:func:`grader.manifest.entry_data`). The parsers the judge runs live in :mod:`grader.mermaid`
(:func:`parse_mermaid`, :class:`Flowchart` ...) and :mod:`grader.estimates`
(:func:`parse_estimates`, :func:`check_estimates` ...); their names stay importable from here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from grader import manifest

# grader.estimates and grader.mermaid were part of this module: every public name of theirs (the
# unit constants too, noqa) stays importable from here.
from grader.estimates import (
    BYTE_RATE,  # noqa: F401
    BYTES,  # noqa: F401
    COUNT,  # noqa: F401
    DERIVATIONS,
    HOURS_PER_MONTH,  # noqa: F401
    MONEY,  # noqa: F401
    MONEY_RATE,  # noqa: F401
    QUANTITIES,
    RATE,  # noqa: F401
    RATIO,  # noqa: F401
    TIME,  # noqa: F401
    TOLERANCE,  # noqa: F401
    Dim,  # noqa: F401
    Estimate,
    EstimateCheck,
    Estimates,
    Quantity,
    check_estimates,
    parse_estimates,
)
from grader.mermaid import (
    Edge,
    Flowchart,
    MermaidError,
    Node,
    NodeMermaid,
    Subgraph,
    parse_mermaid,
)
from grader.written import Document, parse, words

__all__ = [
    "DERIVATIONS",
    "DESIGN_SECTIONS",
    "QUANTITIES",
    "RUBRICS",
    "Checklist",
    "Edge",
    "Estimate",
    "EstimateCheck",
    "Estimates",
    "Flowchart",
    "Judgement",
    "MermaidError",
    "Node",
    "NodeMermaid",
    "Quantity",
    "Rubric",
    "Subgraph",
    "check_estimates",
    "find_terms",
    "items",
    "judge",
    "parse_estimates",
    "parse_mermaid",
]


# =============================================================================================
# Terms: concepts, headings and components matched by synonyms
# =============================================================================================
def _normalise(text: str) -> str:
    """Lower case, hyphens/underscores/slashes as spaces, Markdown emphasis and HTML removed."""
    text = html.unescape(re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)).lower()
    text = re.sub(r"[`*_]+", " ", text)
    text = re.sub(r"[-/\u2010-\u2015]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _term_pattern(term: str) -> re.Pattern[str]:
    body = re.escape(_normalise(term)).replace(r"\ ", r"\s+")
    return re.compile(rf"(?<![a-z0-9]){body}(?:s|es)?(?![a-z0-9])")


def _first_match(text: str, synonyms: Sequence[str]) -> str | None:
    normalised = _normalise(text)
    for synonym in synonyms:
        if _term_pattern(synonym).search(normalised):
            return synonym
    return None


@dataclass(frozen=True)
class Checklist:
    """What was found (item -> the evidence: the synonym, heading or node label) and missed."""

    found: dict[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.missing


def find_terms(text: str, terms: Mapping[str, Sequence[str]]) -> Checklist:
    """Which ``terms`` (name -> synonyms, the name itself always counts) occur in ``text``.

    Matching ignores case, Markdown emphasis, and treats ``-``, ``_`` and ``/`` as spaces, on
    word boundaries, with an optional plural ``s``: ``"feature store"`` matches "Feature-Stores".
    """
    found: dict[str, str] = {}
    missing: list[str] = []
    for name, synonyms in terms.items():
        hit = _first_match(text, (name, *synonyms))
        if hit is None:
            missing.append(name)
        else:
            found[name] = hit
    return Checklist(found, tuple(missing))


_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+|^###+\s+")


def items(text: str) -> list[str]:
    """The items of a section body: list items (``-``, ``*``, ``1.``) and ``###`` blocks, each
    with the lines that follow it up to the next item (comments removed); indented (nested) list
    items stay part of their parent."""
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    found: list[list[str]] = []
    for line in text.splitlines():
        if _ITEM.match(line):
            found.append([_ITEM.sub("", line, count=1)])
        elif found:
            found[-1].append(line.strip())  # continuation lines (and trailing text) belong to it
    return [" ".join(part for part in item if part).strip() for item in found]


# =============================================================================================
# Rubrics and the judgement
# =============================================================================================
#: The sections of the design template: name -> heading words that also count for it.
DESIGN_SECTIONS: dict[str, tuple[str, ...]] = {
    "requirements": ("clarifying questions", "scope", "slo"),
    "metrics": ("success metrics", "objective", "kpi"),
    "data": ("dataset", "labelling", "labeling", "data pipeline", "ingestion"),
    "features": ("feature engineering", "feature"),
    "model": ("modelling", "modeling", "training", "algorithm"),
    "serving": ("inference", "scoring", "deployment"),
    "evaluation": ("offline evaluation", "validation"),
    "a/b and rollout": ("a/b", "rollout", "roll out", "experimentation", "launch", "canary"),
    "scaling": ("scale", "scalability", "capacity planning"),
    "monitoring": ("observability", "alerting"),
    "failure modes": ("failure", "failures", "fallbacks", "reliability", "what can go wrong"),
    "trade-offs": ("tradeoffs", "trade offs", "alternatives considered"),
}


@dataclass(frozen=True)
class Rubric:
    """What one prompt requires.

    Attributes:
        sections: required section -> heading synonyms (a heading containing any counts).
        concepts: concept -> synonyms, searched in the whole text.
        components: diagram component -> synonyms, searched in node labels and subgraph titles.
        min_section_words: fewer words than this in a section is "thin" (one-liner).
        diagram: whether at least one Mermaid flowchart is required.
    """

    sections: Mapping[str, Sequence[str]] = field(default_factory=dict)
    concepts: Mapping[str, Sequence[str]] = field(default_factory=dict)
    components: Mapping[str, Sequence[str]] = field(default_factory=dict)
    min_section_words: int = 30
    diagram: bool = True


@dataclass(frozen=True)
class Judgement:
    """The judge's findings; :meth:`problems` words them for the learner.

    Attributes:
        sections: required sections found (name -> the heading) and missing.
        thin: sections found but shorter than the rubric's minimum (name -> words written).
        concepts: required concepts found (name -> the synonym seen) and missing.
        diagrams: the Mermaid flowcharts that parsed.
        diagram_errors: one message per Mermaid block that did not parse.
        components: required components found in the diagrams (name -> node label) and missing.
        estimates: the stated estimates.
        checks: each derivable estimate recomputed (see :func:`check_estimates`).
    """

    sections: Checklist
    thin: dict[str, int]
    concepts: Checklist
    diagrams: tuple[Flowchart, ...]
    diagram_errors: tuple[str, ...]
    components: Checklist
    estimates: Estimates
    checks: tuple[EstimateCheck, ...]
    rubric: Rubric

    @property
    def wrong_estimates(self) -> list[EstimateCheck]:
        return [c for c in self.checks if not c.ok]

    def problems(self) -> list[str]:
        """Every finding that needs work, one learner-facing sentence each (empty: all good)."""
        out = []
        for name in self.sections.missing:
            accepted = ", ".join(repr(s) for s in (name, *self.rubric.sections.get(name, ())))
            out.append(f"missing section {name!r} (a level-2 heading containing one of {accepted})")
        for name, count in self.thin.items():
            out.append(
                f"section {self.sections.found[name]!r} has {count} words; write at least "
                f"{self.rubric.min_section_words} (what you decide and why)"
            )
        if self.concepts.missing:
            out.append("concepts never mentioned: " + ", ".join(self.concepts.missing))
        if self.rubric.diagram and not self.diagrams and not self.diagram_errors:
            out.append("no ```mermaid architecture diagram (a flowchart) in the document")
        out += [f"Mermaid diagram does not parse: {e}" for e in self.diagram_errors]
        if self.diagrams and self.components.missing:
            out.append(
                "components not named by any node of the diagram: "
                + ", ".join(self.components.missing)
            )
        out += list(self.estimates.problems)
        out += [check.message() for check in self.wrong_estimates]
        return out


def _match_sections(document: Document, rubric: Rubric) -> tuple[Checklist, dict[str, int]]:
    found: dict[str, str] = {}
    missing: list[str] = []
    thin: dict[str, int] = {}
    for name, synonyms in rubric.sections.items():
        heading = next(
            (h for h in document.sections if _first_match(h, (name, *synonyms)) is not None),
            None,
        )
        if heading is None:
            missing.append(name)
            continue
        found[name] = heading
        count = words(document.sections[heading])
        if count < rubric.min_section_words:
            thin[name] = count
    return Checklist(found, tuple(missing)), thin


def judge(document: Document | str, rubric: Rubric) -> Judgement:
    """Judge a design document against a rubric (see :class:`Judgement`)."""
    if isinstance(document, str):
        document = parse(document)
    sections, thin = _match_sections(document, rubric)
    concepts = find_terms(document.text, rubric.concepts)
    diagrams, errors = [], []
    for number, block in enumerate(document.mermaid(), start=1):
        try:
            diagrams.append(parse_mermaid(block))
        except MermaidError as exc:
            errors.append(f"diagram {number}, {exc}")
    seen = "\n".join(chart.text() for chart in diagrams)
    components = find_terms(seen, rubric.components) if diagrams else Checklist()
    if diagrams:
        components = Checklist(
            {name: _label_with(diagrams, hit) for name, hit in components.found.items()},
            components.missing,
        )
    else:
        components = Checklist({}, tuple(rubric.components))
    estimates = parse_estimates(document.text)
    return Judgement(
        sections=sections,
        thin=thin,
        concepts=concepts,
        diagrams=tuple(diagrams),
        diagram_errors=tuple(errors),
        components=components,
        estimates=estimates,
        checks=tuple(check_estimates(estimates)),
        rubric=rubric,
    )


def _label_with(diagrams: Sequence[Flowchart], synonym: str) -> str:
    for chart in diagrams:
        for label in chart.text().splitlines():
            if _first_match(label, (synonym,)):
                return label
    return synonym


# -- the three design prompts -----------------------------------------------------------------
#: The concepts every Monday prompt requires, on top of its own (from its entry file).
_COMMON_CONCEPTS: dict[str, tuple[str, ...]] = {
    "p99 latency": ("p99", "p95", "tail latency"),
    "model registry": ("mlflow", "registry"),
    "drift": ("distribution shift", "data drift"),
    "safe rollout": ("canary", "shadow", "champion", "challenger", "blue green"),
}

#: The three Monday prompts by design name (the entry ``week6.design_<name>``), in roadmap order.
_PROMPTS = ("image_classification", "recommendation", "realtime_pipeline")

if TYPE_CHECKING:
    #: Rubrics of the three Monday prompts, by design name (the file name without ``design_``).
    RUBRICS: dict[str, Rubric]


def _synonyms(table: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    return {name: tuple(synonyms) for name, synonyms in table.items()}


@cache
def _rubrics() -> dict[str, Rubric]:
    """:data:`RUBRICS`, built on first use from the ``[data]`` tables of the prompts' entry files.

    Each ``curriculum/week6/design_<name>.toml`` gives the prompt's ``[data.concepts]`` and
    ``[data.components]`` (name -> synonyms); the template sections (:data:`DESIGN_SECTIONS`) and
    the concepts every prompt shares stay here.
    """
    curriculum = manifest.load(manifest.find_root(Path(__file__).resolve().parent))
    rubrics = {}
    for name in _PROMPTS:
        entry = f"week6.design_{name}"
        data = manifest.entry_data(curriculum, entry)
        if missing := [key for key in ("concepts", "components") if key not in data]:
            raise manifest.ManifestError(
                f"{curriculum[entry].entry}: [data] needs {' and '.join(missing)} (the rubric of "
                "the prompt, read by grader.design_judge)"
            )
        rubrics[name] = Rubric(
            sections=DESIGN_SECTIONS,
            concepts={**_COMMON_CONCEPTS, **_synonyms(data["concepts"])},
            components=_synonyms(data["components"]),
        )
    return rubrics


def __getattr__(name: str) -> object:
    if name == "RUBRICS":
        return _rubrics()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
