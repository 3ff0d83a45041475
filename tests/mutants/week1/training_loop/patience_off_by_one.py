"""Bug: early stopping waits one epoch too many (counter > patience instead of >=).

The reference ``rxvision.training.loop`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.training.loop as _reference

_PATCHES = [
    (
        "since_best >= patience",
        "since_best > patience",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
