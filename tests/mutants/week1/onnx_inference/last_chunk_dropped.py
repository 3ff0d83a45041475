"""Bug: range stops at the last full chunk: the remainder of an uneven list is dropped.

The reference ``rxvision.serving.onnx_predictor`` with text replaced
(old -> new), run in this module.
"""

import inspect

import rxvision.serving.onnx_predictor as _reference

_PATCHES = [
    (
        "        for start in range(0, len(images), self.max_batch):",
        "        for start in range(0, len(images) - self.max_batch + 1, self.max_batch):",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
