"""Bug: NMS suppresses boxes whose IoU equals the threshold (>= instead of >)."""

import inspect

import solutions.week6.iou_nms as _reference

_PATCHES = [
    (
        "        order = rest[overlap <= iou_threshold]",
        "        order = rest[overlap < iou_threshold]",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
