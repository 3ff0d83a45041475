"""Bug: members are not switched to eval mode (dropout, batch statistics stay on).

The reference ``rxvision.models.ensemble`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.ensemble as _reference

_PATCHES = [
    (
        "        self.eval()\n",
        "",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
