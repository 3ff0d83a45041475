"""Bug: mappings keep only their tensor-holding entries, sorted by key (keys and order lost).

The reference ``rxvision.utils.device`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.utils.device as _reference

_PATCHES = [
    (
        "items = [(key, again(value)) for key, value in obj.items()]",
        "items = [(k, again(v)) for k, v in sorted(obj.items())"
        " if v is not None and not isinstance(v, str | list)]",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
