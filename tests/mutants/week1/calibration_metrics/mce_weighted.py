"""Bug: MCE takes the largest count-weighted gap instead of the largest gap.

The reference ``rxvision.evaluation.calibration`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.evaluation.calibration as _reference

_PATCHES = [
    (
        "    gaps = (bins.accuracy - bins.confidence).abs()[bins.counts > 0]",
        "    gaps = (bins.counts / bins.counts.sum()) * (bins.accuracy - bins.confidence).abs()",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
