"""The learner's local grading state: hints revealed, and the latest report of each target.

Everything lives in ``.rxgrade/`` at the learner's checkout (``RXGRADE_HOME`` overrides it), is
ignored by git, and is never written anywhere inside ``weeks/``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from grader.manifest import Deliverable

__all__ = ["State", "state_dir"]

ENV_HOME = "RXGRADE_HOME"


def state_dir(root: Path) -> Path:
    return Path(os.environ.get(ENV_HOME) or root / ".rxgrade")


class State:
    """Hints revealed per deliverable, persisted as JSON."""

    def __init__(self, root: Path) -> None:
        self.dir = state_dir(root)
        self.path = self.dir / "state.json"

    def _read(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def hints_used(self, deliverable_id: str) -> int:
        return int(self._read().get("hints", {}).get(deliverable_id, 0))

    def reveal_hint(self, deliverable: Deliverable) -> tuple[int, str]:
        """Reveal the next staged hint (1-based number, text); the last one repeats once reached."""
        data = self._read()
        used = min(int(data.get("hints", {}).get(deliverable.id, 0)) + 1, len(deliverable.hints))
        data.setdefault("hints", {})[deliverable.id] = used
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        return used, deliverable.hints[used - 1]

    def current_hint(self, deliverable: Deliverable) -> tuple[int, str]:
        """The latest revealed hint, or the first (gentle) one if none was asked for yet."""
        shown = max(1, self.hints_used(deliverable.id))
        return shown, deliverable.hints[shown - 1]

    def last_report(self, target: str = "learner") -> Path:
        return self.dir / f"last-{target}.json"
