"""Bug: the packed projection is split as k, q, v instead of q, k, v.

The reference ``solutions.week6.multi_head_attention`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.multi_head_attention as _reference

_PATCHES = [
    (
        "w_q, w_k, w_v = np.split(self.in_proj_weight, 3)",
        "w_k, w_q, w_v = np.split(self.in_proj_weight, 3)",
    ),
    (
        "b_q, b_k, b_v = np.split(self.in_proj_bias, 3)",
        "b_k, b_q, b_v = np.split(self.in_proj_bias, 3)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
