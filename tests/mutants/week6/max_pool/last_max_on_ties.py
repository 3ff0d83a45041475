"""Bug: on ties the last maximum of the window wins instead of the first.

The reference ``solutions.week6.max_pool`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.max_pool as _reference

_PATCHES = [
    (
        "local = windows.argmax(axis=-1)",
        "local = kh * kw - 1 - windows[..., ::-1].argmax(axis=-1)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
