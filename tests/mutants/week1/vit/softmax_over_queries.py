"""Bug: softmax over the query axis (dim=-2) instead of the keys (dim=-1).

The reference ``rxvision.models.vit`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.vit as _reference

_PATCHES = [
    (
        "attn = self.attn_drop(attn.softmax(dim=-1))",
        "attn = self.attn_drop(attn.softmax(dim=-2))",
    ),
    (
        "return (q * self.scale @ k.transpose(-2, -1)).softmax(dim=-1)",
        "return (q * self.scale @ k.transpose(-2, -1)).softmax(dim=-2)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
