"""Bug: attn @ v reshaped to (B, N, D) without moving the heads next to head_dim first.

The reference ``rxvision.models.vit`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.vit as _reference

_PATCHES = [
    (
        "x = (attn @ v).transpose(1, 2).reshape(batch, tokens, dim)",
        "x = (attn @ v).reshape(batch, tokens, dim)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
