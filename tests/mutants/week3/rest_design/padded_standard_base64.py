"""Bug: cursors use standard base64 with padding ('+', '/', '='), which breaks in URLs."""

import base64
import json

from solutions.week3 import rest_design as _solution
from solutions.week3.rest_design import *  # noqa: F403
from solutions.week3.rest_design import __all__  # noqa: F401


def encode_cursor(name: str, medication_id: str) -> str:
    return base64.b64encode(json.dumps([name, medication_id]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        name, medication_id = json.loads(base64.b64decode(cursor))
    except Exception as exc:
        raise ValueError(cursor) from exc
    return str(name), str(medication_id)


_solution.encode_cursor, _solution.decode_cursor = encode_cursor, decode_cursor
