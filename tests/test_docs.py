"""The documentation site builds in strict mode and shows every deliverable of the manifest.

The roadmap and source pages are generated from ``curriculum.toml`` by ``docs/hooks/roadmap.py``;
these tests build the real site once (module fixture) and read the HTML, then build a copy of the
site with a small synthetic manifest and no ``repo_url`` to check how planned entries, interview
drills and time estimates render whatever the state of the real manifest, and that every file
link works on a site served from a checkout. ``tests/test_docs_browser.py`` clicks through the
real site in Chromium.
"""

from __future__ import annotations

import functools
import html
import json
import os
import posixpath
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


def source_page(site: Path, path: str) -> Path:
    """The built page that shows the repository file ``path``."""
    return site / "source" / path / "index.html"


def resolve(site: Path, page: Path, href: str) -> Path | None:
    """The file a served site returns for a relative link of ``page`` (None: leaves the site)."""
    if re.match(r"^[a-z]+:", href) or href.startswith(("/", "#")):
        return None
    target = posixpath.normpath(
        posixpath.join(posixpath.dirname(page.relative_to(site).as_posix()), href.split("#")[0])
    )
    path = site / target
    return path / "index.html" if href.split("#")[0].endswith("/") or path.is_dir() else path


def plain_text(page: Path) -> str:
    """The text of a built page, tags removed, entities decoded, whitespace collapsed."""
    raw = re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))
    return " ".join(html.unescape(raw).split())


def points_sentence(deliverables: list[manifest.Deliverable]) -> list[str]:
    """The parts of the points sentence the site must show, from ``Points.of``."""
    points = manifest.Points.of(deliverables)
    return [
        f"{points.ready:,} points are gradable today",
        f"{points.coming:,} more come with",
        f"({points.total:,} in all)",
        "rxgrade status counts the gradable ones",
    ]


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
        self.link_classes: dict[str, dict[str, set[str]]] = {}
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
                self.link_classes[element_id] = {}
                self.text[element_id] = []
        if self.current is None:
            return
        self.classes[self.current] |= classes
        if tag == "a" and values.get("href"):
            self.links[self.current].append(values["href"] or "")
            self.link_classes[self.current][values["href"] or ""] = classes

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
@pytest.mark.parametrize("folder", ["roadmap", "source"])
def test_generated_pages_are_not_checked_in(folder: str) -> None:
    assert not (ROOT / "docs" / folder).exists(), (
        f"docs/{folder}/ is generated by docs/hooks/roadmap.py at build time; delete the "
        "checked-in copy"
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
        assert {"rx-badge--coming", "rx-deliverable--coming"} <= page.classes[section], (
            f"{deliverable.id} is coming: its heading needs the coming badge and muted style"
        )
        assert "coming" in text.lower()
        files = [link for link in page.links[section] if "/source/weeks/" in link]
        files += [link for link in page.links[section] if "/blob/main/weeks/" in link]
        assert not files, (
            f"{deliverable.id} is planned: its stub does not exist, so the page must not link "
            f"it; links: {files}"
        )
        assert "rxgrade check" not in text
    else:
        assert "rx-badge--ready" in page.classes[section]
        assert "rx-deliverable--coming" not in page.classes[section]
        for path in (deliverable.module, deliverable.tests, deliverable.solution):
            assert blob(path) in page.links[section], (
                f"{deliverable.id} should also link to {blob(path)} (repo_url is set); "
                f"links: {page.links[section]}"
            )
        assert f"rxgrade check {deliverable.id}" in text
        assert f"pytest {deliverable.tests}" in text


READY = [d for d in DELIVERABLES if not d.planned]


def last_line(path: Path) -> str:
    """The last non-blank line of a file, whitespace collapsed (as a page's text shows it)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return " ".join(lines[-1].split()) if lines else ""


@pytest.mark.parametrize("deliverable", READY, ids=[d.id for d in READY])
def test_file_links_open_source_pages_of_the_site(
    site: Path, deliverable: manifest.Deliverable
) -> None:
    """Your file / Tests / Reference solution open a page of the built site showing that file,
    so they work on a site served from a checkout without a network."""
    page_path = week_page(site, deliverable.week)
    page = Sections.of(page_path)
    links = page.links[anchor(deliverable.id)]
    for path in (deliverable.module, deliverable.tests, deliverable.solution):
        expected = source_page(site, path)
        opened = [link for link in links if resolve(site, page_path, link) == expected]
        assert opened, (
            f"{deliverable.id}: no link of its section opens {expected.relative_to(site)} (the "
            f"page showing {path}); links: {links}"
        )
        assert expected.is_file(), f"the link to {path} leads to a page the build did not write"
        title = re.search(r"<h1[^>]*>(.*?)</h1>", expected.read_text(encoding="utf-8"), re.S)
        assert title, f"{expected} has no <h1> title"
        assert html.unescape(re.sub(r"<[^>]+>", "", title.group(1))).strip("¶ ") == path, (
            f"the page of {path} should be titled with its path, not {title.group(1)!r}"
        )
        text = plain_text(expected)
        assert f"In your checkout: {path}" in text, f"{expected} does not say where the file is"
        line = last_line(ROOT / path)
        assert line in text, f"{expected} does not show the file: its last line {line!r} is missing"


def test_stub_api_is_in_the_search_index(site: Path) -> None:
    """Searching a function of a stub finds the stub's page; solutions and tests stay out."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = {entry["location"]: entry for entry in index["docs"]}
    stub = CURRICULUM["week1.efficientnet"].module
    location = f"source/{stub}/#round_filters"
    assert location in entries, f"the search index has no entry for round_filters at {location}"
    assert "round_filters" in entries[location]["title"]
    assert "round_filters" in entries[location]["text"], "the entry should show the signature"
    separator = re.compile(index["config"]["separator"])
    assert "round_filters" in separator.split("def round_filters(channels: int)"), (
        "the search separator must keep snake_case names whole and split on code punctuation"
    )
    for d in READY:
        assert any(loc.startswith(f"source/{d.module}/") for loc in entries), (
            f"the stub page of {d.id} ({d.module}) is not in the search index"
        )
        spoilers = [loc for loc in entries if loc.startswith((f"source/{d.solution}/",))]
        spoilers += [loc for loc in entries if loc.startswith(f"source/{d.tests}/")]
        assert not spoilers, f"solutions and tests must stay out of the search index: {spoilers}"


def test_glance_table_greys_coming_entries(site: Path) -> None:
    for week in CURRICULUM.weeks:
        page = week_page(site, week.number).read_text(encoding="utf-8")
        table = page[page.index('id="at-a-glance"') : page.index("</table>")]
        for d in week.deliverables:
            match = re.search(rf'<a ([^>]*)href="#{re.escape(anchor(d.id))}"', table)
            assert match, f"the week {week.number} overview table lacks a link to {d.id}"
            muted = "rx-link--coming" in match.group(1)
            assert muted == d.planned, (
                f"{d.id} is {'coming' if d.planned else 'ready'}: in the overview table its link "
                f"should {'' if d.planned else 'not '}carry the rx-link--coming style"
            )


def test_points_sentence_matches_points_of(site: Path) -> None:
    """Every points figure of the site comes from ``Points.of``, as ``rxgrade status``'s do."""
    expected = points_sentence(DELIVERABLES)
    for page in ("roadmap/index.html", "index.html", "grading/index.html"):
        text = plain_text(site / page)
        for part in expected:
            assert part in text, f"{page} should say {part!r} (from Points.of)"
    points = manifest.Points.of(DELIVERABLES)
    assert f"{points.total:,} points" not in plain_text(site / "roadmap" / "index.html").replace(
        f"({points.total:,} in all)", ""
    ), "the overview must not present ready + coming points as the course's worth"
    for week in CURRICULUM.weeks:
        text = plain_text(week_page(site, week.number))
        week_points = manifest.Points.of(week.deliverables)
        assert f"{week_points.ready:,} points gradable today" in text, f"week {week.number}"


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
    page = site / "reference" / "index.html"
    text = page.read_text(encoding="utf-8")
    assert "rxvision-modules" not in text, "the hook did not fill the modules marker"
    hrefs = re.findall(r'href="([^"]+)"', text)
    for path in sorted((ROOT / "rxvision").rglob("*.py")):
        if path.name != "__init__.py":
            dotted = path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
            assert dotted in text, f"the reference page does not list {dotted}"
            rel = path.relative_to(ROOT).as_posix()
            assert any(resolve(site, page, href) == source_page(site, rel) for href in hrefs), (
                f"the reference page does not link {dotted} to its source page"
            )


# -- a synthetic manifest: planned entries, drills, services, estimates, no repo_url ------------
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
minutes = 45
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
minutes = 30
tier = "stretch"
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

SYNTHETIC_FILES = {
    "sources/example.md": "# Example roadmap\n\n- [ ] Redis *cache* [layer]\n",
    "weeks/week1/cache.py": '''"""Cache predictions in Redis."""

__all__ = ["cached_predict"]


def cached_predict(key: str) -> str:
    """Return the cached prediction for ``key``."""
    raise NotImplementedError
''',
    "weeks/week1/tests/test_cache.py": "def test_cache():\n    assert True\n",
    "solutions/week1/cache.py": "def cached_predict(key):\n    return key\n",
    "weeks/week1/lru_drill.py": 'class LRU:\n    """An LRU cache."""\n',
    "weeks/week1/tests/test_lru_drill.py": "def test_lru():\n    assert True\n",
    "solutions/week1/lru_drill.py": "class LRU:\n    pass\n",
}


@pytest.fixture(scope="module")
def synthetic_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the docs with the synthetic manifest, its files, and no ``repo_url``."""
    root = tmp_path_factory.mktemp("docs-project")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config, removed = re.subn(r"(?m)^(repo_url|repo_name|edit_uri):.*\n", "", config)
    assert removed == 3, "mkdocs.yml should set repo_url, repo_name and edit_uri"
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    shutil.copytree(ROOT / "docs", root / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "grader", root / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "curriculum.toml").write_text(textwrap.dedent(SYNTHETIC), encoding="utf-8")
    (root / "curriculum").mkdir()  # entry files: none, every entry is inline
    for path, text in SYNTHETIC_FILES.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    build(root, root / "site")
    return root / "site"


def test_synthetic_planned_entries_render_as_coming(synthetic_site: Path) -> None:
    page = Sections.of(week_page(synthetic_site, 1))
    for planned in ("week1-vit", "week1-can_serve"):
        assert {"rx-badge--coming", "rx-deliverable--coming"} <= page.classes[planned]
        assert "rx-coming" in page.classes[planned], "the meta line of a coming entry is muted"
        assert "rx-badge--ready" not in page.classes[planned]
        assert not any("source/weeks/" in link for link in page.links[planned])
        assert "rxgrade check" not in page.section_text(planned)
    assert "rx-badge--ready" in page.classes["week1-cache"]
    assert "rx-deliverable--coming" not in page.classes["week1-cache"]


def test_synthetic_drill_shows_difficulty_and_time_box(synthetic_site: Path) -> None:
    text = Sections.of(week_page(synthetic_site, 1)).section_text("week1-lru_drill")
    assert "difficulty: medium" in text
    assert "time box: 30 min" in text


def test_synthetic_estimates_and_day_budget(synthetic_site: Path) -> None:
    page = Sections.of(week_page(synthetic_site, 1))
    assert "≈ 45 min · core" in page.section_text("week1-cache")
    assert "≈ 30 min · stretch" in page.section_text("week1-lru_drill")
    assert "≈" not in page.section_text("week1-vit"), "0 minutes means not estimated: no figure"
    text = plain_text(week_page(synthetic_site, 1))
    assert (
        "Core exercises: ≈ 45 min of the 4 h hands-on afternoon; 1 core exercise not estimated "
        "yet; 1 stretch exercise (≈ 30 min)" in text
    )


def test_synthetic_site_without_repo_url_links_files_offline(synthetic_site: Path) -> None:
    page_path = week_page(synthetic_site, 1)
    page = Sections.of(page_path)
    assert not any("github.com" in link for links in page.links.values() for link in links)
    assert "rx-github" not in page_path.read_text(encoding="utf-8")
    for path in ("weeks/week1/cache.py", "weeks/week1/tests/test_cache.py"):
        expected = source_page(synthetic_site, path)
        assert any(
            resolve(synthetic_site, page_path, link) == expected
            for link in page.links["week1-cache"]
        ), f"week1.cache should link {path} to its page; links: {page.links['week1-cache']}"
    text = plain_text(source_page(synthetic_site, "weeks/week1/cache.py"))
    assert "In your checkout: weeks/week1/cache.py" in text
    assert "def cached_predict(key: str) -> str" in text, "the public API lists the signature"
    assert "Return the cached prediction for key." in text, "... and the docstring's first line"
    assert "raise NotImplementedError" in text, "the page shows the file"
    raw = source_page(synthetic_site, "weeks/week1/cache.py").read_text(encoding="utf-8")
    line_links = re.findall(r'href="#(__codelineno-0-\d+)"', raw)
    assert "__codelineno-0-6" in line_links, "the API entry links to its line (6) in the file"
    assert all(f'id="{target}"' in raw for target in line_links), "a line link leads nowhere"


def test_synthetic_services_and_seed_are_shown(synthetic_site: Path) -> None:
    page = Sections.of(week_page(synthetic_site, 1))
    assert "../../grading/#services" in page.links["week1-cache"]
    assert '"Redis *cache* [layer]"' in page.section_text("week1-cache"), "seed quoted verbatim"
    assert "../../source/sources/example.md/" in page.links["week1-cache"]


def test_synthetic_overview_counts_ready_and_coming(synthetic_site: Path) -> None:
    page = (synthetic_site / "roadmap" / "index.html").read_text(encoding="utf-8")
    assert "Example &amp; Friends" in page
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page)
    assert cells[1:6] == ["35", "2", "2", "20", "30"], f"week 1 row: {cells[:6]}"
    text = plain_text(synthetic_site / "roadmap" / "index.html")
    assert "20 points are gradable today; 30 more come with week 1 as they are built" in text
