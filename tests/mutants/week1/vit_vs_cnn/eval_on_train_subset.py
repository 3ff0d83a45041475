"""Bug: the test accuracy is measured on the studio/field 'train' subsets (training images)."""

import inspect

import rxvision.training.compare as _reference

_PATCHES = [
    (
        'images, labels = load(split, "test", eval_per_class, image_size)',
        'images, labels = load(split, "train", eval_per_class, image_size)',
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
