"""Bug: the explicit no_weight_decay names (cls_token, pos_embed) are ignored."""

import inspect

import rxvision.training.optim as _reference

_PATCHES = [
    (
        'if param.ndim <= 1 or name.endswith(".bias") or name in skip:',
        'if param.ndim <= 1 or name.endswith(".bias"):',
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
