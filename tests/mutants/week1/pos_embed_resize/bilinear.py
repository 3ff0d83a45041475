"""Bug: bilinear instead of bicubic interpolation of the grid.

The reference ``rxvision.models.vit`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.vit as _reference

_PATCHES = [
    (
        'mode="bicubic"',
        'mode="bilinear"',
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
__all__ = ["load_resized_state_dict", "resample_pos_embed"]  # noqa: F822 (defined by exec)
