"""Bug: Picks the temperature with the best accuracy on a grid (accuracy never changes with T).

The reference ``rxvision.evaluation.calibration`` with text replaced (old -> new), run here.
"""

import inspect

import rxvision.evaluation.calibration as _reference

_PATCHES = [
    (
        "    with torch.enable_grad():\n        optimizer.step(closure)\n",
        "    grid = torch.linspace(0.5, 5.0, 46, dtype=torch.float64)\n"
        "    accs = [float(((logits / t).argmax(1) == labels).double().mean()) for t in grid]\n"
        "    return float(grid[max(range(len(grid)), key=accs.__getitem__)])\n",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
