"""Bug: the weights are used as given, not normalised to sum to 1.

The reference ``rxvision.models.ensemble`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.ensemble as _reference

_PATCHES = [
    (
        'self.register_buffer("weights", raw / raw.sum())',
        'self.register_buffer("weights", raw)',
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
