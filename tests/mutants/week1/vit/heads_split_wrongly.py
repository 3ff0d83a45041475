"""Bug: qkv reshaped as (B, N, heads, 3, head_dim): q, k, v and heads interleaved wrongly.

The reference ``rxvision.models.vit`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.vit as _reference

_PATCHES = [
    (
        "qkv = self.qkv(x).reshape(batch, tokens, 3, self.num_heads, self.head_dim)",
        "qkv = self.qkv(x).reshape(batch, tokens, self.num_heads, 3, self.head_dim)",
    ),
    (
        "q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)",
        "q, k, v = qkv.permute(3, 0, 2, 1, 4).unbind(0)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
