"""Bug: only the parameters are saved, not the buffers (BatchNorm running statistics).

The reference ``rxvision.models.hub`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.hub as _reference

_PATCHES = [
    (
        "_standalone_tensors(model.state_dict())",
        "_standalone_tensors(dict(model.named_parameters()))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
__all__ = list(_reference.__all__)  # defined in this module by exec
