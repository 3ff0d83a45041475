"""Bug: the loss is -p y log(sigmoid(x)) - (1 - y) log(1 - sigmoid(x)): log(0) at |x| = 1e4."""

import inspect

import solutions.week6.bce_with_logits as _reference

_PATCHES = [
    (
        "    loss = (1.0 - y) * x + (1.0 + (p - 1.0) * y) * neg_log_sigmoid",
        ("    s = sigmoid(x)\n    loss = -(p * y * np.log(s) + (1.0 - y) * np.log(1.0 - s))"),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
