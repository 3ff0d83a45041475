"""Bug: ECE is the plain mean of the gaps of the non-empty bins, not weighted by bin size.

The reference ``rxvision.evaluation.calibration`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.evaluation.calibration as _reference

_PATCHES = [
    (
        "    weights = bins.counts.double() / bins.counts.sum()\n",
        "    weights = (bins.counts > 0).double() / (bins.counts > 0).sum()\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
