"""Bug: biases and LayerNorm weights get weight decay (only the named tokens are excluded).

The reference ``rxvision.training.layer_decay`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.training.layer_decay as _reference

_PATCHES = [
    (
        "no_decay = param.ndim <= 1 or name in no_weight_decay",
        "no_decay = name in no_weight_decay",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
