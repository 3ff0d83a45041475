"""Bug: the field-gap story is the only answer to every ownership and results question (7)."""

from solutions.week6.capstone_behavioral import *  # noqa: F403
from solutions.week6.capstone_behavioral import FIELD_GAP
from solutions.week6.capstone_behavioral import answers as _answers

_OWNERSHIP_OR_RESULTS = (
    "owned_beyond_role",
    "long_term_tradeoff",
    "missed_deadline",
    "delivered_under_pressure",
    "raised_the_bar",
    "mistake_in_production",
    "improved_process",
)


def answers() -> dict[str, list[str]]:
    return _answers() | {qid: [FIELD_GAP] for qid in _OWNERSHIP_OR_RESULTS}
