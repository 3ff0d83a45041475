"""Bug: the log's last mock scores technical depth 2, below the first mock's 3."""

import atexit
import shutil
import tempfile
from pathlib import Path

from solutions.week6.capstone_confidence import *  # noqa: F403
from solutions.week6.capstone_confidence import PORTFOLIO as _SOLUTION

PORTFOLIO = Path(tempfile.mkdtemp(prefix="rx-mutant-"))
atexit.register(shutil.rmtree, PORTFOLIO, True)
shutil.copytree(_SOLUTION, PORTFOLIO, dirs_exist_ok=True)
_log = PORTFOLIO / "mock_interview_log.md"
_head, _sep, _last = _log.read_text().rpartition("## Mock 5")
_log.write_text(
    _head + _sep + _last.replace("| Technical depth | 3 |", "| Technical depth | 2 |", 1)
)
