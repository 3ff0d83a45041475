"""Bug: indices are positions in the padded plane, not the input plane.

The reference ``solutions.week6.max_pool`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.max_pool as _reference

_PATCHES = [
    (
        "* sh + du - ph",
        "* sh + du",
    ),
    (
        "* sw + dv - pw",
        "* sw + dv",
    ),
    (
        "(rows * w + cols)",
        "(rows * (w + 2 * pw) + cols)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
