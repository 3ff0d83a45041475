"""Bug: the matrix is filled by a Python loop over the samples (no bincount)."""

import inspect

import solutions.week6.confusion_matrix as _reference

_PATCHES = [
    (
        "    cm = np.bincount(t * n + p, minlength=n * n).reshape(n, n)",
        (
            "    cm = np.zeros((n, n), dtype=np.int64)\n"
            "    for i, j in zip(t, p, strict=True):\n"
            "        cm[i, j] += 1"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
