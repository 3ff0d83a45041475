"""Bug: the masked standard deviation divides by (count - 1) instead of the count.

The reference ``solutions.week1.mlp_baseline`` with text replaced (old -> new), run here.
"""

import inspect

import solutions.week1.mlp_baseline as _reference

_PATCHES = [
    (
        "var = ((flat - mean[:, None]) ** 2 * weights[..., None]).sum(1) / count",
        "var = ((flat - mean[:, None]) ** 2 * weights[..., None]).sum(1) / (count - 1)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
