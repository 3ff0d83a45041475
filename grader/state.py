"""The learner's local grading state: hints revealed, and the latest report of each target.

Everything lives in ``.rxgrade/`` at the learner's checkout (``RXGRADE_HOME`` overrides it), is
ignored by git, and is never written anywhere inside ``weeks/``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from grader.manifest import Deliverable

__all__ = ["State", "state_dir"]

ENV_HOME = "RXGRADE_HOME"


def state_dir(root: Path) -> Path:
    return Path(os.environ.get(ENV_HOME) or root / ".rxgrade")


class State:
    """Hints read per deliverable, persisted as JSON.

    Hints come in order, gentle first. A hint may name the clauses of the stub it is about
    (:attr:`Deliverable.hint_clauses`); while a test of those clauses is the first not passing,
    the hints shown and revealed are that group's, so the hint on screen is about the test on
    screen, and it moves on when those tests pass. Untagged hints are about the whole exercise:
    they are the group of a test no tagged hint is about.
    The first hint of a group is shown with every check; ``rxgrade hint`` reveals the next.
    """

    def __init__(self, root: Path) -> None:
        self.dir = state_dir(root)
        self.path = self.dir / "state.json"

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def revealed(self, deliverable_id: str) -> set[int]:
        """Indices of the hints revealed with ``rxgrade hint`` (0-based)."""
        data = self._read()
        # an older state counted the hints revealed in order: {"hints": {id: n}}
        shown = set(range(int(data.get("hints", {}).get(deliverable_id, 0))))
        return shown | {int(i) for i in data.get("revealed", {}).get(deliverable_id, [])}

    def hints_used(self, deliverable_id: str) -> int:
        return len(self.revealed(deliverable_id))

    @staticmethod
    def group(deliverable: Deliverable, clauses: Iterable[str] = ()) -> list[int]:
        """The hints about ``clauses`` (a failing test's), in order; when none is tagged with
        any of them, the untagged hints (about the whole exercise)."""
        wanted = set(clauses)
        about = deliverable.hint_clauses or ((),) * len(deliverable.hints)
        tagged = [i for i, tags in enumerate(about) if wanted & set(tags)]
        general = [i for i, tags in enumerate(about) if not tags]
        return tagged or general or list(range(len(deliverable.hints)))

    def current_hint(
        self, deliverable: Deliverable, clauses: Iterable[str] = ()
    ) -> tuple[int, str]:
        """The hint to show beside a test of ``clauses``: the latest read of its group (the
        group's first counts as read). Returns (1-based number, text)."""
        group = self.group(deliverable, clauses)
        read = (self.revealed(deliverable.id) | {group[0]}) & set(group)
        shown = max(read)
        return shown + 1, deliverable.hints[shown]

    def reveal_hint(self, deliverable: Deliverable, clauses: Iterable[str] = ()) -> tuple[int, str]:
        """Reveal the next hint of the group of ``clauses`` after those read (the last one
        repeats once reached). Returns (1-based number, text)."""
        group = self.group(deliverable, clauses)
        revealed = self.revealed(deliverable.id)
        read = revealed | {group[0]}
        following = [i for i in group if i not in read and i > max(read & set(group))]
        unread = following or [i for i in group if i not in read]
        chosen = unread[0] if unread else group[-1]
        data = self._read()
        data.setdefault("hints", {}).pop(deliverable.id, None)
        data.setdefault("revealed", {})[deliverable.id] = sorted(revealed | {group[0], chosen})
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        return chosen + 1, deliverable.hints[chosen]

    def last_report(self, target: str = "learner") -> Path:
        return self.dir / f"last-{target}.json"
