"""Bug: channels reversed (BGR, OpenCV's order) before normalising.

The reference ``rxvision.serving.onnx_predictor`` with text replaced
(old -> new), run in this module.
"""

import inspect

import rxvision.serving.onnx_predictor as _reference

_PATCHES = [
    (
        "        batch = np.stack(arrays).transpose(0, 3, 1, 2) / np.float32(255.0)",
        "        batch = np.stack(arrays)[..., ::-1].transpose(0, 3, 1, 2) / np.float32(255.0)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
