"""Bug: the reader stops before a last, smaller batch.

The reference ``rxvision.export.quantize`` with text replaced
(old -> new), run in this module.
"""

import inspect

import rxvision.export.quantize as _reference

_PATCHES = [
    (
        "        if self._next >= len(self.images):",
        "        if self._next + self.batch_size > len(self.images):",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
