"""Bug: the teacher runs with gradients enabled and its logits are not detached."""

import inspect

import rxvision.models.distill as _reference

_PATCHES = [
    (
        "    with torch.no_grad():\n        teacher_logits = teacher(images)\n",
        "    teacher_logits = teacher(images)\n",
    ),
    (
        "F.log_softmax(teacher_logits.detach() / temperature, dim=-1)",
        "F.log_softmax(teacher_logits / temperature, dim=-1)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
