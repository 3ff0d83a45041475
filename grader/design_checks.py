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
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import pytest

from grader import design_judge, manifest
from grader.design_judge import Judgement, Rubric
from grader.written import Document, load

__all__ = [
    "COMPARISON",
    "FORMAT",
    "REQUIRED_ESTIMATES",
    "DesignPromptTests",
    "components_problem",
    "concepts_problem",
    "diagram_problem",
    "estimates_stated_problem",
    "recomputed_problem",
    "sections_problem",
    "template_problems",
    "trade_offs_problem",
]

COMPARISON = re.compile(r"\bvs\.?(?!\w)|\bversus\b|\bover\b|\binstead of\b|\brather than\b", re.I)
FORMAT = (
    "state each as a table row `| peak_qps | 1,736 | requests/s |` or a line `peak_qps = 1736 "
    "requests/s` (the names the judge knows are in grader/estimates.py, QUANTITIES)"
)

if TYPE_CHECKING:
    #: The estimates each Monday design must state, by design name (as in ``RUBRICS``).
    REQUIRED_ESTIMATES: dict[str, tuple[str, ...]]


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


def __getattr__(name: str) -> object:
    if name == "REQUIRED_ESTIMATES":
        return _required_estimates()
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


def template_problems(
    document: Document, rubric: Rubric, required_estimates: Sequence[str]
) -> list[str]:
    """Every shared check's message for one design (empty: the template is followed)."""
    judgement = design_judge.judge(document, rubric)
    found = [
        sections_problem(judgement),
        diagram_problem(judgement),
        components_problem(judgement) if judgement.diagrams else None,
        concepts_problem(judgement),
        estimates_stated_problem(judgement, required_estimates),
        recomputed_problem(judgement),
        trade_offs_problem(document, rubric),
    ]
    return [problem for problem in found if problem is not None]


class DesignPromptTests:
    """The shared tests of a design prompt; subclass as ``TestDesign`` in the prompt's test file.

    Attributes:
        rubric: the prompt's :class:`~grader.design_judge.Rubric`.
        required_estimates: estimate names the answer must state.
    """

    rubric: ClassVar[Rubric]
    required_estimates: ClassVar[tuple[str, ...]]

    @pytest.fixture
    def document(self, target_path: Path) -> Document:
        return load(target_path)

    @pytest.fixture
    def judgement(self, document: Document) -> Judgement:
        return design_judge.judge(document, self.rubric)

    def test_every_template_section_is_written(self, judgement: Judgement) -> None:
        problem = sections_problem(judgement)
        assert problem is None, problem

    def test_architecture_diagram_parses(self, judgement: Judgement) -> None:
        problem = diagram_problem(judgement)
        assert problem is None, problem

    def test_diagram_names_the_main_components(self, judgement: Judgement) -> None:
        problem = components_problem(judgement)
        assert problem is None, problem

    def test_key_concepts_are_discussed(self, judgement: Judgement) -> None:
        problem = concepts_problem(judgement)
        assert problem is None, problem

    def test_estimates_are_stated(self, judgement: Judgement) -> None:
        problem = estimates_stated_problem(judgement, self.required_estimates)
        assert problem is None, problem

    def test_estimates_hold_when_recomputed(self, judgement: Judgement) -> None:
        problem = recomputed_problem(judgement)
        assert problem is None, problem

    def test_at_least_three_explicit_trade_offs(self, document: Document) -> None:
        problem = trade_offs_problem(document, self.rubric)
        assert problem is None, problem
