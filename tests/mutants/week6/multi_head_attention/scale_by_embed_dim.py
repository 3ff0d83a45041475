"""Bug: the scores are divided by sqrt(embed_dim) instead of sqrt(head_dim).

The reference ``solutions.week6.multi_head_attention`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.multi_head_attention as _reference

_PATCHES = [
    (
        "/ np.sqrt(self.head_dim)",
        "/ np.sqrt(self.embed_dim)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
