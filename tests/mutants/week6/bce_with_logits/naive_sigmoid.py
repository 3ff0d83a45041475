"""Bug: sigmoid is 1 / (1 + exp(-x)), which overflows for x = -1e4."""

import inspect

import solutions.week6.bce_with_logits as _reference

_PATCHES = [
    (
        (
            "    e = np.exp(-np.abs(x))  # in (0, 1]\n"
            "    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"
        ),
        "    return 1.0 / (1.0 + np.exp(-x))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
