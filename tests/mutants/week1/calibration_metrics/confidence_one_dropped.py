"""Bug: Bins use edges[1:] so a confidence of exactly 1.0 falls off the end and is dropped.

The reference ``rxvision.evaluation.calibration`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.evaluation.calibration as _reference

_PATCHES = [
    (
        "    index = torch.bucketize(conf, edges[1:-1], right=True)",
        "    index = torch.bucketize(conf, edges[1:], right=True)\n"
        "    keep = index < n_bins\n"
        "    index, conf, correct = index[keep], conf[keep], correct[keep]",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
