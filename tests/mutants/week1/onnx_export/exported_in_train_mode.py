"""Bug: exported in train mode (no eval(), training=PRESERVE): dropout and batch stats baked in.

The reference ``rxvision.export.onnx`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.export.onnx as _reference

_PATCHES = [
    (
        "    model.eval()\n    dummy",
        "    dummy",
    ),
    (
        "                    dynamo=False,\n",
        "                    dynamo=False,\n"
        "                    training=torch.onnx.TrainingMode.PRESERVE,\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
