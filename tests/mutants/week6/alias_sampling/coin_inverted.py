"""Bug: a draw takes the alias when the coin is below prob[i] (keep/alias swapped).

The reference ``solutions.week6.alias_sampling`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.alias_sampling as _reference

_PATCHES = [
    (
        "np.where(coins < self.prob[columns], columns, self.alias[columns])",
        "np.where(coins < self.prob[columns], self.alias[columns], columns)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
