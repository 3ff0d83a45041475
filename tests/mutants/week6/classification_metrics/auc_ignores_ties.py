"""Bug: AUC ranks the scores by argsort position, so tied scores get distinct ranks."""

import inspect

import solutions.week6.classification_metrics as _reference

_PATCHES = [
    (
        (
            "    average = (starts + ends + 1) / 2.0  # mean of the 1-based ranks start+1 .. end\n"
            "    ranks = np.empty(len(values))\n"
            "    ranks[order] = np.repeat(average, ends - starts)"
        ),
        ("    ranks = np.empty(len(values))\n    ranks[order] = np.arange(1, len(values) + 1)"),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
