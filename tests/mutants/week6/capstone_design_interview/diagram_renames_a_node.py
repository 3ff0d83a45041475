"""Bug: design_diagrams.md calls the scoring service "Scorer", so it no longer matches the
real-time design's own diagram."""

import atexit
import shutil
import tempfile
from pathlib import Path

from solutions.week6.capstone_design_interview import *  # noqa: F403
from solutions.week6.capstone_design_interview import PORTFOLIO as _SOLUTION

PORTFOLIO = Path(tempfile.mkdtemp(prefix="rx-mutant-"))
atexit.register(shutil.rmtree, PORTFOLIO, True)
shutil.copytree(_SOLUTION, PORTFOLIO, dirs_exist_ok=True)
_doc = PORTFOLIO / "design_diagrams.md"
_doc.write_text(_doc.read_text().replace("[Scoring service]", "[Scorer]"))
