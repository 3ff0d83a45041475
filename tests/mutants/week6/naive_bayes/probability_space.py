"""Bug: posteriors are normalised in probability space (densities underflow to 0).

The reference ``solutions.week6.naive_bayes`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.naive_bayes as _reference

_PATCHES = [
    (
        ("        return jll - (peak + np.log(np.exp(jll - peak).sum(axis=1, keepdims=True)))\n"),
        (
            "        joint = np.exp(jll)\n"
            "        return np.log(joint / joint.sum(axis=1, keepdims=True))\n"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
