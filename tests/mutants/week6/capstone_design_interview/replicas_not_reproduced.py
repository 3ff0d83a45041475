"""Bug: the image design states 9 replicas (close enough for the 2x judge), not the 13 that
servers_needed gives."""

import atexit
import shutil
import tempfile
from pathlib import Path

from solutions.week6.capstone_design_interview import *  # noqa: F403
from solutions.week6.capstone_design_interview import PORTFOLIO as _SOLUTION

PORTFOLIO = Path(tempfile.mkdtemp(prefix="rx-mutant-"))
atexit.register(shutil.rmtree, PORTFOLIO, True)
shutil.copytree(_SOLUTION, PORTFOLIO, dirs_exist_ok=True)
_doc = PORTFOLIO / "design_image_classification.md"
_doc.write_text(_doc.read_text().replace("| replicas | 13 |", "| replicas | 9 |"))
