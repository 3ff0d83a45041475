"""Bug: Statistics are neither reset nor cumulative: the default momentum keeps a studio memory.

The reference ``rxvision.evaluation.domain`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.evaluation.domain as _reference

_PATCHES = [
    (
        "            bn.reset_running_stats()\n            bn.momentum = None\n",
        "",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
