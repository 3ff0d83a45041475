"""Reading written deliverables: sections, not-started detection, numbers, diagrams."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.written import (
    function_word_share,
    load,
    parse,
    prose,
    prose_problem,
    prose_problems,
    sentences,
    table_with_columns,
    tables,
    words,
)

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


def test_prose_drops_comments_code_and_tables() -> None:
    text = (
        "Intro text.\n<!-- hidden -->\n```python\nx = 1\n```\n| a | b |\n|---|---|\n| 1 | 2 |\nEnd."
    )
    kept = prose(text)
    assert "hidden" not in kept and "x = 1" not in kept and "| 1 |" not in kept
    assert "Intro text." in kept and "End." in kept


def test_sentences_split_on_stops_blank_lines_and_list_items() -> None:
    text = (
        "## Heading words here\nThe model is small. It runs on a laptop!\n\n"
        "- first item has four words\n- tiny\n1. numbered item with five words"
    )
    assert sentences(text) == [
        "The model is small.",
        "It runs on a laptop!",
        "first item has four words",
        "numbered item with five words",
    ]


def test_keyword_lists_are_not_prose() -> None:
    keywords = "alpha, beta, gamma, depth, width, resolution, FLOPs, latency, memory-bound CPU"
    assert function_word_share(keywords) == 0.0
    assert function_word_share("") == 0.0
    assert prose_problem(keywords) is not None
    bullets = "- alpha depth scaling\n- beta width scaling\n- gamma resolution scaling factor"
    problem = prose_problem(bullets)
    assert problem is not None and "keywords" in problem
    text = (
        "Latency does not follow FLOPs on a CPU. Depthwise convolutions move a lot of memory for "
        "each multiply-add, so the larger model is slower than its FLOPs alone would suggest."
    )
    assert function_word_share(text) > 0.3
    assert prose_problem(text) is None
    assert prose_problem(text, min_sentences=3) is not None
    assert prose_problems({"Why": text, "Scaling": text}) is None
    named = prose_problems({"Why": text, "Scaling": keywords, "Results": bullets})
    assert named is not None and "`## Scaling`" in named and "`## Results`" in named
    assert "`## Why`" not in named


def test_a_few_sentences_around_a_keyword_list_are_not_prose() -> None:
    keywords = "\n".join(
        f"- depth d = alpha^phi, alpha = 1.2, blocks {i}, width w, beta = 1.1, channels"
        for i in range(6)
    )
    text = keywords + "\n\nThe rounding of the widths matters more than it looks in the code."
    text += " It keeps B3 wider than B0."
    problem = prose_problem(text, min_share=0.0)
    assert problem is not None and "fragments" in problem
    assert prose_problem(text, min_share=0.0, max_fragments=1.0) is None


def test_tables_need_a_delimiter_row_and_skip_comments() -> None:
    text = """Intro.

| Config | p99 (ms) |
|-|:--:|
| fp32 | 41 |
| int8 | 30 | extra |
Not a row.

<!--
| Example | only |
|---|---|
| in | a comment |
-->
| no delimiter | here |
| a | b |
"""
    assert tables(text) == [(["Config", "p99 (ms)"], [["fp32", "41"], ["int8", "30", "extra"]])]
    assert tables("") == []


def test_table_with_columns_picks_the_first_table_naming_the_most() -> None:
    text = """| a | size |
|---|---|
| 1 | 2 |

| p99 | size |
|---|---|
| 3 | 4 |

| size | p99 |
|---|---|
| 5 | 6 |
"""

    def columns(header: list[str]) -> dict[str, int]:
        return {name: header.index(name) for name in ("p99", "size") if name in header}

    assert table_with_columns(text, columns) == ({"p99": 0, "size": 1}, [["3", "4"]])
    assert table_with_columns("no table", columns) == ({}, [])
