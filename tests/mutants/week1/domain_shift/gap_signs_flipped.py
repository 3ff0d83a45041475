"""Bug: The gap is field minus studio for every metric (accuracy drop comes out negative).

The reference ``rxvision.evaluation.domain`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.evaluation.domain as _reference

_PATCHES = [
    (
        '    gap = {"acc": s["acc"] - f["acc"],',
        '    gap = {"acc": f["acc"] - s["acc"],',
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
