"""Bug: pick_device ignores the RXVISION_DEVICE override.

The reference ``rxvision.utils.device`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.utils.device as _reference

_PATCHES = [
    (
        "    if prefer is None and os.environ.get(DEVICE_ENV):\n",
        "    if False:\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
