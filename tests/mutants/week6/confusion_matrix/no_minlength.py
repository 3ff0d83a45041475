"""Bug: bincount without minlength, so a missing last class breaks or shrinks the matrix."""

import inspect

import solutions.week6.confusion_matrix as _reference

_PATCHES = [
    (
        "    cm = np.bincount(t * n + p, minlength=n * n).reshape(n, n)",
        (
            "    counts = np.bincount(t * n + p)\n"
            "    m = int(np.sqrt(counts.size))\n"
            "    cm = counts[: m * m].reshape(m, m)"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
