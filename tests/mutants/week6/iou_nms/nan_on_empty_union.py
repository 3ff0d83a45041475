"""Bug: IoU divides by the union without a guard, so two identical points give nan."""

import inspect

import solutions.week6.iou_nms as _reference

_PATCHES = [
    (
        "    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)",
        "    return inter / union",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
