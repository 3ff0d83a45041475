"""Bug: Frozen BatchNorm layers are left in training mode, so their running statistics drift.

The reference ``rxvision.models.transfer`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.transfer as _reference

_PATCHES = [
    (
        "        if isinstance(module, nn.modules.batchnorm._BatchNorm):",
        "        if False:",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
