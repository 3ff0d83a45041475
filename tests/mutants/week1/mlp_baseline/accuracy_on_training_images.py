"""Bug: train_baseline reports the accuracy on the training images.

The reference ``solutions.week1.mlp_baseline`` with text replaced (old -> new), run here.
"""

import inspect

import solutions.week1.mlp_baseline as _reference

_PATCHES = [
    (
        "predictions = model(extract_features(torch.from_numpy(test_images))).argmax(1)",
        "predictions = model(x).argmax(1)\n        test_labels = labels",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
