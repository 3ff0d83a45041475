"""Bug: torch.manual_seed(seed) once at the start instead of before every model."""

import inspect

import rxvision.training.compare as _reference

_PATCHES = [
    (
        "    load = data or load_synthetic\n",
        "    load = data or load_synthetic\n    torch.manual_seed(seed)\n",
    ),
    (
        "            torch.manual_seed(seed)\n            model = factory()\n",
        "            model = factory()\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
