"""Bug: elongation is the ratio of the eigenvalues (variances), not of standard deviations.

The reference ``solutions.week1.mlp_baseline`` with text replaced (old -> new), run here.
"""

import inspect

import solutions.week1.mlp_baseline as _reference

_PATCHES = [
    (
        "elongation = torch.sqrt((eig[:, 1] + 1e-6) / (eig[:, 0] + 1e-6))",
        "elongation = (eig[:, 1] + 1e-6) / (eig[:, 0] + 1e-6)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
