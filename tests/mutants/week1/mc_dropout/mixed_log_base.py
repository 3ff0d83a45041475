"""Bug: The predictive entropy uses log2 while the expected entropy uses natural logs.

The reference ``rxvision.models.uncertainty`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.models.uncertainty as _reference

_PATCHES = [
    (
        "    total = entropy(probs)\n",
        "    total = -(probs * probs.clamp_min(_EPS).log2()).sum(-1)\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
