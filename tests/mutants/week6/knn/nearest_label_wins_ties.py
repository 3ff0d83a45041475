"""Bug: a vote tie goes to the label of the nearest neighbour, not the smallest label."""

import inspect

import solutions.week6.knn as _reference

_PATCHES = [
    (
        "            out.append(votes.argmax(axis=1))  # first maximum = smallest label",
        (
            "            top = votes.max(axis=1)\n"
            "            nearest = self.y_[idx]  # nearest first\n"
            "            rows = zip(nearest, votes, top, strict=True)\n"
            "            tie_to_nearest = [next(c for c in nn if v[c] == t) for nn, v, t in rows]\n"
            "            out.append(np.array(tie_to_nearest))"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
