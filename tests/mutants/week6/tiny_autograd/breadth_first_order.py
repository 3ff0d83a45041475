"""Bug: nodes are visited breadth-first from the output instead of in reverse topological order.

The reference ``solutions.week6.tiny_autograd`` with text replaced (old -> new),
run in this module.
"""

import inspect

import solutions.week6.tiny_autograd as _reference

_PATCHES = [
    (
        (
            "        order: list[Value] = []\n"
            "        seen: set[int] = set()\n"
            "        stack: list[tuple[Value, bool]] = [(self, False)]\n"
            "        while stack:  # iterative post-order DFS: no recursion limit o"
            "n deep graphs\n"
            "            node, children_done = stack.pop()\n"
            "            if children_done:\n"
            "                order.append(node)\n"
            "                continue\n"
            "            if id(node) in seen:\n"
            "                continue\n"
            "            seen.add(id(node))\n"
            "            stack.append((node, True))\n"
            "            stack.extend((child, False) for child in node._prev if id("
            "child) not in seen)\n"
            "        self.grad = 1.0\n"
        ),
        (
            "        from collections import deque\n"
            "\n"
            "        order: list[Value] = []\n"
            "        seen = {id(self)}\n"
            "        queue = deque([self])\n"
            "        while queue:  # breadth-first from the output: not a topologic"
            "al order\n"
            "            node = queue.popleft()\n"
            "            order.append(node)\n"
            "            for child in node._prev:\n"
            "                if id(child) not in seen:\n"
            "                    seen.add(id(child))\n"
            "                    queue.append(child)\n"
            "        order.reverse()\n"
            "        self.grad = 1.0\n"
        ),
    ),
]
_source = inspect.getsource(_reference)
for _old, _new in _PATCHES:
    if _old not in _source:
        raise RuntimeError(f"stale mutant {__file__}: the reference has no {_old!r}")
    _source = _source.replace(_old, _new)
exec(compile(_source, __file__, "exec"), globals())
