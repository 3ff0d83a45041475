"""Bug: macro/weighted F1 is the harmonic mean of averaged P and R, not the mean of per-class F1."""

import inspect

import solutions.week6.classification_metrics as _reference

_PATCHES = [
    (
        "    return tuple(float(v @ weights) for v in per_class)  # type: ignore[return-value]",
        (
            "    p, r = float(per_class[0] @ weights), float(per_class[1] @ weights)\n"
            "    return p, r, 2 * p * r / (p + r) if p + r else zero_division"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
