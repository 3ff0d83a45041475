"""Bug: 2 - a is computed as a - 2 (reflected subtraction ignores the order).

The reference ``solutions.week6.tiny_autograd`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.tiny_autograd as _reference

_PATCHES = [
    (
        "return self._lift(other) - self",
        "return self - other",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
