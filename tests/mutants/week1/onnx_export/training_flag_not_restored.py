"""Bug: the model is left in eval mode after export.

The reference ``rxvision.export.onnx`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.export.onnx as _reference

_PATCHES = [
    (
        "        model.train(was_training)\n    return path",
        "        pass\n    return path",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
