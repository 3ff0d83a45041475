"""Bug: train_size read as the total number of training images instead of images per class."""

import inspect

import rxvision.training.compare as _reference

_PATCHES = [
    (
        'load("studio", "train", train_size, image_size)',
        'load("studio", "train", max(1, train_size // 26), image_size)',
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
