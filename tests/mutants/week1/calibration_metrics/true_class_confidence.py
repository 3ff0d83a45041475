"""Bug: Confidence is the probability of the true class instead of the top-1 probability.

The reference ``rxvision.evaluation.calibration`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.evaluation.calibration as _reference

_PATCHES = [
    (
        "    conf, pred = probs.max(dim=1)\n",
        "    pred = probs.argmax(dim=1)\n"
        "    conf = probs.gather(1, labels.long()[:, None]).squeeze(1)\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
