"""Bug: count_params ignores trainable_only and always counts frozen parameters too.

The reference ``rxvision.models.profiling`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.profiling as _reference

_PATCHES = [
    (
        "if p.requires_grad or not trainable_only)",
        ")",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
