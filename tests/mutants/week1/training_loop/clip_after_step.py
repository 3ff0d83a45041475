"""Bug: gradients are clipped after optimizer.step(), so the step itself is unclipped.

The reference ``rxvision.training.loop`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.training.loop as _reference

_PATCHES = [
    (
        (
            "        if max_grad_norm is not None:\n"
            "            nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)\n"
            "        optimizer.step()"
        ),
        (
            "        optimizer.step()\n"
            "        if max_grad_norm is not None:\n"
            "            nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
