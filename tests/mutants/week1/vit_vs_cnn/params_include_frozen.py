"""Bug: params counts frozen parameters too (requires_grad ignored)."""

import inspect

import rxvision.training.compare as _reference

_PATCHES = [
    (
        "return sum(p.numel() for p in model.parameters() if p.requires_grad)",
        "return sum(p.numel() for p in model.parameters())",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
