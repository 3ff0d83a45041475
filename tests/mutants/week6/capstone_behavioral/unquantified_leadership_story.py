"""Bug: uses a leadership example whose Outcome has no number (the registry decision)."""

from solutions.week6.capstone_behavioral import *  # noqa: F403
from solutions.week6.capstone_behavioral import answers as _answers


def answers() -> dict[str, list[str]]:
    registry = "One registry for every model, before the second team arrived"
    return _answers() | {"influenced_without_authority": [registry]}
