"""Bug: k-means++ samples proportionally to D(x), not D(x)^2."""

import inspect

import solutions.week6.kmeans_plus_plus as _reference

_PATCHES = [
    (
        "nxt = int(rng.choice(n, p=closest / total)) if total > 0 else int(rng.integers(n))",
        "nxt = int(rng.choice(n, p=np.sqrt(closest) / np.sqrt(closest).sum()))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
