"""Bug: accuracy is the mean of per-batch accuracies (wrong when the last batch is smaller)."""

import inspect

import rxvision.training.compare as _reference

_PATCHES = [
    (
        "    correct = 0\n",
        "    batch_accuracies = []\n",
    ),
    (
        "            correct += int((model(x).argmax(dim=1) == y).sum())\n"
        "    return correct / len(labels)",
        "            batch_accuracies.append(float((model(x).argmax(dim=1) == y).float().mean()))\n"
        "    return sum(batch_accuracies) / len(batch_accuracies)",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
