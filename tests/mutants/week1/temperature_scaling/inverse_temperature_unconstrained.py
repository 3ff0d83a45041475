"""Bug: Optimises an unconstrained inverse temperature beta (logits * beta), which can go negative.

The reference ``rxvision.evaluation.calibration`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.evaluation.calibration as _reference

_PATCHES = [
    (
        "    log_t = torch.zeros((), dtype=torch.float64, device=logits.device, "
        "requires_grad=True)",
        "    log_t = torch.ones((), dtype=torch.float64, device=logits.device, requires_grad=True)",
    ),
    (
        "        loss = F.cross_entropy(logits / log_t.exp(), labels)",
        "        loss = F.cross_entropy(logits * log_t, labels)",
    ),
    (
        "    return float(log_t.detach().exp())",
        "    return float(1 / log_t.detach())",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
