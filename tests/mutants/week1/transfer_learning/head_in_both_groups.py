"""Bug: The backbone group holds every trainable parameter, the head's included.

The reference ``rxvision.models.transfer`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.transfer as _reference

_PATCHES = [
    (
        "(head if id(p) in head_ids else backbone).append(p)",
        "backbone.append(p)\n            if id(p) in head_ids:\n                head.append(p)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
