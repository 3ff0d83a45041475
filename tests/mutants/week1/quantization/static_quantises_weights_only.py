"""Bug: quantize_static_onnx falls back to dynamic quantisation (weights only, reader unused).

The reference ``rxvision.export.quantize`` with text replaced
(old -> new), run in this module.
"""

import inspect

import rxvision.export.quantize as _reference

_PATCHES = [
    (
        "        quant_pre_process(str(src), str(prepared), skip_symbolic_shape=True)\n"
        "        quantize_static(\n"
        "            str(prepared),\n"
        "            str(dst),\n"
        "            reader,\n"
        "            quant_format=QuantFormat.QDQ,\n"
        "            per_channel=per_channel,\n"
        "            activation_type=QuantType.QInt8,\n"
        "            weight_type=QuantType.QInt8,\n"
        "        )",
        "        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
