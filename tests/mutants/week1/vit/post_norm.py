"""Bug: post-norm blocks: LayerNorm after the residual addition instead of before each sub-layer.

The reference ``rxvision.models.vit`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.vit as _reference

_PATCHES = [
    (
        "x = x + self.drop_path1(self.attn(self.norm1(x)))",
        "x = self.norm1(x + self.drop_path1(self.attn(x)))",
    ),
    (
        "return x + self.drop_path2(self.mlp(self.norm2(x)))",
        "return self.norm2(x + self.drop_path2(self.mlp(x)))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
