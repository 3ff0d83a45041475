"""The documentation site in a real browser: headless Debian Chromium driven by Playwright.

The site is built once (``mkdocs build --strict``) and served from ``site/`` by a real HTTP
server on a free loopback port, as ``make docs`` serves it from a checkout: no network, no
repository URL needed. A learner opens a week page, clicks an exercise's "Your file" link and
must see the stub's code; typing a function name in the search box must find the stub's page.

``playwright install`` cannot download browsers here; the test drives Debian's own Chromium
(``apt-get install chromium``). Without it the test skips with the command to run, unless ``CI``
is set: in CI a missing browser is a failure.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from grader import manifest

from . import browser

chromium = browser.chromium  # the fixture

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[1]
EXERCISE = "week1.efficientnet"  # the exercise whose stub link the learner follows
FUNCTION = "round_filters"  # a function of its stub, looked up with the site's search


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's name)
        pass


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the site and serve it on a free loopback port; yields the base URL."""
    site = tmp_path_factory.mktemp("browser-site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, f"`mkdocs build --strict` failed:\n{result.stderr}"
    handler = functools.partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def page(chromium: Browser, tmp_path: Path) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    tab.screenshot(path=str(tmp_path / "last-page.png"))
    context.close()
    assert not errors, f"the page raised JavaScript errors: {errors}"


def stub_facts() -> tuple[manifest.Deliverable, str]:
    """The exercise and the first line of ``FUNCTION``'s docstring in its stub, read from disk."""
    deliverable = manifest.load(ROOT)[EXERCISE]
    tree = ast.parse((ROOT / deliverable.module).read_text(encoding="utf-8"))
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == FUNCTION)
    docstring = ast.get_docstring(node)
    assert docstring, f"{deliverable.module}: {FUNCTION} has no docstring"
    return deliverable, docstring.splitlines()[0]


def test_week_page_stub_link_shows_the_stub(page: Page, served_site: str, tmp_path: Path) -> None:
    deliverable, doc_line = stub_facts()
    page.goto(f"{served_site}/roadmap/week{deliverable.week}/")
    section = page.locator(f"#{deliverable.id.replace('.', '-')}")
    assert section.count() == 1, f"the week page has no section for {deliverable.id}"
    # "Your file" is the first link to the stub's path after the exercise's heading.
    link = page.locator(
        f"xpath=//h3[@id='{section.get_attribute('id')}']/following::li[starts-with("
        f"normalize-space(.), 'Your file')][1]//a[normalize-space(.)='{deliverable.module}']"
    )
    assert link.count() == 1, f"no 'Your file' link to {deliverable.module} under the heading"
    link.click()
    page.wait_for_load_state()
    url = page.url
    assert url.startswith(served_site), f"the stub link left the local site for {url}"
    assert f"/source/{deliverable.module}/" in url
    heading = page.locator("h1").first.inner_text().strip("¶ \n")
    assert heading == deliverable.module, f"the stub page is titled {heading!r}"
    code = page.locator("td.code").first
    assert code.is_visible(), "the stub's code is not visible on its page"
    text = code.inner_text()
    assert f"def {FUNCTION}(" in text, f"the page does not show the code of {FUNCTION}"
    assert doc_line in text, f"the page does not show {FUNCTION}'s docstring {doc_line!r}"
    assert "raise NotImplementedError" in text, "the page should show the stub, not a solution"
    shot = tmp_path / "stub-page.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000, "the screenshot of the stub page is empty"


def test_search_finds_a_stub_function(page: Page, served_site: str) -> None:
    deliverable, _ = stub_facts()
    page.goto(f"{served_site}/")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    query = page.locator("input.md-search__input")
    # the search index (about 600 KB) is built in a web worker first, slowly on a loaded
    # machine: "Initializing search" turns into "Type to start searching" when it is ready, and
    # a query typed before that is not searched again
    meta = page.locator(".md-search-result__meta")
    meta.filter(has_text="Type to start searching").wait_for(timeout=90_000)
    query.press_sequentially(FUNCTION)
    results = page.locator("a.md-search-result__link")
    results.first.wait_for()
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    wanted = f"source/{deliverable.module}/#{FUNCTION}"
    found = [urlsplit(href) for href in hrefs]
    assert any(
        url.path.endswith(f"/source/{deliverable.module}/") and url.fragment == FUNCTION
        for url in found
    ), f"searching {FUNCTION!r} should find {wanted}; results: {hrefs}"
    assert not any("source/solutions/" in href for href in hrefs), "search must not spoil"


def test_coming_entries_look_different(page: Page, served_site: str) -> None:
    """In the week overview a coming entry is drawn in another colour than a ready one."""
    week = next(
        w
        for w in manifest.load(ROOT).weeks
        if any(d.planned for d in w.deliverables) and any(not d.planned for d in w.deliverables)
    )
    ready = next(d for d in week.deliverables if not d.planned)
    coming = next(d for d in week.deliverables if d.planned)
    page.goto(f"{served_site}/roadmap/{week.slug}/")
    table = page.locator("table").first

    def colour(d: manifest.Deliverable) -> str:
        link = table.locator(f"a[href='#{d.id.replace('.', '-')}'] code")
        return link.evaluate("el => getComputedStyle(el).color")

    assert colour(ready) != colour(coming), (
        f"{ready.id} (ready) and {coming.id} (coming) look the same in the week overview"
    )
    heading = page.locator(f"h3#{coming.id.replace('.', '-')}")
    assert re.search(r"\bcoming\b", heading.inner_text(), re.IGNORECASE), (
        f"the heading of {coming.id} should carry a 'coming' badge"
    )
