"""Patch mutants: a plausible wrong answer written as edits of the reference solution.

A mutant under ``tests/mutants/<week>/<name>/`` is either a whole file (a ``.py`` module or a
``.md`` document) or a ``.toml`` patch of the deliverable's solution::

    why = "the attention softmax is taken over the queries (dim=-2), not the keys"

    [[replace]]
    old = "....softmax(dim=-1)"
    new = "....softmax(dim=-2)"

Each ``old`` must occur exactly once in the solution, so a patch that no longer applies is
reported by ``rxgrade verify`` as stale instead of silently testing the solution itself. A patch
keeps the mutant to the lines that make it wrong: a notebook mutant as a whole copy repeated
the solution's 200 lines.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PATCH_SUFFIX", "Patch", "PatchError", "apply", "load", "materialize"]

PATCH_SUFFIX = ".toml"


class PatchError(ValueError):
    """A patch mutant that is malformed or no longer applies to its solution."""


@dataclass(frozen=True)
class Patch:
    """A parsed patch mutant: why it is wrong, and its ``(old, new)`` replacements in order."""

    path: Path
    why: str
    replacements: tuple[tuple[str, str], ...]


def load(path: Path) -> Patch:
    """Parse a ``.toml`` patch mutant.

    Raises:
        PatchError: not valid TOML, no ``why``, or no ``[[replace]]`` with ``old`` and ``new``.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise PatchError(f"{path}: not valid TOML: {err}") from err
    why, replace = data.get("why"), data.get("replace")
    if not isinstance(why, str) or not why.strip():
        raise PatchError(f"{path}: say in `why` what makes this answer wrong")
    if not isinstance(replace, list) or not replace:
        raise PatchError(f"{path}: give at least one [[replace]] table with `old` and `new`")
    pairs = []
    for i, item in enumerate(replace):
        if not (isinstance(item.get("old"), str) and isinstance(item.get("new"), str)):
            raise PatchError(f"{path}: [[replace]] number {i + 1} needs string `old` and `new`")
        if item["old"] == item["new"]:
            raise PatchError(f"{path}: [[replace]] number {i + 1} changes nothing")
        pairs.append((item["old"], item["new"]))
    return Patch(path, why.strip(), tuple(pairs))


def apply(patch: Patch, text: str) -> str:
    """``text`` with every replacement made, in order.

    Raises:
        PatchError: an ``old`` that does not occur exactly once (the patch is stale).
    """
    for i, (old, new) in enumerate(patch.replacements):
        count = text.count(old)
        if count != 1:
            raise PatchError(
                f"stale mutant {patch.path}: [[replace]] number {i + 1} must match the solution "
                f"exactly once, found {count} times: {old.strip()[:80]!r}"
            )
        text = text.replace(old, new)
    return text


def materialize(mutant: Path, solution: Path, directory: Path) -> Path:
    """Write the patched ``solution`` as ``directory/<mutant stem><solution suffix>`` (once).

    The path is stable for a mutant, so results memoised per path (a notebook's execution) are
    shared by the tests of one session.
    """
    out = directory / f"{mutant.parent.name}-{mutant.stem}{solution.suffix}"
    if not out.exists():
        text = apply(load(mutant), solution.read_text(encoding="utf-8"))
        directory.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return out
