"""Bug: the data are shuffled even when shuffle=False."""

import inspect

import solutions.week6.stratified_kfold as _reference

_PATCHES = [
    (
        "    rng = np.random.default_rng(seed) if shuffle else None",
        "    rng = np.random.default_rng(seed)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
