"""STAR story bank: eight or more stories, four parts each, quantified, first person, tagged.

The judge is :mod:`grader.star` (regular expressions and word counts, documented there). A story
is a ``## Story N: title`` section with ``### Tags``, ``### Situation``, ``### Task``,
``### Action``, ``### Result`` and ``### Reflection`` (see the template).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import star

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


def test_bank_has_at_least_eight_stories(stories: list[star.Story]) -> None:
    titles = [s.title for s in stories]
    assert len(stories) >= MIN_STORIES, (
        f"expected at least {MIN_STORIES} stories, each under a `## Story N: title` heading; "
        f"found {len(stories)}: {titles}"
    )


def test_every_story_has_situation_task_action_and_result(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "parts")
    assert not bad, "every story needs all four STAR parts, written out:\n" + "\n".join(bad)


def test_every_story_is_200_to_400_words(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "length")
    assert not bad, "a story you can tell in about two minutes is 200-400 words:\n" + "\n".join(bad)


def test_every_result_is_quantified(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "quantified")
    assert not bad, "every Result needs a number with its unit:\n" + "\n".join(bad)


def test_actions_say_i_more_than_we(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "first_person")
    assert not bad, "interviewers assess what YOU did:\n" + "\n".join(bad)


def test_action_is_the_longest_part(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "action_longest")
    assert not bad, "keep Situation and Task short and spend the words on Action:\n" + "\n".join(
        bad
    )


def test_every_story_ends_with_a_one_line_reflection(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "reflection")
    assert not bad, "add a `### Reflection` line to every story:\n" + "\n".join(bad)


def test_every_story_is_tagged_with_a_competency(stories: list[star.Story]) -> None:
    assert stories, "no `## Story ...` section found"
    bad = _failing(stories, "tags")
    assert not bad, "tag every story under `### Tags`:\n" + "\n".join(bad)


def test_the_bank_covers_every_competency(stories: list[star.Story]) -> None:
    missing = star.missing_competencies(stories)
    assert not missing, (
        f"no story is tagged with: {', '.join(missing)}; interviewers ask about each of "
        f"{', '.join(star.COMPETENCIES)}: write (or re-tag) a story for every one"
    )
