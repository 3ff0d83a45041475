"""Bug: a softmax is appended to the graph, so the 'logits' output holds probabilities.

The reference ``rxvision.export.onnx`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.export.onnx as _reference

_PATCHES = [
    (
        "    dummy = torch.zeros(2, 3, image_size, image_size)",
        "    dummy = torch.zeros(2, 3, image_size, image_size)\n"
        "    model = nn.Sequential(model, nn.Softmax(dim=-1))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
