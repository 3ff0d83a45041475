"""Bug: the background colour is the top-left pixel, not the median of the border.

The reference ``solutions.week1.mlp_baseline`` with text replaced (old -> new), run here.
"""

import inspect

import solutions.week1.mlp_baseline as _reference

_PATCHES = [
    (
        "background = border.median(dim=1).values  # (N, 3)",
        "background = x[:, 0, 0]",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
