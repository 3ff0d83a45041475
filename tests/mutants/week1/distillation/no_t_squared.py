"""Bug: the soft term is not multiplied by T**2."""

import inspect

import rxvision.models.distill as _reference

_PATCHES = [
    (
        "return alpha * temperature**2 * soft + (1 - alpha) * hard",
        "return alpha * soft + (1 - alpha) * hard",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
