"""Bug: move_model moves the model but leaves the optimizer state where it was.

The reference ``rxvision.utils.device`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.utils.device as _reference

_PATCHES = [
    (
        "    if optimizer is not None:\n",
        "    if optimizer is not None and False:\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
