"""Bug: stride=None means stride 1 instead of stride = kernel_size.

The reference ``solutions.week6.max_pool`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.max_pool as _reference

_PATCHES = [
    (
        "_pair(kernel_size if stride is None else stride",
        "_pair(1 if stride is None else stride",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
