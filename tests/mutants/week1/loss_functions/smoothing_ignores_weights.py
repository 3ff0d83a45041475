"""Bug: with class weights, the label-smoothing term is left unweighted (-logp.mean over K)."""

import inspect

import rxvision.training.losses as _reference

_PATCHES = [
    ("smooth = -(logp * w).sum(dim=1) / n_classes", "smooth = -logp.sum(dim=1) / n_classes"),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
