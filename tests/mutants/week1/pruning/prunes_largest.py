"""Bug: the largest weights are pruned (importance 1/|w|) instead of the smallest.

The reference ``rxvision.export.prune`` with text replaced
(old -> new), run in this module.
"""

import inspect

import rxvision.export.prune as _reference

_PATCHES = [
    (
        "prune.global_unstructured(pairs, pruning_method",
        "scores = {(m, n): 1 / (m.weight.abs() + 1e-12) for m, n in pairs}\n"
        "        prune.global_unstructured(pairs, importance_scores=scores, pruning_method",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
