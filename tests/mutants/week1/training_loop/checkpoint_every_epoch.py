"""Bug: the checkpoint is saved after every epoch, not only when validation improves.

The reference ``rxvision.training.loop`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.training.loop as _reference

_PATCHES = [
    (
        ("        else:\n            since_best += 1\n"),
        (
            "        else:\n"
            "            since_best += 1\n"
            "            if checkpoint_path is not None:\n"
            "                payload = {'model': model.state_dict(), 'epoch': epoch}\n"
            "                torch.save(payload, checkpoint_path)\n"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
