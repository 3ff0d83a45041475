"""Bug: hypotheses still live after max_len steps are discarded.

The reference ``solutions.week6.beam_search`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.beam_search as _reference

_PATCHES = [
    (
        "    finished.extend(live)  # still open at max_len: they end there\n",
        "",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
