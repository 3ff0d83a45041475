"""Bug: the mapping forgets the missed-deadline question, so it has no story."""

from solutions.week6.capstone_behavioral import *  # noqa: F403
from solutions.week6.capstone_behavioral import answers as _answers


def answers() -> dict[str, list[str]]:
    return {qid: titles for qid, titles in _answers().items() if qid != "missed_deadline"}
