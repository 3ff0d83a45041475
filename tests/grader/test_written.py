"""Reading written deliverables: sections, not-started detection, numbers, diagrams."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.written import load, parse, words

TEMPLATE = """# My story

## Situation
<!-- Where and when: the team, the system, the stakes. -->

## Result
<!-- A number: what changed, by how much. -->
"""

FILLED = """# My story

## Situation
Our pill classifier misread 12% of field photos, and the pharmacy team lost 3 hours a day
checking them by hand.

### Details
Deeper headings stay inside their section.

## Result
Errors fell from 12% to 2.5% and the review queue from 1,200 to 150 photos a day.

```mermaid
flowchart LR
  A[Client] --> B[API]
```
"""


def test_template_is_not_started(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text(TEMPLATE)
    with pytest.raises(NotImplementedError, match="still the template"):
        load(path)
    assert path.read_text() == TEMPLATE


def test_headings_alone_are_not_a_start(tmp_path: Path) -> None:
    path = tmp_path / "bank.md"
    path.write_text(
        TEMPLATE + "".join(f"### Story {i} tags situation task action\n" for i in range(9))
    )
    with pytest.raises(NotImplementedError):
        load(path)


def test_missing_file_names_the_restore_command(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="git checkout --"):
        load(tmp_path / "nope.md")


def test_sections_numbers_and_mermaid(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text(FILLED)
    document = load(path)
    assert document.title == "My story"
    assert list(document.sections) == ["Situation", "Result"]
    assert "Deeper headings" in document.section("situation")
    assert document.section("outcome", "result").startswith("Errors fell")
    assert document.missing({"situation": (), "task": ("goal",), "result": ()}) == ["task"]
    assert document.numbers(document.section("result")) == [12, 2.5, 1200, 150]
    assert document.mermaid() == ["flowchart LR\n  A[Client] --> B[API]\n"]


def test_words_ignore_comments() -> None:
    assert words("one two <!-- three four --> five") == 3
    assert parse("no headings at all").sections == {}


def test_too_short_names_each_thin_or_absent_section() -> None:
    document = parse(FILLED)
    required = {
        "Situation": (("context",), 10),  # long enough
        "Result": (("outcome",), 40),  # too short
        "Lessons": (("learned",), 0),  # absent: at least one word is always needed
    }
    assert document.too_short(required) == [
        "Result (25 words, need 40)",
        "Lessons (0 words, need 1)",
    ]
    assert document.too_short({"Outcome": (("result",), 5)}) == []
