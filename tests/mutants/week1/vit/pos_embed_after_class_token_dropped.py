"""Bug: pos_embed row 0 is never used: the class token is prepended after adding pos_embed[:, 1:].

The reference ``rxvision.models.vit`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.vit as _reference

_PATCHES = [
    (
        "x = torch.cat([cls, x], dim=1) + self.pos_embed",
        "x = torch.cat([cls, x + self.pos_embed[:, 1:]], dim=1)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
