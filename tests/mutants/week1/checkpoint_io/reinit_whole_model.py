"""Bug: with a new num_classes nothing is loaded: the whole model is freshly initialised.

The reference ``rxvision.models.hub`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.hub as _reference

_PATCHES = [
    (
        "    _load_checked(model, state, source, new_head)\n",
        ("    if not replace_head:\n        _load_checked(model, state, source, new_head)\n"),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
__all__ = list(_reference.__all__)  # defined in this module by exec
