"""Bug: The NLL is fitted on logits * T instead of logits / T.

The reference ``rxvision.evaluation.calibration`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.evaluation.calibration as _reference

_PATCHES = [
    (
        "        loss = F.cross_entropy(logits / log_t.exp(), labels)",
        "        loss = F.cross_entropy(logits * log_t.exp(), labels)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
