"""Tests of week6.capstone_behavioral: 30 behavioural questions answered by your story bank.

Your ``answers()`` maps each question of ``grader.mock.QUESTION_BANK`` to story titles of
``star_stories.md``, ``leadership_examples.md`` and ``innovation_narratives.md``; the stories'
themes come from their tags (STAR stories) or their kind (leadership examples, innovation
narratives), as the capstone's module docstring lists.
Run: ``pytest weeks/week6/tests/test_capstone_behavioral.py``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from grader import differential as diff
from grader import star
from grader.mock import QUESTION_BANK

QUESTIONS = {q.id: q for q in QUESTION_BANK}
MAX_SOLE_ANSWERS = 5
#: file -> (kind -> (heading words, themes), the part holding the result)
SOURCES: dict[str, tuple[dict[str, tuple[tuple[str, ...], tuple[str, ...]]], tuple[str, ...]]] = {
    "leadership_examples.md": (
        {
            "design decision": (("design", "decision", "architecture"), ("ownership",)),
            "disagreement": (
                ("disagree", "conflict"),
                ("disagreement", "conflict resolution"),
            ),
            "quality bar": (("quality", "raising", "standards"), ("delivering results",)),
            "mentoring": (("mentor", "unblock", "coaching"), ("learning",)),
        },
        ("outcome", "result"),
    ),
    "innovation_narratives.md": (
        {
            "reframed problem": (("reframe", "reframing"), ("dealing with ambiguity",)),
            "measured improvement": (
                ("measured improvement", "improvement", "simplification"),
                ("delivering results",),
            ),
            "failed idea": (("failed", "failure"), ("failure", "learning")),
        },
        ("evidence", "after"),
    ),
}
FAMILY_THEME = {
    "leadership_examples.md": "technical leadership",
    "innovation_narratives.md": "innovation",
}


@dataclass(frozen=True)
class Entry:
    """One story of the bank: where it is, its title, themes and result text."""

    source: str
    heading: str
    themes: frozenset[str]
    result: str

    @property
    def title(self) -> str:
        return self.heading.split(":", 1)[-1].strip()


def _key(title: str) -> str:
    return " ".join(title.lower().replace("`", "").split())


def _catalogue(portfolio: Path) -> dict[str, Entry]:
    entries: list[Entry] = []
    bank = star.load(portfolio / "star_stories.md")
    for story in star.parse_stories(bank):
        entries.append(
            Entry(
                "star_stories.md", story.title, frozenset(story.tags), story.parts.get("result", "")
            )
        )
    for name, (kinds, result_labels) in SOURCES.items():
        document = star.load(portfolio / name)
        for heading, body in document.sections.items():
            head = heading.split(":", 1)[0].lower()
            for words, themes in kinds.values():
                if ":" in heading and any(w in head for w in words):
                    parts = star.split_parts(body, {"result": result_labels})
                    themes = frozenset({FAMILY_THEME[name], *themes})
                    entries.append(Entry(name, heading, themes, parts.get("result", "")))
                    break
    catalogue: dict[str, Entry] = {}
    for entry in entries:
        catalogue.setdefault(_key(entry.title), entry)
        catalogue.setdefault(_key(entry.heading), entry)
    return catalogue


@pytest.fixture
def mapping(impl: ModuleType) -> dict[str, list[str]]:
    got = impl.answers()
    assert isinstance(got, dict), f"answers() must return a dict, got {type(got).__name__}"
    return {str(k): [got[k]] if isinstance(got[k], str) else list(got[k]) for k in got}


@pytest.fixture
def catalogue(impl: ModuleType) -> dict[str, Entry]:
    return _catalogue(Path(impl.PORTFOLIO))


@pytest.mark.clause("covered", "titles-exist", "title")
def test_every_question_and_story_exists(
    mapping: dict[str, list[str]], catalogue: dict[str, Entry]
) -> None:
    unknown = sorted(set(mapping) - set(QUESTIONS))
    assert not unknown, (
        f"unknown question ids {unknown}; the ids are those of grader.mock.QUESTION_BANK"
    )
    missing = [
        f"- {qid}: {title!r}"
        for qid, titles in mapping.items()
        for title in titles
        if _key(title) not in catalogue
    ]
    titles = sorted({entry.title for entry in catalogue.values()})
    assert not missing, (
        "these titles name no story of your portfolio (use the heading text after the colon):\n"
        + "\n".join(missing)
        + f"\nyour stories: {'; '.join(titles)}"
    )


@pytest.mark.clause("covered", "all-questions")
def test_every_question_has_a_story(mapping: dict[str, list[str]]) -> None:
    uncovered = [
        f"- {qid} ({', '.join(q.themes)}): {q.question}"
        for qid, q in QUESTIONS.items()
        if not mapping.get(qid)
    ]
    assert not uncovered, (
        f"{len(uncovered)} of {len(QUESTIONS)} questions have no story; write one from your "
        "RxVision25 work or map an existing story with a matching theme:\n" + "\n".join(uncovered)
    )


@pytest.mark.clause("theme", "star-themes", "leadership-themes", "innovation-themes")
def test_each_story_shares_a_theme_with_its_question(
    mapping: dict[str, list[str]], catalogue: dict[str, Entry]
) -> None:
    stretches = []
    for qid, titles in mapping.items():
        question = QUESTIONS.get(qid)
        for title in titles:
            entry = catalogue.get(_key(title))
            if question is None or entry is None:
                continue
            if not entry.themes & set(question.themes):
                stretches.append(
                    f"- {qid} asks about {', '.join(question.themes)}; {entry.title!r} "
                    f"({entry.source}) shows {', '.join(sorted(entry.themes)) or 'no theme'}"
                )
    assert not stretches, (
        "stories that do not show what the question probes (retag the story honestly, or pick "
        "another):\n" + "\n".join(stretches)
    )


@pytest.mark.clause("variety")
def test_no_story_is_the_only_answer_to_too_many_questions(
    mapping: dict[str, list[str]], catalogue: dict[str, Entry]
) -> None:
    sole = Counter(
        catalogue[_key(titles[0])].title
        for titles in mapping.values()
        if len(titles) == 1 and _key(titles[0]) in catalogue
    )
    crowded = {title: count for title, count in sole.items() if count > MAX_SOLE_ANSWERS}
    assert not crowded, (
        f"stories that are the only answer to more than {MAX_SOLE_ANSWERS} questions: "
        + ", ".join(f"{t!r} ({n})" for t, n in crowded.items())
        + "; add a second story to some of those questions (write one for the weakest theme)"
    )


@pytest.mark.clause("quantified")
def test_every_story_you_use_has_a_quantified_result(
    mapping: dict[str, list[str]], catalogue: dict[str, Entry]
) -> None:
    used = {
        _key(title): catalogue[_key(title)]
        for titles in mapping.values()
        for title in titles
        if _key(title) in catalogue
    }
    assert used, "answers() names no story of your portfolio"
    vague = sorted(
        {
            f"- {entry.title!r} ({entry.source})"
            for entry in used.values()
            if not star.quantities(entry.result)
        }
    )
    assert not vague, (
        "stories whose Result/Outcome/Evidence has no number with a unit (e.g. '-40% latency', "
        "'ECE from 0.12 to 0.03', '2 days saved'):\n" + "\n".join(vague)
    )


def _same_shape(got: object, want: dict[str, list[str]]) -> str | None:
    """Many mappings are right: the same question ids as the reference, each a list of titles."""
    if not isinstance(got, dict):
        return f"answers() must return a dict, got {diff.describe(got)}"
    if set(got) != set(want):
        missing, extra = sorted(set(want) - set(got)), sorted(map(str, set(got) - set(want)))
        return (
            f"question ids differ from grader.mock.QUESTION_BANK: missing {missing}, "
            f"unknown {extra}"
        )
    bad = [
        qid
        for qid, titles in got.items()
        if not isinstance(titles, (list, tuple, str))
        or not all(isinstance(t, str) for t in ([titles] if isinstance(titles, str) else titles))
    ]
    return f"these questions do not map to a list of story titles: {bad}" if bad else None


@pytest.mark.clause("returns", "all-questions", "covered")
def test_answers_maps_every_question_of_the_bank(impl: ModuleType, reference: ModuleType) -> None:
    diff.assert_same(impl.answers, reference.answers, compare=_same_shape)


@pytest.mark.clause("title")
def test_titles_are_compared_ignoring_case(
    mapping: dict[str, list[str]], catalogue: dict[str, Entry]
) -> None:
    for titles in mapping.values():
        for title in titles:
            entry = catalogue.get(_key(title))
            if entry is None:
                continue
            for variant in (title.upper(), title.lower(), f"  {title.swapcase()} "):
                assert catalogue.get(_key(variant)) is entry, (
                    f"{variant!r} should name the same story as {title!r} (case is ignored)"
                )
            assert catalogue.get(_key(entry.title)) is entry, (
                f"the title of {entry.heading!r} is the part after the first colon, {entry.title!r}"
            )
