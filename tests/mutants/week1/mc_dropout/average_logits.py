"""Bug: The predictive distribution is the softmax of the mean logits, not the mean softmax.

The reference ``rxvision.models.uncertainty`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.models.uncertainty as _reference

_PATCHES = [
    (
        "    probs = samples.mean(dim=0)\n",
        "    probs = samples.clamp_min(_EPS).log().mean(dim=0).softmax(dim=-1)\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
