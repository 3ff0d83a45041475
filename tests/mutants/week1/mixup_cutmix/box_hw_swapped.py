"""Bug: the CutMix box sizes its rows from the width and its columns from the height."""

import inspect

import rxvision.training.mixup as _reference

_PATCHES = [
    (
        "cut_h, cut_w = int(height * ratio), int(width * ratio)",
        "cut_h, cut_w = int(width * ratio), int(height * ratio)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
