"""Bug: disagreement is mean entropy minus entropy of the mean (sign flipped, clamped to 0).

The reference ``rxvision.models.ensemble`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.ensemble as _reference

_PATCHES = [
    (
        "return (entropy_of_mean - mean_entropy).clamp_min(0.0)",
        "return (mean_entropy - entropy_of_mean).clamp_min(0.0)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
