"""Bug: finished hypotheses are ranked by the raw log-prob sum whatever length_penalty is.

The reference ``solutions.week6.beam_search`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.beam_search as _reference

_PATCHES = [
    (
        "return log_prob / length**length_penalty",
        "return log_prob",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
