"""Bug: running = momentum * running + (1 - momentum) * batch (Keras convention).

The reference ``solutions.week6.normalization_layers`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.normalization_layers as _reference

_PATCHES = [
    (
        "(1 - self.momentum) * self.running_mean + self.momentum * mean",
        "self.momentum * self.running_mean + (1 - self.momentum) * mean",
    ),
    (
        "(1 - self.momentum) * self.running_var + self.momentum * (",
        "self.momentum * self.running_var + (1 - self.momentum) * (",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
