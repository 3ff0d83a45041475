"""Bug: The temperature is clamped to >= 1, assuming networks are always over-confident.

The reference ``rxvision.evaluation.calibration`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.evaluation.calibration as _reference

_PATCHES = [
    (
        "    return float(log_t.detach().exp())",
        "    return max(1.0, float(log_t.detach().exp()))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
