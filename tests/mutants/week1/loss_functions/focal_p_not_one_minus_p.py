"""Bug: focal loss weights by p_t ** gamma (the easy samples) instead of (1 - p_t) ** gamma."""

import inspect

import rxvision.training.losses as _reference

_PATCHES = [("loss = -((1 - p_t) ** gamma) * logp_t", "loss = -(p_t**gamma) * logp_t")]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
