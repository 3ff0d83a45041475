"""Bug: the children's impurities are averaged instead of weighted by size.

The reference ``solutions.week6.decision_stump`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.decision_stump as _reference

_PATCHES = [
    (
        (
            "weighted = (n_left * impurity(left, n_left) + n_right * impurity(total"
            " - left, n_right)) / n"
        ),
        "weighted = (impurity(left, n_left) + impurity(total - left, n_right)) / 2",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
