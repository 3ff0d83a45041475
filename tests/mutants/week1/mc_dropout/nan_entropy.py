"""Bug: Entropy takes log(p) without clamping, so a zero probability gives NaN.

The reference ``rxvision.models.uncertainty`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.models.uncertainty as _reference

_PATCHES = [
    (
        "    return -(probs * probs.clamp_min(_EPS).log()).sum(dim)",
        "    return -(probs * probs.log()).sum(dim)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
