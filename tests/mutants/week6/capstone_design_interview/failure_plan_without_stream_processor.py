"""Bug: the failure plan has no row for the stream processor that the real-time design draws."""

import atexit
import shutil
import tempfile
from pathlib import Path

from solutions.week6.capstone_design_interview import *  # noqa: F403
from solutions.week6.capstone_design_interview import PORTFOLIO as _SOLUTION

PORTFOLIO = Path(tempfile.mkdtemp(prefix="rx-mutant-"))
atexit.register(shutil.rmtree, PORTFOLIO, True)
shutil.copytree(_SOLUTION, PORTFOLIO, dirs_exist_ok=True)
_doc = PORTFOLIO / "failure_plans.md"
_doc.write_text(
    "\n".join(
        line for line in _doc.read_text().splitlines() if not line.startswith("| Stream processor")
    )
)
