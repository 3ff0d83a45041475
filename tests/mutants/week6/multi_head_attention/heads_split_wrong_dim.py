"""Bug: split_heads reshapes (B, T, E) straight to (B, H, T, D), mixing tokens.

The reference ``solutions.week6.multi_head_attention`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.multi_head_attention as _reference

_PATCHES = [
    (
        "return x.reshape(b, t, self.num_heads, self.head_dim).transpose(0, 2, 1, 3)",
        "return x.reshape(b, self.num_heads, t, self.head_dim)",
    ),
    (
        "return x.transpose(0, 2, 1, 3).reshape(b, t, h * d)",
        "return x.reshape(b, t, h * d)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
