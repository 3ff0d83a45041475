"""Bug: the patch embedding is put in layer 1 (with blocks.0) instead of layer 0.

The reference ``rxvision.training.layer_decay`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.training.layer_decay as _reference

_PATCHES = [
    (
        'if name.startswith(("cls_token", "pos_embed", "patch_embed")):',
        'if name.startswith(("cls_token", "pos_embed")):',
    ),
    (
        '    if name.startswith("blocks."):\n',
        '    if name.startswith("patch_embed"):\n'
        "        return 1\n"
        '    if name.startswith("blocks."):\n',
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
