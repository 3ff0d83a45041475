"""Bug: the mean distribution is taken over the samples axis instead of the members axis.

The reference ``rxvision.models.ensemble`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.ensemble as _reference

_PATCHES = [
    (
        "mean = (w * member_probs).sum(dim=0)",
        "mean = member_probs.mean(dim=1, keepdim=True)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
