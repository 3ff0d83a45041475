"""Bug: the biggest-failure question is answered with a success story tagged ownership/results."""

from solutions.week6.capstone_behavioral import *  # noqa: F403
from solutions.week6.capstone_behavioral import FIELD_GAP
from solutions.week6.capstone_behavioral import answers as _answers


def answers() -> dict[str, list[str]]:
    return _answers() | {"biggest_failure": [FIELD_GAP]}
