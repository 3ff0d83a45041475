"""Bug: softmax exponentiates the raw scores (overflow for large inputs).

The reference ``solutions.week6.scaled_dot_product_attention`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.scaled_dot_product_attention as _reference

_PATCHES = [
    (
        "peak = np.where(np.isfinite(peak), peak, 0.0)",
        "peak = np.zeros_like(peak)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
