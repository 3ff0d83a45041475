"""Bug: count_params counts state_dict() entries, so BatchNorm running statistics become params.

The reference ``rxvision.models.profiling`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.profiling as _reference

_PATCHES = [
    (
        "p.numel() for p in model.parameters()",
        "p.numel() for p in model.state_dict(keep_vars=True).values()",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
