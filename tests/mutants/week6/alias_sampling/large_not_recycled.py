"""Bug: a large item is used for one pairing and never returns to the lists.

The reference ``solutions.week6.alias_sampling`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.alias_sampling as _reference

_PATCHES = [
    (
        "            (small if scaled[g] < 1.0 else large).append(g)\n",
        "",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
