"""Bug: the intersection width and height are not clamped at 0 before multiplying."""

import inspect

import solutions.week6.iou_nms as _reference

_PATCHES = [
    (
        "    wh = np.clip(bottom_right - top_left, 0.0, None)",
        "    wh = bottom_right - top_left",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
