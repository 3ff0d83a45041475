"""Bug: a title that names no story (a typo: "studio-to-feld gap")."""

from solutions.week6.capstone_behavioral import *  # noqa: F403
from solutions.week6.capstone_behavioral import answers as _answers


def answers() -> dict[str, list[str]]:
    return _answers() | {"owned_beyond_role": ["Closing the studio-to-feld gap"]}
