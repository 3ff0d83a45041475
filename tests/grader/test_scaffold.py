"""``rxgrade new`` (grader.scaffold) and what ``rxgrade verify`` makes of a scaffold, on the tiny
course of conftest.py (``week1.adder`` ready, ``week1.later`` planned)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import jupytext
import pytest
from typer.testing import CliRunner

from grader import manifest
from grader.cli import app
from grader.scaffold import PLACEHOLDER_MARK, ScaffoldError, scaffold
from grader.verify import verify

FILES = (
    "weeks/week1/later.py",
    "solutions/week1/later.py",
    "weeks/week1/tests/test_later.py",
)
LEFT_TO_WRITE = [
    "week1.later: the solution still raises NotImplementedError (scaffolded by rxgrade new: "
    "write the reference solution)",
    "week1.later: the tests are the scaffold's placeholder (rxgrade new): write the tests of "
    "week1.later in weeks/week1/tests/test_later.py",
    "week1.later: no mutants yet: add [[mutants]] tables to curriculum/week1/later.toml "
    "(docs/authors.md)",
]


def rxgrade(course_dir: Path, *args: str):
    return CliRunner().invoke(app, [*args, "--root", str(course_dir)], env={"COLUMNS": "200"})


def add_planned(course_dir: Path, deliverable_id: str) -> None:
    """An index line only, as an author adds it before `rxgrade new` (no entry file yet)."""
    with (course_dir / "curriculum.toml").open("a") as fh:
        fh.write(f'\n[[weeks.days.deliverables]]\nid = "{deliverable_id}"\nstatus = "planned"\n')


def test_scaffold_writes_the_files_of_a_planned_entry(course_dir: Path) -> None:
    written = scaffold(course_dir, "week1.later")
    assert sorted(p.relative_to(course_dir).as_posix() for p in written) == sorted(
        [*FILES, "curriculum/week1/later.toml", "curriculum.toml"]
    )
    stub = (course_dir / FILES[0]).read_text()
    assert '__all__ = ["later"]' in stub and "# TODO" in stub
    assert "raise NotImplementedError\n" in stub
    assert "Something for later." in stub  # the entry's title heads the spec
    solution = (course_dir / FILES[1]).read_text()
    assert 'raise NotImplementedError("write the reference solution")' in solution
    assert PLACEHOLDER_MARK in (course_dir / FILES[2]).read_text()
    entry = (course_dir / "curriculum/week1/later.toml").read_text()
    assert "# [[mutants]]" in entry and "# [[mutants.replace]]" in entry
    # the index gives the tiny course's fields inline: the new entry file must not repeat them
    assert "mutants" not in tomllib.loads(entry) and "title" not in tomllib.loads(entry)
    curriculum = manifest.load(course_dir)
    assert not curriculum["week1.later"].planned, "the scaffolded entry is ready"
    assert curriculum["week1.later"].title == "Something for later"


def test_a_second_run_refuses_to_overwrite(course_dir: Path) -> None:
    scaffold(course_dir, "week1.later")
    paths = [course_dir / rel for rel in (*FILES, "curriculum/week1/later.toml", "curriculum.toml")]
    before = {path: path.read_text() for path in paths}
    with pytest.raises(ScaffoldError, match="never overwrites") as err:
        scaffold(course_dir, "week1.later")
    for rel in FILES:
        assert rel in str(err.value)
    assert {path: path.read_text() for path in paths} == before


def test_one_existing_file_stops_everything(course_dir: Path) -> None:
    (course_dir / "solutions/week1/later.py").write_text("# my own start\n")
    with pytest.raises(ScaffoldError, match="solutions/week1/later.py already exist"):
        scaffold(course_dir, "week1.later")
    assert (course_dir / "solutions/week1/later.py").read_text() == "# my own start\n"
    assert not (course_dir / "weeks/week1/later.py").exists()
    assert not (course_dir / "curriculum/week1/later.toml").exists()
    assert manifest.load(course_dir)["week1.later"].planned


def test_an_unknown_id_shows_the_index_line_to_add(course_dir: Path) -> None:
    with pytest.raises(ScaffoldError) as err:
        scaffold(course_dir, "week1.brand_new")
    message = str(err.value)
    assert '{ id = "week1.brand_new", status = "planned" },' in message
    assert "week 1 (monday)" in message
    assert not (course_dir / "weeks/week1/brand_new.py").exists()
    with pytest.raises(ScaffoldError, match="has no week 7"):
        scaffold(course_dir, "week7.brand_new")
    with pytest.raises(ScaffoldError, match="an id looks like"):
        scaffold(course_dir, "brand_new")


def test_a_kind_the_entry_contradicts_is_refused(course_dir: Path) -> None:
    with pytest.raises(ScaffoldError, match="already has kind = 'code'"):
        scaffold(course_dir, "week1.later", kind="written")
    assert not (course_dir / "weeks/week1/later.py").exists()


def test_a_new_entry_file_parses_and_takes_kind_and_title(course_dir: Path) -> None:
    add_planned(course_dir, "week1.explore")
    scaffold(course_dir, "week1.explore", kind="notebook", title="Explore the sums")
    text = (course_dir / "curriculum/week1/explore.toml").read_text()
    entry = tomllib.loads(text)
    assert entry["kind"] == "notebook" and entry["title"] == "Explore the sums"
    assert entry["points"] > 0 and entry["hints"] and entry["source"] == "doc"
    # the time budget: no estimate yet (the curriculum's budget test asks for one), core tier
    assert (entry["minutes"], entry["tier"]) == (0, "core")
    assert "minutes = 0  # TODO: estimated hands-on minutes" in text
    deliverable = manifest.load(course_dir)["week1.explore"]
    assert (deliverable.minutes, deliverable.tier) == (0, "core")
    assert deliverable.module == "weeks/week1/notebooks/explore.py"
    notebook = (course_dir / deliverable.module).read_text()
    assert notebook.startswith("# ---\n# jupyter:") and "# %% [markdown]\n# # Explore" in notebook
    assert 'Path("results.json").write_text' in notebook
    assert "formats: ipynb,py:percent" in notebook, "the stub is a jupytext pair"
    paired = jupytext.read(course_dir / "weeks/week1/notebooks/explore.ipynb")
    stub_cells = jupytext.read(course_dir / deliverable.module).cells
    assert [c.source for c in paired.cells] == [c.source for c in stub_cells]
    assert "formats" not in (course_dir / deliverable.solution).read_text().split("# %%")[0]
    assert "write the reference solution" in (course_dir / deliverable.solution).read_text()
    assert "def test_placeholder(target_path)" in (course_dir / deliverable.tests).read_text()


def test_a_written_deliverable_gets_markdown(course_dir: Path) -> None:
    add_planned(course_dir, "week1.essay")
    scaffold(course_dir, "week1.essay", kind="written")
    deliverable = manifest.load(course_dir)["week1.essay"]
    assert deliverable.module == "weeks/week1/portfolio/essay.md"
    assert (course_dir / deliverable.module).read_text().startswith("# TODO")
    problems = [
        str(p) for p in verify(manifest.load(course_dir), ids=[deliverable.id], run_tests=False)
    ]
    assert (
        "week1.essay: the solution is still a template (scaffolded by rxgrade new: write the "
        "reference solution)" in problems
    ), problems


def test_verify_names_what_is_left_of_a_scaffold(course_dir: Path) -> None:
    result = rxgrade(course_dir, "new", "week1.later")
    assert result.exit_code == 0, result.output
    assert "wrote weeks/week1/later.py" in result.output
    problems = verify(manifest.load(course_dir), ids=["week1.later"])
    assert [str(p) for p in problems] == LEFT_TO_WRITE
    result = rxgrade(course_dir, "verify", "week1.later")
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    for line in LEFT_TO_WRITE:
        assert line in output, output
    assert "3 problem(s)" in output


def test_the_other_entries_are_unaffected(course_dir: Path) -> None:
    scaffold(course_dir, "week1.later")
    assert verify(manifest.load(course_dir), ids=["week1.adder"]) == []
    problems = verify(manifest.load(course_dir), run_mutants=False)
    assert [str(p) for p in problems] == LEFT_TO_WRITE
    result = rxgrade(course_dir, "check", "week1.adder", "--target", "solution")
    assert result.exit_code == 0, result.output


def test_a_solution_not_started_is_one_problem_not_one_per_test(course_dir: Path) -> None:
    solution = course_dir / "solutions/week1/adder.py"
    solution.write_text(
        solution.read_text().replace("return a + b", 'raise NotImplementedError("todo")')
    )
    found = verify(manifest.load(course_dir), ids=["week1.adder"], run_mutants=False)
    problems = [p for p in found if p.where == "week1.adder"]  # (and the mutant is now stale)
    assert len(problems) == 1, found
    assert problems[0].message.startswith(
        "the solution still raises NotImplementedError in 2 test(s)"
    )
