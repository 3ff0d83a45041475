"""Bug: a (B * H, L, S) attn_mask is read head-major instead of sample-major.

The reference ``solutions.week6.multi_head_attention`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.multi_head_attention as _reference

_PATCHES = [
    (
        "mask = mask.reshape(b, self.num_heads, length, s)",
        "mask = mask.reshape(self.num_heads, b, length, s).transpose(1, 0, 2, 3)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
