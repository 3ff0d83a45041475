"""Bug: model.train() during adaptation: dropout is active while the statistics are estimated.

The reference ``rxvision.evaluation.domain`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.evaluation.domain as _reference

_PATCHES = [
    (
        "        model.eval()\n        for bn in norms:",
        "        model.train()\n        for bn in norms:",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
