"""Bug: train_baseline returns the model still in training mode.

The reference ``solutions.week1.mlp_baseline`` with text replaced (old -> new), run here.
"""

import inspect

import solutions.week1.mlp_baseline as _reference

_PATCHES = [
    (
        "    model.eval()\n",
        "    model.train()\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
