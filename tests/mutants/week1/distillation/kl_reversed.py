"""Bug: KL direction reversed: KL(student || teacher) instead of KL(teacher || student)."""

import inspect

import rxvision.models.distill as _reference

_PATCHES = [
    (
        'soft = F.kl_div(log_p_student, log_p_teacher, reduction="batchmean", log_target=True)',
        'soft = F.kl_div(log_p_teacher, log_p_student, reduction="batchmean", log_target=True)',
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
