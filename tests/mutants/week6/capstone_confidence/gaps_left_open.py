"""Bug: two gaps of mock 2 are still "open" in the tracker: no practice started."""

import atexit
import shutil
import tempfile
from pathlib import Path

from solutions.week6.capstone_confidence import *  # noqa: F403
from solutions.week6.capstone_confidence import PORTFOLIO as _SOLUTION

PORTFOLIO = Path(tempfile.mkdtemp(prefix="rx-mutant-"))
atexit.register(shutil.rmtree, PORTFOLIO, True)
shutil.copytree(_SOLUTION, PORTFOLIO, dirs_exist_ok=True)
_tracker = PORTFOLIO / "feedback_tracker.md"
_tracker.write_text(
    "\n".join(
        line.replace("| in progress |", "| open |") if line.startswith(("| G5 ", "| G6 ")) else line
        for line in _tracker.read_text().splitlines()
    )
)
