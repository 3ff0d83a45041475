"""Bug: the loss is -y log(sigmoid(z)) - (1 - y) log(1 - sigmoid(z)): log(0) at large |z|."""

import inspect

import solutions.week6.logistic_regression as _reference

_PATCHES = [
    (
        "data = np.mean(np.logaddexp(0.0, z) - y * z)",
        ("p = sigmoid(z)\n        data = np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p))"),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
