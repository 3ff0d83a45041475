"""Bug: each resample is a permutation of the data (no replacement): the statistic never varies."""

import inspect

import solutions.week6.bootstrap_ci as _reference

_PATCHES = [
    (
        "    idx = rng.integers(0, len(data), size=(n_resamples, len(data)))",
        "    idx = rng.permuted(np.tile(np.arange(len(data)), (n_resamples, 1)), axis=1)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
