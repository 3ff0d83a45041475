"""Bug: the report's agreement compares the int8 predictions with the labels.

The reference ``rxvision.export.quantize`` with text replaced
(old -> new), run in this module.
"""

import inspect

import rxvision.export.quantize as _reference

_PATCHES = [
    (
        "        agreement=float((fp32 == int8).mean()),",
        "        agreement=float((int8 == labels).mean()),",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
