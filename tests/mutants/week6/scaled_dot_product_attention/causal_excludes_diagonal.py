"""Bug: the causal mask also hides the query's own position (j < i).

The reference ``solutions.week6.scaled_dot_product_attention`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.scaled_dot_product_attention as _reference

_PATCHES = [
    (
        "allowed = np.tril(allowed)",
        "allowed = np.tril(allowed, -1)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
