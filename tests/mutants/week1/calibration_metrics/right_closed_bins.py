"""Bug: Bins are (lo, hi] instead of [lo, hi): a confidence on an edge goes to the lower bin.

The reference ``rxvision.evaluation.calibration`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.evaluation.calibration as _reference

_PATCHES = [
    (
        "    index = torch.bucketize(conf, edges[1:-1], right=True)",
        "    index = torch.bucketize(conf, edges[1:-1], right=False)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
