"""Bug: scope='global' prunes each layer separately.

The reference ``rxvision.export.prune`` with text replaced
(old -> new), run in this module.
"""

import inspect

import rxvision.export.prune as _reference

_PATCHES = [
    (
        '    if scope == "global":\n        prune.global_unstructured',
        "    if False:\n        prune.global_unstructured",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
