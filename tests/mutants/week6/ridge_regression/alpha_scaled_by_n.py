"""Bug: the closed form penalises alpha * n * ||w||^2 (confusing the sum and mean objectives)."""

import inspect

import solutions.week6.ridge_regression as _reference

_PATCHES = [
    (
        "    A = np.vstack([Xc, np.sqrt(alpha) * np.eye(d)])",
        "    A = np.vstack([Xc, np.sqrt(alpha * len(Xc)) * np.eye(d)])",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
