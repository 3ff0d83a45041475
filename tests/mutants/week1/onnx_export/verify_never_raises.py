"""Bug: verify_onnx reports the differences but never compares them with atol.

The reference ``rxvision.export.onnx`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.export.onnx as _reference

_PATCHES = [
    (
        "    if bad:\n        raise",
        "    if bad and False:\n        raise",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
