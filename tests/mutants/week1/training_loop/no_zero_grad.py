"""Bug: gradients are never cleared, so every step uses the sum of all earlier batches' gradients.

The reference ``rxvision.training.loop`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.training.loop as _reference

_PATCHES = [
    (
        "        optimizer.zero_grad(set_to_none=True)\n",
        "",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
