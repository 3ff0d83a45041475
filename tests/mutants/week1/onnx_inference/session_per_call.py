"""Bug: a new InferenceSession is created for every predict call.

The reference ``rxvision.serving.onnx_predictor`` with text replaced
(old -> new), run in this module.
"""

import inspect

import rxvision.serving.onnx_predictor as _reference

_PATCHES = [
    (
        "            chunks.append(self.session.run(None, {self.input_name: batch})[0])",
        "            session = ort.InferenceSession(\n"
        '                self.session._model_path, providers=["CPUExecutionProvider"]\n'
        "            )\n"
        "            chunks.append(session.run(None, {self.input_name: batch})[0])",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
