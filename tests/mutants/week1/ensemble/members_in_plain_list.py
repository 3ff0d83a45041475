"""Bug: members kept in a plain Python list: not registered, never switched to eval mode.

The reference ``rxvision.models.ensemble`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.ensemble as _reference

_PATCHES = [
    (
        "self.members = nn.ModuleList(members)",
        "self.members = list(members)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
