"""Bug: tanh's local derivative is 1 - tanh instead of 1 - tanh**2.

The reference ``solutions.week6.tiny_autograd`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.tiny_autograd as _reference

_PATCHES = [
    (
        "self.grad += (1.0 - t * t) * out.grad",
        "self.grad += (1.0 - t) * out.grad",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
