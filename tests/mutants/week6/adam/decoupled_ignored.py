"""Bug: decoupled=True behaves like Adam (AdamW's decay goes into the gradient).

The reference ``solutions.week6.adam`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.adam as _reference

_PATCHES = [
    (
        "if self.decoupled:",
        "if False:",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
