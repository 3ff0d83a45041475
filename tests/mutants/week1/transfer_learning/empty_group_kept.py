"""Bug: param_groups keeps an empty backbone group when the whole backbone is frozen.

The reference ``rxvision.models.transfer`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.transfer as _reference

_PATCHES = [
    (
        'return [group for group in groups if group["params"]]',
        "return groups",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
