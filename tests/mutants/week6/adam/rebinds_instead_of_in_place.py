"""Bug: the update rebinds a local name (p = p - ...) so params never change.

The reference ``solutions.week6.adam`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.adam as _reference

_PATCHES = [
    (
        "p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)",
        "p = p - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)",
    ),
    (
        "p *= 1.0 - self.lr * self.weight_decay",
        "p = p * (1.0 - self.lr * self.weight_decay)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
