"""Bug: num_classes < 1 is not rejected (a ViT then drops its last MLP layer as the 'head').

The reference ``rxvision.models.hub`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.hub as _reference

_PATCHES = [
    (
        "if num_classes is not None and num_classes < 1:",
        "if num_classes is not None and num_classes < 0:",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
__all__ = list(_reference.__all__)  # defined in this module by exec
