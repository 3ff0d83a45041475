"""Bug: the step counter t is incremented once per parameter, not per step.

The reference ``solutions.week6.adam`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.adam as _reference

_PATCHES = [
    (
        (
            "        self.t += 1\n"
            "        correction1 = 1.0 - b1**self.t\n"
            "        correction2 = 1.0 - b2**self.t\n"
            "        for p, g, m, v in zip(self.params, grads, self.m, self.v, stri"
            "ct=True):\n"
        ),
        (
            "        for p, g, m, v in zip(self.params, grads, self.m, self.v, stri"
            "ct=True):\n"
            "            self.t += 1\n"
            "            correction1 = 1.0 - b1**self.t\n"
            "            correction2 = 1.0 - b2**self.t\n"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
