"""Leadership examples: four kinds of influence without authority, each with conflict, influence
and outcome, plus a table mapping interview questions to them.

Judged with the regex helpers of :mod:`grader.star`; the template documents the format.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from grader import star, written
from grader.writing import WritingTests

#: Example kind -> words its heading starts with (before the colon).
KINDS: dict[str, tuple[str, ...]] = {
    "design decision": ("design decision", "design", "decision", "architecture"),
    "disagreement": ("disagreement", "disagree", "conflict"),
    "quality bar": ("quality bar", "quality", "raising the quality bar", "standards"),
    "mentoring": ("mentoring", "mentor", "unblocking", "unblock", "coaching"),
}
PARTS: dict[str, tuple[str, ...]] = {
    "risk": ("conflict or risk", "conflict", "risk", "challenge"),
    "influence": ("how i influenced", "influence", "how i led", "approach"),
    "outcome": ("outcome", "result"),
}
MIN_WORDS = {"risk": 25, "influence": 60, "outcome": 20}
AUTHORITY = re.compile(
    r"\bI\s+(?:ordered|commanded|forced|mandated|instructed|"
    r"told\s+(?:them|him|her|the\s+team|everyone|everybody)\s+to|"
    r"made\s+(?:them|him|her|the\s+team|everyone|everybody)|"
    r"required\s+(?:them|him|her|the\s+team|everyone|everybody))\b",
    re.IGNORECASE,
)
OTHER_SIDE = re.compile(
    r"\b(?:his|her|their)\s+(?:real\s+|actual\s+|main\s+)?(?:goal|goals|concern|concerns|"
    r"priority|priorities|point of view|perspective|reasoning|worry|constraint)\b"
    r"|\bwhat\s+(?:he|she|they)\s+(?:wanted|cared about|needed|was worried about|"
    r"were worried about|wanted to protect)\b",
    re.IGNORECASE,
)
QUESTION = re.compile(
    r"\?\s*$|^(?:tell me|describe|give me|walk me|share|talk about)\b", re.IGNORECASE
)


@pytest.fixture
def document(target_path: Path) -> written.Document:
    return star.load(target_path)


@pytest.fixture
def titled(document: written.Document) -> dict[str, tuple[str, str]]:
    """Example kind -> (its heading, its body), the first example of each kind."""
    return star.first_of_each_kind(document.sections, KINDS)


@pytest.fixture
def examples(titled: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    """Example kind -> its parts (risk, influence, outcome), the first example of each kind."""
    return {kind: star.split_parts(body, PARTS) for kind, (_, body) in titled.items()}


def _words(text: str) -> int:
    return written.words(text)


@pytest.mark.clause("title")
def test_every_example_heading_gives_a_title(titled: dict[str, tuple[str, str]]) -> None:
    assert titled, "no example found (headings like `## Design decision: ...`)"
    untitled = star.untitled(heading for heading, _ in titled.values())
    assert not untitled, (
        "after the kind, give each example its title: `## Mentoring: Unblocking a new teammate` "
        f"(the behavioural capstone names examples by it); no title in: {untitled}"
    )


@pytest.mark.clause("distinct")
def test_examples_are_different_stories(titled: dict[str, tuple[str, str]]) -> None:
    assert titled, "no example found (headings like `## Design decision: ...`)"
    pairs = star.near_duplicates({heading: body for heading, body in titled.values()})
    assert not pairs, (
        "these examples are (nearly) the same text under two kinds; each kind needs its own "
        "story:\n" + star.shared_phrases_lines(pairs)
    )


@pytest.mark.clause("kinds")
def test_four_examples_one_of_each_kind(examples: dict[str, dict[str, str]]) -> None:
    missing = [kind for kind in KINDS if kind not in examples]
    assert not missing, (
        f"missing example(s): {', '.join(missing)}. Start each example's level-2 heading with its "
        f"kind, e.g. `## Mentoring: unblocking a new teammate`; found: {sorted(examples)}"
    )


@pytest.mark.clause("parts")
def test_each_example_has_conflict_influence_and_outcome(
    examples: dict[str, dict[str, str]],
) -> None:
    assert examples, "no example found (headings like `## Design decision: ...`)"
    thin = [
        f"{kind}: {part} has {_words(parts.get(part, ''))} words (need {need})"
        for kind, parts in examples.items()
        for part, need in MIN_WORDS.items()
        if _words(parts.get(part, "")) < need
    ]
    assert not thin, (
        "each example needs `### Conflict or risk`, `### How I influenced` and `### Outcome`, "
        "written out:\n" + "\n".join(thin)
    )


@pytest.mark.clause("first-person")
def test_influence_is_told_in_the_first_person(examples: dict[str, dict[str, str]]) -> None:
    assert examples, "no example found (headings like `## Design decision: ...`)"
    bad = []
    for kind, parts in examples.items():
        singular, plural = star.first_person(parts.get("influence", ""))
        if singular < 3 or singular <= plural:
            bad.append(f"{kind}: 'I/me/my' {singular} times, 'we/us/our' {plural} times")
    assert not bad, "say what YOU did to influence (more 'I' than 'we'):\n" + "\n".join(bad)


@pytest.mark.clause("no-orders")
def test_influence_does_not_rely_on_authority(examples: dict[str, dict[str, str]]) -> None:
    assert examples, "no example found (headings like `## Design decision: ...`)"
    orders = [
        f"{kind}: {m.group(0)!r}"
        for kind, parts in examples.items()
        for m in AUTHORITY.finditer(parts.get("influence", ""))
    ]
    assert not orders, (
        "leadership without authority means people agree or act without being ordered; these "
        "phrases describe orders:\n" + "\n".join(orders)
    )


@pytest.mark.clause("other-side", "data")
def test_disagreement_starts_from_the_other_side_and_is_settled_with_data(
    examples: dict[str, dict[str, str]],
) -> None:
    parts = examples.get("disagreement")
    assert parts, "no `## Disagreement: ...` example"
    influence = parts.get("influence", "")
    assert OTHER_SIDE.search(influence), (
        "in the disagreement, show that you understood the other side's goal first (e.g. 'her goal "
        "was...', 'what they cared about'); no such phrase in How I influenced"
    )
    assert star.quantities(influence), (
        "the disagreement must be settled with data: How I influenced names no measured number "
        "with a unit (e.g. '1.8% against 0.6%', 'p99 210 ms')"
    )


@pytest.fixture
def question_map(document: written.Document) -> list[dict[str, str]]:
    """Rows of the table in ``## Question map`` (empty when there is none)."""
    body = document.section("question map", "questions")
    return star.table_rows(body) if body is not None else []


@pytest.mark.clause("map-table")
def test_question_map_is_a_question_example_table(
    document: written.Document, question_map: list[dict[str, str]]
) -> None:
    assert document.section("question map", "questions") is not None, "no `## Question map` section"
    assert question_map, (
        "the `## Question map` section has no Markdown table (| Question | Example |)"
    )
    assert {"question", "example"} <= set(question_map[0]), (
        f"the question map needs the columns Question and Example; found {list(question_map[0])}"
    )


@pytest.mark.clause("map-phrasings", "map-kinds")
def test_question_map_gives_two_phrasings_per_example(question_map: list[dict[str, str]]) -> None:
    assert question_map, "no question map table (see the `## Question map` section)"
    per_kind = {kind: 0 for kind in KINDS}
    unknown = []
    for row in question_map:
        kind = star.kind_of(row.get("example", ""), KINDS)
        if kind is None:
            unknown.append(row.get("example", ""))
        else:
            per_kind[kind] += 1
    assert not unknown, (
        "the Example cell names the example's kind (Design decision, Disagreement, Quality bar, "
        f"Mentoring); these name none: {unknown}"
    )
    short = {kind: n for kind, n in per_kind.items() if n < 2}
    assert not short, f"map each example to at least two question phrasings; too few for {short}"


@pytest.mark.clause("map-questions")
def test_question_map_rows_are_questions(question_map: list[dict[str, str]]) -> None:
    assert question_map, "no question map table (see the `## Question map` section)"
    questions = [row.get("question", "") for row in question_map]
    bad = [question for question in questions if not QUESTION.search(question)]
    assert not bad, (
        "write each row as the interviewer would ask it ('Tell me about a time...', or ending "
        f"with '?'); these are not questions: {bad}"
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""


# -- read by meaning (the `semantic` fixture): last in the file, so a mutant caught above never
# loads the model


@pytest.mark.clause("distinct")
def test_examples_are_not_one_story_reworded(
    titled: dict[str, tuple[str, str]], semantic: ModuleType
) -> None:
    assert titled, "no example found (headings like `## Design decision: ...`)"
    pairs = semantic.near_duplicate_pairs({heading: body for heading, body in titled.values()})
    assert not pairs, (
        "these examples tell the same story in other words (their meaning, read by a sentence "
        "model, is as close as a story and its paraphrase; different stories on one project "
        f"score below {semantic.NEAR_DUPLICATE_THRESHOLD:.2f}); each kind needs its own story:\n"
        + semantic.similar_pairs_lines(pairs)
    )
