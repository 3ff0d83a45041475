"""Bug: averages the members' logits and takes one softmax (a logit ensemble).

The reference ``rxvision.models.ensemble`` with text replaced (old -> new), run in this module.
"""

import inspect

import rxvision.models.ensemble as _reference

_PATCHES = [
    (
        "return torch.stack([torch.softmax(member(x), dim=-1) for member in self.members])",
        "return torch.stack([member(x) for member in self.members])",
    ),
    (
        "return (self.weights.view(-1, 1, 1) * self.member_probs(x)).sum(dim=0)",
        "return torch.softmax(\n"
        "            (self.weights.view(-1, 1, 1) * self.member_probs(x)).sum(dim=0), dim=-1\n"
        "        )",
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
