"""Bug: pick_device tries MPS before CUDA.

The reference ``rxvision.utils.device`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.utils.device as _reference

_PATCHES = [
    (
        "    if torch.cuda.is_available():\n"
        '        return torch.device("cuda")\n'
        "    if torch.backends.mps.is_available():\n"
        '        return torch.device("mps")\n',
        "    if torch.backends.mps.is_available():\n"
        '        return torch.device("mps")\n'
        "    if torch.cuda.is_available():\n"
        '        return torch.device("cuda")\n',
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
