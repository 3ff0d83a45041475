"""Bug: IoU uses the old inclusive-pixel convention (+1 on widths and heights)."""

import inspect

import solutions.week6.iou_nms as _reference

_PATCHES = [
    (
        "    wh = np.clip(bottom_right - top_left, 0.0, None)",
        "    wh = np.clip(bottom_right - top_left + 1, 0.0, None)",
    ),
    (
        "    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])",
        "    return (b[:, 2] - b[:, 0] + 1) * (b[:, 3] - b[:, 1] + 1)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
