"""Bug: blocks.i gets layer id i instead of i + 1 (collides with the embeddings).

The reference ``rxvision.training.layer_decay`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.training.layer_decay as _reference

_PATCHES = [
    (
        'return int(name.split(".")[1]) + 1',
        'return int(name.split(".")[1])',
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
