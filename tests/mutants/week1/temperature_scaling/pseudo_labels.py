"""Bug: The temperature is fitted against the predicted classes (argmax) instead of the labels.

The reference ``rxvision.evaluation.calibration`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.evaluation.calibration as _reference

_PATCHES = [
    (
        "    labels = labels.long().to(logits.device)\n    log_t",
        "    labels = logits.argmax(dim=1)\n    log_t",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
