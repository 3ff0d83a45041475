"""Bug: Only the stages are frozen; the stem and the layers after the stages stay trainable.

The reference ``rxvision.models.transfer`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.transfer as _reference

_PATCHES = [
    (
        "    model.requires_grad_(False)\n",
        "    for stage in stages:\n        stage.requires_grad_(False)\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
