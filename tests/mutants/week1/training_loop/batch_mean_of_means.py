"""Bug: the epoch loss is the mean of batch means (a short last batch weighs like a full one).

The reference ``rxvision.training.loop`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.training.loop as _reference

_PATCHES = [
    (
        (
            "        total += loss.item() * len(targets)\n"
            "        count += len(targets)\n"
            "    if count == 0:\n"
            '        raise ValueError("the training loader yielded no samples")'
        ),
        (
            "        total += loss.item()\n"
            "        count += 1\n"
            "    if count == 0:\n"
            '        raise ValueError("the training loader yielded no samples")'
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
