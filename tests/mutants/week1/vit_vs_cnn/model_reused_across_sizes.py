"""Bug: one model per architecture keeps training from one train size to the next."""

import inspect

import rxvision.training.compare as _reference

_PATCHES = [
    (
        "    rows: list[dict[str, Any]] = []\n",
        "    rows: list[dict[str, Any]] = []\n    built: dict[str, nn.Module] = {}\n",
    ),
    (
        "            torch.manual_seed(seed)\n            model = factory()\n",
        "            if name not in built:\n"
        "                torch.manual_seed(seed)\n"
        "                built[name] = factory()\n"
        "            model = built[name]\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
