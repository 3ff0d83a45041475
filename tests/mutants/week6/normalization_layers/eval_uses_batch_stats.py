"""Bug: batch norm normalises with the batch statistics in eval mode too.

The reference ``solutions.week6.normalization_layers`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.normalization_layers as _reference

_PATCHES = [
    (
        "mean, var = self.running_mean, self.running_var",
        "mean, var = x.mean(axis=axes), x.var(axis=axes)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
