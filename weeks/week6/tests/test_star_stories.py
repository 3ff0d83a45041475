"""STAR story bank: eight or more different stories, parts in order, quantified, first person.

The judge is :mod:`grader.star` (regular expressions and word counts, documented there). A story
is a ``## Story N: title`` section with ``### Tags``, ``### Situation``, ``### Task``,
``### Action``, ``### Result`` and ``### Reflection`` (see the template).

Two stories are one story told twice when they share most of their 5-word phrases (a copy; cheap,
checked first) or when a sentence model reads them as the same story in other words
(:func:`grader.semantic.near_duplicate_pairs`, all-MiniLM-L6-v2; the last test, so the model is
loaded only when every other check passes).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from grader import star
from grader.writing import WritingTests

MIN_STORIES = 8


@pytest.fixture
def stories(target_path: Path) -> list[star.Story]:
    return star.parse_stories(star.load(target_path))


def _failing(stories: list[star.Story], check: str) -> list[str]:
    return [
        f"{story.title}: {problems[check]}"
        for story in stories
        if check in (problems := star.story_problems(story))
    ]


@pytest.mark.clause("count")
def test_bank_has_at_least_eight_stories(stories: list[star.Story]) -> None:
    titles = [s.title for s in stories]
    assert len(stories) >= MIN_STORIES, (
        f"expected at least {MIN_STORIES} stories, each under a `## Story N: title` heading; "
        f"found {len(stories)}: {titles}"
    )


@pytest.mark.clause("parts")
def test_every_story_has_situation_task_action_and_result(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "parts")
    assert not bad, "every story needs all four STAR parts, written out:\n" + "\n".join(bad)


@pytest.mark.clause("length")
def test_every_story_is_200_to_400_words(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "length")
    assert not bad, "a story you can tell in about two minutes is 200-400 words:\n" + "\n".join(bad)


@pytest.mark.clause("quantified")
def test_every_result_is_quantified(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "quantified")
    assert not bad, "every Result needs a number with its unit:\n" + "\n".join(bad)


@pytest.mark.clause("first-person")
def test_actions_say_i_more_than_we(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "first_person")
    assert not bad, "interviewers assess what YOU did:\n" + "\n".join(bad)


@pytest.mark.clause("action-longest")
def test_action_is_the_longest_part(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "action_longest")
    assert not bad, "keep Situation and Task short and spend the words on Action:\n" + "\n".join(
        bad
    )


@pytest.mark.clause("reflection")
def test_every_story_ends_with_a_one_line_reflection(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "reflection")
    assert not bad, (
        "end every story with a `### Reflection`: one line, one paragraph:\n" + "\n".join(bad)
    )


@pytest.mark.clause("tags")
def test_every_story_is_tagged_with_two_or_three_competencies(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "tags")
    assert not bad, "tag every story under `### Tags`:\n" + "\n".join(bad)


@pytest.mark.clause("title")
def test_every_story_heading_gives_a_title(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    untitled = [s.title for s in stories if not s.name]
    assert not untitled, (
        "rename each heading to `## Story N: <a short title>` (the title after the colon is how "
        f"the behavioural capstone names the story); no title in: {untitled}"
    )
    names = [s.name.lower() for s in stories]
    repeated = sorted({s.name for s in stories if names.count(s.name.lower()) > 1})
    assert not repeated, f"two stories share a title, give each its own: {repeated}"


@pytest.mark.clause("order")
def test_parts_come_in_star_order(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "order")
    assert not bad, (
        "tell each story in order, Situation > Task > Action > Result > Reflection:\n"
        + "\n".join(bad)
    )


@pytest.mark.clause("setup-brief")
def test_situation_and_task_take_two_or_three_sentences(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "setup")
    assert not bad, "set the scene quickly:\n" + "\n".join(bad)


@pytest.mark.clause("plausible")
def test_result_figures_are_possible(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "plausible")
    assert not bad, (
        "an interviewer stops believing a story at its first impossible number:\n" + "\n".join(bad)
    )


@pytest.mark.clause("distinct")
def test_stories_are_different_stories(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    pairs = star.near_duplicates({s.title: s.text for s in stories})
    assert not pairs, (
        "these stories are (nearly) the same text under two titles; each of the eight must be a "
        "different story:\n" + star.shared_phrases_lines(pairs)
    )


@pytest.mark.clause("coverage")
def test_the_bank_covers_every_competency(stories: list[star.Story]) -> None:
    missing = star.missing_competencies(stories)
    assert not missing, (
        f"no story is tagged with: {', '.join(missing)}; interviewers ask about each of "
        f"{', '.join(star.COMPETENCIES)}: write (or re-tag) a story for every one"
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler] (grader/writing.py)."""

    figures = False  # [#plausible] judges the Results


# -- read by meaning (the `semantic` fixture): last in the file, so a mutant caught above never
# loads the model


@pytest.mark.clause("distinct")
def test_stories_are_not_one_story_reworded(
    stories: list[star.Story], semantic: ModuleType
) -> None:
    assert stories, "no `## Story ...` section found"
    pairs = semantic.near_duplicate_pairs({s.title: s.text for s in stories})
    assert not pairs, (
        "these stories tell the same story in other words (their meaning, read by a sentence "
        "model, is as close as a story and its paraphrase; two different stories on one project "
        f"score below {semantic.NEAR_DUPLICATE_THRESHOLD:.2f}); replace one of each pair with a "
        "different story:\n" + semantic.similar_pairs_lines(pairs)
    )
