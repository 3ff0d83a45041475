"""Bug: a vote tie goes to the largest label (last maximum)."""

import inspect

import solutions.week6.knn as _reference

_PATCHES = [
    (
        "            out.append(votes.argmax(axis=1))  # first maximum = smallest label",
        "            out.append(n_classes - 1 - votes[:, ::-1].argmax(axis=1))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
