"""Bug: per-class variances use ddof=1 instead of the biased estimate.

The reference ``solutions.week6.naive_bayes`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.naive_bayes as _reference

_PATCHES = [
    (
        "X[index == c].var(axis=0)",
        "X[index == c].var(axis=0, ddof=1)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
