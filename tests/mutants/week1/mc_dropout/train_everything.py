"""Bug: model.train() switches on dropout and BatchNorm alike (batch statistics, updated stats).

The reference ``rxvision.models.uncertainty`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.models.uncertainty as _reference

_PATCHES = [
    (
        "    model.eval()\n    for module in model.modules():\n        if is_dropout(module):\n"
        "            module.train()\n",
        "    model.train()\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
