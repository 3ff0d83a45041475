"""Bug: soft-target cross-entropy sums over the batch instead of averaging."""

import inspect

import rxvision.training.mixup as _reference

_PATCHES = [
    (
        "return torch.sum(-targets * F.log_softmax(logits, dim=-1), dim=-1).mean()",
        "return torch.sum(-targets * F.log_softmax(logits, dim=-1))",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
