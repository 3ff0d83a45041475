"""Bug: param_groups puts frozen parameters in the backbone group (weight decay moves them).

The reference ``rxvision.models.transfer`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.transfer as _reference

_PATCHES = [
    (
        "        if p.requires_grad:\n            (head",
        "        if True:\n            (head",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
