"""Bug: batches drawn with the global generator, whose state depends on the model's init."""

import inspect

import rxvision.training.compare as _reference

_PATCHES = [
    (
        "order = torch.cat([torch.randperm(n, generator=generator) for _ in range(passes)])",
        "order = torch.cat([torch.randperm(n) for _ in range(passes)])",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
