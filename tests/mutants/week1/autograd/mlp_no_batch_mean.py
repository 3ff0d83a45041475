"""Bug: the manual backward forgets that the loss is a mean (no division by N).

The reference ``solutions.week1.autograd`` with text replaced (old -> new), run in this module.
"""

import inspect

import solutions.week1.autograd as _reference

_PATCHES = [
    (
        "    d_logits /= n\n",
        "",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
