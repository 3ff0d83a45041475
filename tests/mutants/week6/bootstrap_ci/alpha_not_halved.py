"""Bug: the bounds are the alpha and 1 - alpha quantiles (a 90% interval for confidence 0.95)."""

import inspect

import solutions.week6.bootstrap_ci as _reference

_PATCHES = [
    (
        "np.quantile(stats, [(1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0])",
        "np.quantile(stats, [1.0 - confidence, confidence])",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
