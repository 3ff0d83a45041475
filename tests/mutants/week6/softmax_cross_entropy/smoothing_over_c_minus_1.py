"""Bug: label smoothing spreads eps over the C - 1 wrong classes (true class gets 1 - eps)."""

import inspect

import solutions.week6.softmax_cross_entropy as _reference

_PATCHES = [
    (
        (
            "target = np.full((n, c), label_smoothing / c)\n"
            "    target[np.arange(n), labels] += 1.0 - label_smoothing"
        ),
        (
            "target = np.full((n, c), label_smoothing / (c - 1))\n"
            "    target[np.arange(n), labels] = 1.0 - label_smoothing"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
