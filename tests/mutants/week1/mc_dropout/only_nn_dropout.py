"""Bug: Only nn.Dropout modules are switched on; stochastic depth (DropPath) is missed.

The reference ``rxvision.models.uncertainty`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.models.uncertainty as _reference

_PATCHES = [
    (
        '    return isinstance(module, DROPOUT_TYPES) or type(module).__name__ == "DropPath"',
        "    return isinstance(module, DROPOUT_TYPES)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
