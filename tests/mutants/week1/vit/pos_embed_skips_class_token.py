"""Bug: the position embedding covers only the patches; the class token gets none.

The reference ``rxvision.models.vit`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.vit as _reference

_PATCHES = [
    (
        "self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, embed_dim))",
        "self.pos_embed = nn.Parameter(torch.zeros(1, num_patches, embed_dim))",
    ),
    (
        "if x.shape[1] + 1 != self.pos_embed.shape[1]:",
        "if x.shape[1] != self.pos_embed.shape[1]:",
    ),
    (
        "x = torch.cat([cls, x], dim=1) + self.pos_embed",
        "x = torch.cat([cls, x + self.pos_embed], dim=1)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
