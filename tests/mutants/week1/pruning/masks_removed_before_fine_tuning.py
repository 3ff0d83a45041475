"""Bug: fine_tune bakes the masks in first, so pruned weights grow back.

The reference ``rxvision.export.prune`` with text replaced
(old -> new), run in this module.
"""

import inspect

import rxvision.export.prune as _reference

_PATCHES = [
    (
        "    generator = torch.Generator().manual_seed(seed)\n    optimizer",
        "    make_permanent(model)\n"
        "    generator = torch.Generator().manual_seed(seed)\n"
        "    optimizer",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
