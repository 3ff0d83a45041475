"""Timed mock system design: a fresh prompt, answered in 45 minutes with your Monday template,
estimates and a diagram, then a self-review scoring every rubric dimension with evidence.

"Your template" is the list of level-2 headings of your ``design_image_classification.md`` (the
Monday design of the same checkout); the answer must use them (words of each heading are matched
loosely), with at most two left out, never Requirements, Estimates, Architecture or Trade-offs,
in the template's order and between ``## Session`` and ``## Self-review``. The prompt is one that
``rxgrade mock --fresh-design`` draws (``[[data.fresh_prompts]]`` of the entry), copied exactly;
the estimates are recomputed from each other as in the Monday design (within 2x).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import manifest, mock, star, written
from grader.estimates import check_estimates, impossible_values, parse_estimates
from grader.writing import WritingTests

MONDAY = "week6.design_image_classification"
TIME_BOX = 45
FALLBACK_TEMPLATE = (
    "Requirements and clarifying questions",
    "Estimates",
    "High-level architecture",
    "Data and labelling",
    "Model",
    "Serving",
    "Evaluation",
    "Monitoring",
    "Trade-offs",
)
ESSENTIAL = ("requirements", "estimates", "architecture", "trade")
MAX_SKIPPED = 2
MIN_SECTION_WORDS = 10
NOT_ANSWER = ("session", "self-review", "self review")
STOP = {"and", "the", "for", "with", "your", "our", "high", "level", "questions"}
EDGE = re.compile(r"-{2,}>|-\.+->|={2,}>|-{3,}|<-{2,}")
TIMESTAMP = re.compile(r"\b\d{1,2}:\d{2}\b")
MOCK = "week6.mock_system_design"


def stems(heading: str) -> set[str]:
    """Significant words of a heading, cut to 6 letters (so 'failures' matches 'failure')."""
    words = re.findall(r"[a-z]+", heading.lower().replace("trade-off", "tradeoff"))
    return {w[:6] for w in words if len(w) >= 3 and w not in STOP}


@pytest.fixture
def document(target_path: Path) -> written.Document:
    return star.load(target_path)


@pytest.fixture
def template(
    target_path: Path, deliverable: manifest.Deliverable, target: str, rx_root: Path
) -> list[str]:
    """The level-2 headings of the learner's Monday design (the course default without it)."""
    entry = manifest.load(rx_root)[MONDAY]
    own = deliverable.path_for(target)
    text = target_path.as_posix()
    base = Path(text[: -len(own)]) if text.endswith(own) else rx_root
    path = base / entry.path_for(target)
    if not path.is_file():
        return list(FALLBACK_TEMPLATE)
    headings = [
        re.sub(r"<!--.*?-->", "", h).strip() for h in written.parse(path.read_text()).sections
    ]
    return [h for h in headings if stems(h)] or list(FALLBACK_TEMPLATE)


def answer_sections(document: written.Document) -> dict[str, str]:
    return {
        heading: body
        for heading, body in document.sections.items()
        if not heading.strip().lower().startswith(NOT_ANSWER)
    }


def _matches(template: list[str], sections: dict[str, str]) -> list[tuple[str, str]]:
    """(template heading, the answer heading that covers it) in template order, as in
    :func:`test_answer_follows_your_monday_template` (first answer heading sharing a stem)."""
    pairs = []
    for heading in template:
        match = next((h for h in sections if stems(h) & stems(heading)), None)
        if match is not None:
            pairs.append((heading, match))
    return pairs


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w%.]+", " ", text.lower()).split()).strip(" .")


def field(document: written.Document, name: str) -> str:
    body = document.section("session") or ""
    match = re.search(rf"^\s*[-*+]?\s*\**{name}\**\s*:\s*(.+(?:\n\s+\S.*)*)", body, re.I | re.M)
    return " ".join(match.group(1).split()) if match else ""


@pytest.mark.clause("fresh-prompt")
def test_prompt_is_a_fresh_one(document: written.Document) -> None:
    prompt = field(document, "prompt")
    assert len(prompt.split()) >= 8, (
        "write the prompt `rxgrade mock --parts design --fresh-design` gave you under `## Session` "
        f"as `- Prompt: ...` (8+ words); found {prompt!r}"
    )
    words = set(re.findall(r"[a-z]{4,}", prompt.lower()))
    for monday in mock.DESIGN_PROMPTS:
        theirs = set(re.findall(r"[a-z]{4,}", monday.prompt.lower()))
        overlap = len(words & theirs) / max(1, min(len(words), len(theirs)))
        assert overlap < 0.6, (
            f"the prompt looks like the Monday design you practised ({monday.id}); the mock is "
            "about a FRESH prompt: draw one with `rxgrade mock --parts design --fresh-design`"
        )


@pytest.mark.clause("time-box")
def test_answer_fits_the_time_box(document: written.Document) -> None:
    used = re.findall(r"\d+(?:\.\d+)?", field(document, "time used"))
    assert used, "write `- Time used: 44 min` under `## Session`"
    assert 0 < float(used[0]) <= TIME_BOX, (
        f"the interview is {TIME_BOX} minutes and you report {used[0]}: stop when the timer "
        "rings, and put what you would add in the self-review"
    )


@pytest.mark.clause("monday-headings")
def test_answer_follows_your_monday_template(
    document: written.Document, template: list[str]
) -> None:
    sections = answer_sections(document)
    covered: list[str] = []
    skipped: list[str] = []
    for heading in template:
        match = next((h for h in sections if stems(h) & stems(heading)), None)
        if match is not None and written.words(sections[match]) >= MIN_SECTION_WORDS:
            covered.append(heading)
        else:
            skipped.append(heading)
    essential = [h for h in skipped if any(key[:6] in stems(h) for key in ESSENTIAL)]
    assert not essential, (
        f"the answer skips {', '.join(essential)}: never skip requirements, estimates, the "
        "architecture or the trade-offs (use the headings of your Monday template, "
        f"{MIN_SECTION_WORDS}+ words each)"
    )
    assert len(skipped) <= MAX_SKIPPED, (
        f"follow your Monday template section by section; missing or one-line: "
        f"{', '.join(skipped)} (at most {MAX_SKIPPED} may be left out under time pressure)"
    )


@pytest.mark.clause("estimates-numbers")
def test_answer_has_estimates_in_numbers(document: written.Document) -> None:
    body = next(
        (b for h, b in answer_sections(document).items() if "estima" in h.lower()),
        "",
    )
    numbers = document.numbers(body)
    assert len(numbers) >= 3, (
        f"the Estimates section needs the numbers you said out loud (requests/s, storage, "
        f"hardware); it has {len(numbers)}"
    )


@pytest.mark.clause("diagram")
def test_answer_has_a_diagram(document: written.Document) -> None:
    diagrams = document.mermaid()
    assert diagrams, "draw the architecture as a ```mermaid flowchart in the answer"
    edges = max(len(EDGE.findall(block)) for block in diagrams)
    assert edges >= 4, f"the diagram should connect the components (4+ edges); it has {edges}"


@pytest.mark.clause("review-scores", "review-evidence")
def test_self_review_scores_every_dimension_with_evidence(
    document: written.Document,
) -> None:
    body = document.section("self-review", "self review")
    assert body is not None, "no `## Self-review` section"
    rows = star.table_rows(body)
    headings = [h.lower() for h in answer_sections(document)]
    scored: dict[str, str] = {}
    bad = []
    for row in rows:
        cells = list(row.values())
        dimension = mock.canonical(row.get("dimension", cells[0] if cells else ""), mock.DIMENSIONS)
        if dimension is None:
            continue
        scored[dimension] = row.get("score", "")
        evidence = row.get("evidence", cells[-1] if cells else "")
        if row.get("score", "").strip() not in {"1", "2", "3", "4"}:
            bad.append(f"{dimension}: score must be 1-4, got {row.get('score')!r}")
        cites = (
            TIMESTAMP.search(evidence)
            or re.search(r"\d", evidence)
            or any(stems(h) & stems(evidence) for h in headings)
        )
        if written.words(evidence) < 8 or not cites:
            bad.append(
                f"{dimension}: evidence {evidence!r} should point at the answer (a section, a "
                "number, a timestamp), 8+ words"
            )
    missing = [d for d in mock.DIMENSIONS if d not in scored]
    assert not missing, (
        f"score every rubric dimension (| Dimension | Score | Evidence |); missing: "
        f"{', '.join(missing)}"
    )
    assert not bad, "\n".join(bad)


@pytest.mark.clause("compare-monday", "missed-tradeoff")
def test_self_review_compares_with_monday(document: written.Document) -> None:
    body = document.section("self-review", "self review") or ""
    parts = star.split_parts(body, {"compare": ("compared with monday", "compared", "comparison")})
    size = written.words(parts.get("compare", ""))
    assert size >= 30, (
        f"add `### Compared with Monday` (30+ words): compare with your strongest Monday design "
        f"and name the trade-off you did not discuss; it has {size} words"
    )
    assert re.search(r"trade-?offs?", parts.get("compare", ""), re.IGNORECASE), (
        "name the trade-off you did not discuss in `### Compared with Monday`"
    )


@pytest.mark.clause("prompt-exact")
def test_prompt_is_one_rxgrade_mock_draws(document: written.Document, rx_root: Path) -> None:
    prompt = _normal(field(document, "prompt"))
    fresh = manifest.entry_data(manifest.load(rx_root), MOCK)["fresh_prompts"]
    drawn = [p for p in fresh if _normal(p["prompt"]) in prompt]
    assert drawn, (
        "copy the prompt exactly as `rxgrade mock --parts design --fresh-design` showed it under "
        f"`## Session` (`- Prompt: ...`): {field(document, 'prompt')!r} is none of the "
        f"{len(fresh)} fresh prompts it draws from (an easier prompt of your own choosing, or one "
        "reworded, does not count)"
    )


@pytest.mark.clause("same-order")
def test_answer_keeps_the_order_of_your_template(
    document: written.Document, template: list[str]
) -> None:
    sections = answer_sections(document)
    order = list(sections)
    pairs = _matches(template, sections)
    latest: tuple[int, str] = (-1, "")
    moved = []
    for heading, answer in pairs:
        at = order.index(answer)
        if at < latest[0]:
            moved.append(
                f"{answer!r} (section {at + 1} of the answer) comes before {latest[1]!r} "
                f"(section {latest[0] + 1}), but your template has {heading!r} after it"
            )
        else:
            latest = (at, answer)
    assert not moved, (
        "keep the order of your Monday template (in the interview, the order is how you keep "
        "time: requirements and estimates before the architecture, trade-offs at the end): "
        + "; ".join(moved)
    )


@pytest.mark.clause("between-session-and-review")
def test_answer_sits_between_session_and_self_review(document: written.Document) -> None:
    headings = list(document.sections)
    lowered = [h.strip().lower() for h in headings]
    session = next((i for i, h in enumerate(lowered) if h.startswith("session")), None)
    review = next((i for i, h in enumerate(lowered) if h.startswith(NOT_ANSWER[1:])), None)
    assert session is not None and review is not None, (
        "keep the template's `## Session` and `## Self-review` headings"
    )
    outside = [
        h
        for i, h in enumerate(headings)
        if not lowered[i].startswith(NOT_ANSWER) and not session < i < review
    ]
    assert not outside, (
        "the answer goes between `## Session` and `## Self-review`; these sections are outside "
        f"it: {', '.join(outside)} (a section written after the self-review was written after "
        "the timer: put what you would add in the self-review instead)"
    )


@pytest.mark.clause("estimates-consistent")
def test_estimates_agree_with_each_other(document: written.Document) -> None:
    body = next(
        (b for h, b in answer_sections(document).items() if "estima" in h.lower()),
        "",
    )
    estimates = parse_estimates(body)
    problems = [
        *estimates.problems,
        *impossible_values(estimates),
        *(c.message() for c in check_estimates(estimates) if not c.ok),
    ]
    assert not problems, (
        "the Estimates section states numbers that contradict each other (state them as in your "
        "Monday design; each derived number must be within 2x of what the others give):\n"
        + "\n".join(problems)
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""

    skip_figure_sections = ("estima",)  # [#estimates-consistent] does
