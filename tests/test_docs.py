"""The documentation site builds in strict mode and shows every deliverable of the manifest.

The roadmap pages are generated from ``curriculum.toml`` by ``docs/hooks/roadmap.py``; these tests
build the real site once (module fixture) and read the HTML, then build a copy of the site with a
small synthetic manifest to check how planned entries and interview drills render whatever the
state of the real manifest.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader import manifest

ROOT = Path(__file__).resolve().parents[1]
CURRICULUM = manifest.load(ROOT)
REPO_URL = "https://github.com/rxvision25/rxvision25"
DELIVERABLES = list(CURRICULUM)


def anchor(deliverable_id: str) -> str:
    """The documented anchor rule: the id with ``.`` replaced by ``-``."""
    return deliverable_id.replace(".", "-")


def blob(path: str) -> str:
    return f"{REPO_URL}/blob/main/{path}"


def build(config_dir: Path, site_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=config_dir,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, (
        f"`mkdocs build --strict` failed (exit {result.returncode}) in {config_dir}; fix the "
        f"warnings below (broken links and anchors count):\n{result.stdout}\n{result.stderr}"
    )


class Sections(HTMLParser):
    """Split a page into deliverable sections: classes, links and text under each entry heading.

    A section starts at a heading with class ``rx-deliverable`` and ends at the next ``h2`` or
    ``h3`` heading.
    """

    def __init__(self) -> None:
        super().__init__()
        self.current: str | None = None
        self.ids: set[str] = set()
        self.links: dict[str, list[str]] = {}
        self.classes: dict[str, set[str]] = {}
        self.text: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if element_id := values.get("id"):
            self.ids.add(element_id)
        classes = set((values.get("class") or "").split())
        if tag in ("h2", "h3"):
            self.current = None
            if "rx-deliverable" in classes and element_id:
                self.current = element_id
                self.links[element_id], self.classes[element_id] = [], set()
                self.text[element_id] = []
        if self.current is None:
            return
        self.classes[self.current] |= classes
        if tag == "a" and values.get("href"):
            self.links[self.current].append(values["href"] or "")

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.text[self.current].append(data)

    @classmethod
    @functools.cache
    def of(cls, page: Path) -> Sections:
        parser = cls()
        parser.feed(page.read_text(encoding="utf-8"))
        return parser

    def section_text(self, section: str) -> str:
        return " ".join(" ".join(self.text[section]).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("site")
    build(ROOT, site_dir)
    return site_dir


def week_page(site: Path, week: int) -> Path:
    return site / "roadmap" / f"week{week}" / "index.html"


# -- the real site ----------------------------------------------------------------------------
def test_roadmap_pages_are_generated_not_checked_in() -> None:
    assert not (ROOT / "docs" / "roadmap").exists(), (
        "docs/roadmap/ is generated from curriculum.toml by docs/hooks/roadmap.py at build time; "
        "delete the checked-in copy"
    )


def test_every_page_exists(site: Path) -> None:
    pages = ["index.html", "grading/index.html", "authors/index.html", "reference/index.html"]
    pages += ["roadmap/index.html"] + [f"roadmap/{w.slug}/index.html" for w in CURRICULUM.weeks]
    missing = [page for page in pages if not (site / page).is_file()]
    assert not missing, f"the built site lacks {missing}"


def test_grading_page_explains_states_services_and_targets(site: Path) -> None:
    html = (site / "grading" / "index.html").read_text(encoding="utf-8")
    for needle in ("not started", "RXGRADE_TARGET", "RXGRADE_REDIS_URL", "rxgrade.report/1"):
        assert needle in html, f"the grading page should mention {needle!r}"
    for section in ("states", "points", "hints", "target", "timeouts", "reports", "services"):
        assert f'id="{section}"' in html, f"the grading page lost its #{section} anchor"


def test_overview_lists_every_week(site: Path) -> None:
    html = (site / "roadmap" / "index.html").read_text(encoding="utf-8")
    for week in CURRICULUM.weeks:
        assert f'href="{week.slug}/"' in html, f"the roadmap overview has no link to {week.slug}"
        assert week.title.replace("&", "&amp;") in html, f"the overview lacks {week.title!r}"


@pytest.mark.parametrize("deliverable", DELIVERABLES, ids=[d.id for d in DELIVERABLES])
def test_deliverable_is_on_its_week_page(site: Path, deliverable: manifest.Deliverable) -> None:
    page = Sections.of(week_page(site, deliverable.week))
    section = anchor(deliverable.id)
    assert section in page.ids, (
        f"{deliverable.id} has no #{section} anchor on roadmap/week{deliverable.week}/"
    )
    text = page.section_text(section)
    assert deliverable.id in text, f"the #{section} section does not show the id {deliverable.id}"
    assert f"{deliverable.points} points" in text

    if deliverable.planned:
        assert "rx-badge--coming" in page.classes[section], f"{deliverable.id} lacks the badge"
        assert "coming" in text.lower()
        assert blob(deliverable.module) not in page.links[section], (
            f"{deliverable.id} is planned: its stub does not exist, so the page must not link it"
        )
    else:
        assert "rx-badge--ready" in page.classes[section]
        for path in (deliverable.module, deliverable.tests, deliverable.solution):
            assert blob(path) in page.links[section], (
                f"{deliverable.id} should link to {blob(path)}; links: {page.links[section]}"
            )
        assert f"rxgrade check {deliverable.id}" in text
        assert f"pytest {deliverable.tests}" in text


RUBRICS = [d for d in DELIVERABLES if d.mentor_rubric and not d.planned]


@pytest.mark.parametrize("deliverable", RUBRICS, ids=[d.id for d in RUBRICS])
def test_published_mentor_rubrics_are_on_the_week_page(
    site: Path, deliverable: manifest.Deliverable
) -> None:
    text = Sections.of(week_page(site, deliverable.week)).section_text(anchor(deliverable.id))
    top = sum(c.max for c in deliverable.mentor_rubric)
    assert f"Mentor rubric: {len(deliverable.mentor_rubric)} criteria, scored 0-{top}" in text
    assert f"rxgrade rubric {deliverable.id}" in text
    for criterion in deliverable.mentor_rubric:
        for words in (criterion.name, criterion.looks_for, criterion.levels[-1][1]):
            needle = " ".join(words.split())
            assert needle in text, f"{deliverable.id}: the rubric block lacks {needle!r}"


def test_grading_page_documents_rubric_scoring(site: Path) -> None:
    html = (site / "grading" / "index.html").read_text(encoding="utf-8")
    assert 'id="mentor-rubric"' in html
    for needle in ("rxgrade report --rubric", "[[mentor_rubric]]", "each from 0 to that criterion"):
        assert needle in html, f"the mentor section should show {needle!r}"
    assert "Rubric scores** for written" not in html, "rubric scoring is built"


def test_reference_page_lists_the_modules_on_disk(site: Path) -> None:
    html = (site / "reference" / "index.html").read_text(encoding="utf-8")
    assert "rxvision-modules" not in html, "the hook did not fill the modules marker"
    for path in sorted((ROOT / "rxvision").rglob("*.py")):
        if path.name != "__init__.py":
            dotted = path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
            assert dotted in html, f"the reference page does not list {dotted}"


# -- a synthetic manifest: planned entries, drills, services ------------------------------------
SYNTHETIC = """
format = 2
title = "RxVision25"

[sources.six_week]
title = "Example roadmap"
path = "sources/example.md"

[[weeks]]
number = 1
title = "Example & Friends"
objectives = ["Learn things"]

[[weeks.days]]
name = "monday"
title = "Day one"
study = ["Read https://example.org/paper"]
hands_on = ["Build it"]

[[weeks.days.deliverables]]
id = "week1.cache"
title = "A cache in Redis"
kind = "service"
points = 15
services = ["redis"]
seed = "Redis *cache* [layer]"
source = "six_week"
summary = "Cache predictions."
hints = ["one"]

[[weeks.days.deliverables]]
id = "week1.vit"
title = "ViT from scratch"
kind = "code"
points = 20
status = "planned"
seed = "ViT implementation from scratch"
source = "six_week"
hints = ["one"]

[[weeks.days.deliverables]]
id = "week1.lru_drill"
title = "LRU cache drill"
kind = "code"
points = 5
difficulty = "medium"
timebox = 30
seed = "Coding challenge"
source = "six_week"
hints = ["one"]

[[weeks.success.criteria]]
id = "week1.can_serve"
title = "Serves predictions"
kind = "capstone"
points = 10
status = "planned"
seed = "Can serve a model"
source = "six_week"
hints = ["one"]
"""


@pytest.fixture(scope="module")
def synthetic_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docs-project")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", root / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "grader", root / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "curriculum.toml").write_text(textwrap.dedent(SYNTHETIC), encoding="utf-8")
    (root / "curriculum").mkdir()  # entry files: none, every entry is inline
    build(root, root / "site")
    return root / "site"


def test_synthetic_planned_entries_render_as_coming(synthetic_site: Path) -> None:
    page = Sections.of(week_page(synthetic_site, 1))
    for planned in ("week1-vit", "week1-can_serve"):
        assert "rx-badge--coming" in page.classes[planned]
        assert "rx-badge--ready" not in page.classes[planned]
        assert not any("/blob/main/weeks/" in link for link in page.links[planned])
        assert "rxgrade check" not in page.section_text(planned)
    assert "rx-badge--ready" in page.classes["week1-cache"]


def test_synthetic_drill_shows_difficulty_and_time_box(synthetic_site: Path) -> None:
    text = Sections.of(week_page(synthetic_site, 1)).section_text("week1-lru_drill")
    assert "difficulty: medium" in text
    assert "time box: 30 min" in text


def test_synthetic_services_and_seed_are_shown(synthetic_site: Path) -> None:
    page = Sections.of(week_page(synthetic_site, 1))
    assert "../../grading/#services" in page.links["week1-cache"]
    assert '"Redis *cache* [layer]"' in page.section_text("week1-cache"), "seed quoted verbatim"
    assert blob("sources/example.md") in page.links["week1-cache"]


def test_synthetic_overview_counts_ready_and_coming(synthetic_site: Path) -> None:
    html = (synthetic_site / "roadmap" / "index.html").read_text(encoding="utf-8")
    assert "Example &amp; Friends" in html
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html)
    assert cells[1:6] == ["35", "4", "50", "2", "2"], f"week 1 row: {cells[:6]}"
