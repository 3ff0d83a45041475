"""Capstone: a timed coding round from the drill bank (week6.capstone_coding).

Nothing new to write here: this capstone grades the drills you already wrote. Each round draws
four of them with a seed: one easy, two medium, one hard, by the ``difficulty`` of their
curriculum entries. [#round] It runs *hidden variants* of their tests against your modules: new
shapes, edge cases (empty inputs, ties, fully masked rows, extreme values) and larger inputs,
each compared with NumPy, SciPy, scikit-learn, PyTorch or torchvision. [#variants] All four must
pass. [#all-pass]

The grader always runs the same few seeds (so the result is reproducible), and together they
draw every drill that has hidden variants. [#seeds] To practise a fresh mix, set
``RXGRADE_CODING_SEEDS`` to other seeds, e.g.
``RXGRADE_CODING_SEEDS=7,8 pytest weeks/week6/tests/test_capstone_coding.py``. [#practice-seeds]
The failure message lists the drills that need another round and the variant that failed.
[#report]

:func:`drill` is how the capstone finds your implementation of a drill (leave it as it is).
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["drill"]


def drill(name: str) -> ModuleType:
    """Your module for the week-6 drill ``name``.

    ``drill("iou_nms")`` is ``weeks.week6.iou_nms``, the module next to this file. [#drill]

    Raises:
        ModuleNotFoundError: no such drill module next to this file. [#drill-missing]
    """
    return importlib.import_module(f"{__package__}.{name}")
