"""Bug: the generator is created without the seed, so results are not reproducible."""

import inspect

import solutions.week6.bootstrap_ci as _reference

_PATCHES = [
    (
        ("    rng = np.random.default_rng(seed)\n    idx = rng.integers(0, len(data)"),
        ("    rng = np.random.default_rng()\n    idx = rng.integers(0, len(data)"),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
