"""Bug: accumulated_step sums the micro-batch losses instead of averaging them.

The reference ``solutions.week1.autograd`` with text replaced (old -> new), run in this module.
"""

import inspect

import solutions.week1.autograd as _reference

_PATCHES = [
    (
        "loss = loss_fn(model(inputs), targets) / len(micro_batches)",
        "loss = loss_fn(model(inputs), targets)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
