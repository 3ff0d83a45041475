"""Bug: The threshold is the mean value instead of the variance-maximising Otsu threshold.

The reference ``rxvision.data.preprocess`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.data.preprocess as _reference

_PATCHES = [
    (
        "    return int(np.argmax(np.nan_to_num(between, nan=0.0, posinf=0.0)))",
        "    return int(np.asarray(values, dtype=np.float64).mean())",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
