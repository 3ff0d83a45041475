"""Bug: the length normalisation counts the start token too.

The reference ``solutions.week6.beam_search`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.beam_search as _reference

_PATCHES = [
    (
        "_score(score, len(seq) - 1, length_penalty)",
        "_score(score, len(seq), length_penalty)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
