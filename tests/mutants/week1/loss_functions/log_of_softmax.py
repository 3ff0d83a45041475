"""Bug: log(softmax(x)) instead of log_softmax: -inf/nan for large logits."""

import inspect

import rxvision.training.losses as _reference

_PATCHES = [
    ("logp = F.log_softmax(logits, dim=1)", "logp = torch.log(F.softmax(logits, dim=1))"),
    (
        "logp_t = F.log_softmax(logits, dim=1)",
        "logp_t = torch.log(F.softmax(logits, dim=1))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
