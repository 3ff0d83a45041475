"""Headless Debian Chromium for the browser tests, driven by Playwright.

``playwright install`` cannot download browsers here; the tests drive Debian's own Chromium
(``apt-get install chromium``). Without it they skip with the command to run, unless ``CI`` is
set: in CI a missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
INSTALL = (
    "install Debian's Chromium with `sudo apt-get update && sudo apt-get install -y "
    "--no-install-recommends chromium` (it must be at /usr/bin/chromium) and Playwright with "
    "`.venv/bin/uv pip install -e '.[dev]'`; `playwright install` is not needed"
)


def missing(what: str) -> None:
    """Skip (fail under CI) with a message that says exactly what to install."""
    message = f"the browser test needs {what}: {INSTALL}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this is a failure, not a skip)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        missing(f"{CHROMIUM}, which is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the Python package playwright, which is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
