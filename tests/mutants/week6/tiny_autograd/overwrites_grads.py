"""Bug: _backward assigns (=) instead of accumulating (+=) in + and *.

The reference ``solutions.week6.tiny_autograd`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.tiny_autograd as _reference

_PATCHES = [
    (
        ("            self.grad += out.grad\n            other.grad += out.grad\n"),
        ("            self.grad = out.grad\n            other.grad = out.grad\n"),
    ),
    (
        (
            "            self.grad += other.data * out.grad\n"
            "            other.grad += self.data * out.grad\n"
        ),
        (
            "            self.grad = other.data * out.grad\n"
            "            other.grad = self.data * out.grad\n"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
