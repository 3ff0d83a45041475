"""The cohort page (grader/cohort.py) in a real browser: headless Debian Chromium via Playwright.

A mentor opens ``cohort.html`` from disk: the matrix has one row per learner with a coloured
cell per exercise, the forger's integrity flag is visible, the page logs no error and asks the
network for nothing. A screenshot is kept in ``tmp_path`` and, when ``RXGRADE_ARTIFACTS`` is
set, in that folder too (as ``cohort.png``).

As in ``tests/test_docs_browser.py``: without Debian's Chromium at /usr/bin/chromium or the
Python package playwright the test skips with what to install, and under ``CI`` it fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from grader import cohort

from .. import browser
from .test_cohort import FORGER, IDS, grade_cohort

chromium = browser.chromium  # the fixture

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

#: The state of each exercise in the cohort graded by ``grade_cohort`` (ana's later run).
STATES = {
    "ana": ["passing", "passing", "not started"],
    FORGER: ["passing", "passing", "not started"],
}


@pytest.fixture(scope="module")
def cohort_page(chromium: Browser, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``cohort.html`` of a graded cohort (two shards, three runs)."""
    base = tmp_path_factory.mktemp("cohort-browser")
    graded = grade_cohort(base)
    return cohort.write_cohort([graded.a, graded.b], base / "out")["html"]


@pytest.fixture
def page(chromium: Browser) -> Iterator[tuple[Page, list[str], list[str]]]:
    """A tab, the errors it logs and the non-file URLs it requests."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    errors: list[str] = []
    fetched: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("request", lambda r: None if r.url.startswith("file:") else fetched.append(r.url))
    yield tab, errors, fetched
    context.close()


def test_the_cohort_page_shows_the_matrix_and_flags_the_forger(
    page: tuple[Page, list[str], list[str]], cohort_page: Path, tmp_path: Path
) -> None:
    tab, errors, fetched = page
    tab.goto(cohort_page.as_uri())
    tab.wait_for_load_state()
    rows = tab.locator("#matrix tbody tr.learner")
    assert rows.count() == len(STATES), f"one matrix row per learner, found {rows.count()}"
    names = [rows.nth(i).get_attribute("data-learner") for i in range(rows.count())]
    assert names == list(STATES), f"the rows should be the learners in order, found {names}"
    headings = tab.locator("#matrix thead tr").nth(1).locator("th").all_inner_texts()
    assert headings == IDS, f"the matrix should head its columns with the exercises: {headings}"
    colours = {}
    for row, name in zip(rows.all(), names, strict=True):
        cells = row.locator("td.cell")
        found = [cells.nth(i).get_attribute("data-state") for i in range(cells.count())]
        assert found == STATES[name], f"{name}'s cells show {found}, expected {STATES[name]}"
        for i, state in enumerate(found):
            assert cells.nth(i).is_visible(), f"{name}'s cell for {IDS[i]} is not visible"
            colour = cells.nth(i).evaluate("el => getComputedStyle(el).backgroundColor")
            colours.setdefault(state, set()).add(colour)
    assert all(len(c) == 1 for c in colours.values()), f"one colour per state: {colours}"
    assert colours["passing"] != colours["not started"], "passing and not started look the same"

    forger = tab.locator(f'#matrix tr[data-learner="{FORGER}"] .flag')
    assert forger.is_visible(), f"the integrity flag of {FORGER} is not visible in the matrix"
    summary = tab.locator(f'#summary tr[data-learner="{FORGER}"] .flag')
    assert summary.is_visible() and "official files changed" in summary.inner_text()
    assert tab.locator('#matrix tr[data-learner="ana"] .flag').count() == 0, "ana has no flag"
    assert tab.locator("#over-time polyline").count() == len(STATES), "one line per learner"

    shot = tmp_path / "cohort.png"
    tab.screenshot(path=str(shot), full_page=True)
    if os.environ.get("RXGRADE_ARTIFACTS"):
        keep = Path(os.environ["RXGRADE_ARTIFACTS"])
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy2(shot, keep / "cohort.png")
        assert (keep / "cohort.png").stat().st_size == shot.stat().st_size
    assert shot.stat().st_size > 5_000, f"the screenshot is {shot.stat().st_size} bytes: empty?"
    assert not errors, f"the page logged errors: {errors}"
    assert not fetched, f"the page should fetch nothing, it asked for {fetched}"
