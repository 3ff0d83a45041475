"""Bug: a batch update adds the batch mean as if it were one value."""

import inspect

import solutions.week6.welford_stats as _reference

_PATCHES = [
    (
        ("        elif values.ndim == 1:\n            if values.size:"),
        (
            "        elif values.ndim == 1:\n"
            "            if values.size:\n"
            "                return self.update(float(values.mean()))\n"
            "            if values.size:"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
