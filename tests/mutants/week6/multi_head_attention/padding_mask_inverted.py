"""Bug: key_padding_mask True is treated as 'keep' (SDPA convention).

The reference ``solutions.week6.multi_head_attention`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.multi_head_attention as _reference

_PATCHES = [
    (
        "blocked |= np.asarray(key_padding_mask, dtype=bool)[:, None, None, :]",
        "blocked |= ~np.asarray(key_padding_mask, dtype=bool)[:, None, None, :]",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
