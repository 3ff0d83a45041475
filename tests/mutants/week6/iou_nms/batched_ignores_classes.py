"""Bug: batched_nms runs plain NMS over all classes together."""

import inspect

import solutions.week6.iou_nms as _reference

_PATCHES = [
    (
        "    offsets = class_ids.astype(np.float64) * (boxes.max() + 1.0)",
        "    offsets = class_ids.astype(np.float64) * 0.0",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
