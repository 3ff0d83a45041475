"""Bug: the interview strategy stops before its Negotiation section."""

import atexit
import shutil
import tempfile
from pathlib import Path

from solutions.week6.capstone_confidence import *  # noqa: F403
from solutions.week6.capstone_confidence import PORTFOLIO as _SOLUTION

PORTFOLIO = Path(tempfile.mkdtemp(prefix="rx-mutant-"))
atexit.register(shutil.rmtree, PORTFOLIO, True)
shutil.copytree(_SOLUTION, PORTFOLIO, dirs_exist_ok=True)
_strategy = PORTFOLIO / "interview_strategy.md"
_strategy.write_text(_strategy.read_text().split("## Negotiation")[0])
