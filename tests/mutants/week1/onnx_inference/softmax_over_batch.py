"""Bug: softmax normalised over the batch axis instead of the class axis.

The reference ``rxvision.serving.onnx_predictor`` with text replaced
(old -> new), run in this module.
"""

import inspect

import rxvision.serving.onnx_predictor as _reference

_PATCHES = [
    (
        "        return exp / exp.sum(axis=1, keepdims=True)",
        "        return exp / exp.sum(axis=0, keepdims=True)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
