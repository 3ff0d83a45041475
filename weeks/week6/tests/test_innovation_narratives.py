"""Innovation narratives: a reframed problem, a measured improvement and a failed idea, each with a
baseline in numbers, the constraint that made it hard, and evidence.

Judged with the regex helpers of :mod:`grader.star`; the template documents the format.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from grader import star, written
from grader.writing import WritingTests

#: Narrative kind -> words its heading starts with (before the colon).
KINDS: dict[str, tuple[str, ...]] = {
    "reframed problem": ("reframed", "reframe", "reframing"),
    "measured improvement": ("measured improvement", "improvement", "simplification"),
    "failed idea": ("failed idea", "failure", "failed"),
}
PARTS: dict[str, tuple[str, ...]] = {
    "baseline": ("baseline", "before"),
    "constraint": ("constraint", "what made it hard"),
    "idea": ("idea", "what i did", "what i tried", "approach"),
    "evidence": ("evidence", "after"),
    "lesson": ("lesson", "what i learned", "what i learnt"),
}
MIN_WORDS = {"baseline": 15, "constraint": 15, "idea": 40, "evidence": 15}
OBVIOUS = re.compile(
    r"\bobvious\b|\binstead of\b|\brather than\b|\bthe first (?:idea|approach|instinct)\b|"
    r"\beveryone (?:assumed|wanted|expected)\b|\breframe|"
    r"\bthe (?:real|actual) (?:problem|question)\b",
    re.IGNORECASE,
)
CHANGED_SINCE = re.compile(
    r"\bsince then\b|\bnow I\b|\bI now\b|\bfrom then on\b|\bafterwards I\b|\bnext time\b|"
    r"\bI changed\b|\bI have since\b|\bthese days I\b",
    re.IGNORECASE,
)


@pytest.fixture
def titled(target_path: Path) -> dict[str, tuple[str, str]]:
    """Narrative kind -> (its heading, its body), the first narrative of each kind."""
    return star.first_of_each_kind(star.load(target_path).sections, KINDS)


@pytest.fixture
def narratives(titled: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    """Narrative kind -> its parts, the first narrative of each kind."""
    return {kind: star.split_parts(body, PARTS) for kind, (_, body) in titled.items()}


@pytest.mark.clause("title")
def test_every_narrative_heading_gives_a_title(titled: dict[str, tuple[str, str]]) -> None:
    assert titled, "no narrative found (headings like `## Reframed problem: ...`)"
    untitled = star.untitled(heading for heading, _ in titled.values())
    assert not untitled, (
        "after the kind, give each narrative its title: `## Failed idea: a perceptual-hash cache` "
        f"(the behavioural capstone names narratives by it); no title in: {untitled}"
    )


@pytest.mark.clause("distinct")
def test_narratives_are_different_stories(titled: dict[str, tuple[str, str]]) -> None:
    assert titled, "no narrative found (headings like `## Reframed problem: ...`)"
    pairs = star.near_duplicates({heading: body for heading, body in titled.values()})
    assert not pairs, (
        "these narratives are (nearly) the same text under two kinds; each kind needs its own "
        "story:\n" + star.shared_phrases_lines(pairs)
    )


@pytest.mark.clause("plausible")
def test_evidence_figures_are_possible(narratives: dict[str, dict[str, str]]) -> None:
    assert narratives, "no narrative found (headings like `## Reframed problem: ...`)"
    bad = [
        f"{kind}: {problem}"
        for kind, parts in narratives.items()
        for problem in star.implausible(parts.get("evidence", ""))
    ]
    assert not bad, (
        "the Evidence states figures that cannot be true; an interviewer stops believing the "
        "story at the first one:\n" + "\n".join(bad)
    )


@pytest.mark.clause("kinds")
def test_three_narratives_one_of_each_kind(narratives: dict[str, dict[str, str]]) -> None:
    missing = [kind for kind in KINDS if kind not in narratives]
    assert not missing, (
        f"missing narrative(s): {', '.join(missing)}. Start each level-2 heading with its kind, "
        f"e.g. `## Failed idea: a perceptual-hash cache`; found: {sorted(narratives)}"
    )


@pytest.mark.clause("parts")
def test_each_narrative_has_baseline_constraint_idea_and_evidence(
    narratives: dict[str, dict[str, str]],
) -> None:
    assert narratives, "no narrative found (headings like `## Reframed problem: ...`)"
    thin = [
        f"{kind}: {part} has {written.words(parts.get(part, ''))} words (need {need})"
        for kind, parts in narratives.items()
        for part, need in MIN_WORDS.items()
        if written.words(parts.get(part, "")) < need
    ]
    assert not thin, "each narrative needs its four parts, written out:\n" + "\n".join(thin)


@pytest.mark.clause("baseline-numbers", "evidence-numbers")
def test_every_baseline_and_evidence_is_in_numbers(narratives: dict[str, dict[str, str]]) -> None:
    assert narratives, "no narrative found (headings like `## Reframed problem: ...`)"
    bad = [
        f"{kind}: the {part.title()} has no number with a unit"
        for kind, parts in narratives.items()
        for part in ("baseline", "evidence")
        if not star.quantities(parts.get(part, ""))
    ]
    assert not bad, (
        "an innovation story needs a baseline and evidence in numbers (e.g. '35 images/s', "
        "'p99 90 ms', '4.1%'):\n" + "\n".join(bad)
    )


@pytest.mark.clause("before-after")
def test_improvement_compares_before_and_after(narratives: dict[str, dict[str, str]]) -> None:
    parts = narratives.get("measured improvement")
    assert parts, "no `## Measured improvement: ...` narrative"
    comparisons = star.before_after(parts.get("evidence", ""))
    assert comparisons, (
        "the measured improvement's Evidence must compare the same measurement before and after, "
        "written 'from 35 to 140 images/s' or '90 ms -> 110 ms'; found no such comparison"
    )


@pytest.mark.clause("obvious")
def test_reframe_says_why_the_obvious_solution_did_not_work(
    narratives: dict[str, dict[str, str]],
) -> None:
    parts = narratives.get("reframed problem")
    assert parts, "no `## Reframed problem: ...` narrative"
    text = parts.get("idea", "") + "\n" + parts.get("constraint", "")
    assert OBVIOUS.search(text), (
        "a reframing is interesting because the obvious solution did not work: say what it was "
        "('the obvious fix was...', 'instead of...', 'rather than...') in the Idea"
    )


@pytest.mark.clause("lesson-longest")
def test_failure_story_spends_most_words_on_the_lesson(
    narratives: dict[str, dict[str, str]],
) -> None:
    parts = narratives.get("failed idea")
    assert parts, "no `## Failed idea: ...` narrative"
    sizes = {part: written.words(text) for part, text in parts.items()}
    lesson = sizes.get("lesson", 0)
    longest = max((p for p in sizes if p != "lesson"), key=sizes.get, default="idea")
    assert lesson >= 60 and lesson > sizes.get(longest, 0), (
        f"the failed idea's `### Lesson` should be its longest part (60+ words); it has {lesson} "
        f"words and the {longest.title()} has {sizes.get(longest, 0)}"
    )


@pytest.mark.clause("changed-since")
def test_failure_lesson_says_what_you_do_differently_since(
    narratives: dict[str, dict[str, str]],
) -> None:
    parts = narratives.get("failed idea")
    assert parts, "no `## Failed idea: ...` narrative"
    assert CHANGED_SINCE.search(parts.get("lesson", "")), (
        "say what you have done differently since ('since then I...', 'now I...') in the Lesson"
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler] (grader/writing.py)."""

    figures = False  # [#plausible] judges the Evidence


# -- read by meaning (the `semantic` fixture): last in the file, so a mutant caught above never
# loads the model


@pytest.mark.clause("distinct")
def test_narratives_are_not_one_story_reworded(
    titled: dict[str, tuple[str, str]], semantic: ModuleType
) -> None:
    assert titled, "no narrative found (headings like `## Reframed problem: ...`)"
    pairs = semantic.near_duplicate_pairs({heading: body for heading, body in titled.values()})
    assert not pairs, (
        "these narratives tell the same story in other words (their meaning, read by a sentence "
        "model, is as close as a story and its paraphrase; different stories on one project "
        f"score below {semantic.NEAR_DUPLICATE_THRESHOLD:.2f}); each kind needs its own story:\n"
        + semantic.similar_pairs_lines(pairs)
    )
