"""Bug: the temperature divides the student's logits but not the teacher's."""

import inspect

import rxvision.models.distill as _reference

_PATCHES = [
    (
        "log_p_teacher = F.log_softmax(teacher_logits.detach() / temperature, dim=-1)",
        "log_p_teacher = F.log_softmax(teacher_logits.detach(), dim=-1)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
