"""Bug: One stochastic pass is computed and repeated n_samples times.

The reference ``rxvision.models.uncertainty`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.models.uncertainty as _reference

_PATCHES = [
    (
        "        samples = torch.stack([model(x).softmax(dim=-1) for _ in range(n_samples)])",
        "        samples = model(x).softmax(dim=-1).expand(n_samples, -1, -1)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
