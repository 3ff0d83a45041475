"""Bug: top-k are the k largest but in ascending order (argsort()[:, -k:] without reversing).

The reference ``rxvision.serving.onnx_predictor`` with text replaced
(old -> new), run in this module.
"""

import inspect

import rxvision.serving.onnx_predictor as _reference

_PATCHES = [
    (
        '        order = np.argsort(-probabilities, axis=1, kind="stable")[:, : max(0, k)]',
        "        order = np.argsort(probabilities, axis=1)[:, -k:]",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
