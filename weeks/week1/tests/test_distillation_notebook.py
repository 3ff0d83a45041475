"""Tests of week1.distillation_notebook: a distilled student beats the same student trained alone.

The grader executes ``weeks/week1/notebooks/distillation.py`` once (in a temporary directory, with
a time budget) and checks the ``results.json`` its last cell writes: a trained teacher, two runs of
the same smaller student with the same seed, steps and batch size, and the distilled one ahead by
a clear margin on held-out test photographs.
Run: ``pytest weeks/week1/tests/test_distillation_notebook.py``.
"""

from __future__ import annotations

from grader.notebooks import NotebookRun
from rxvision.data import CLASS_NAMES

CHANCE = 1 / len(CLASS_NAMES)
MARGIN = 0.10  # the fixed-seed reference run wins by about 0.23


def _run(results: dict, name: str) -> dict:
    row = results.get(name)
    assert isinstance(row, dict), f'results["{name}"] should be a dict with "acc" and "params"'
    acc, params = row.get("acc"), row.get("params")
    assert isinstance(acc, int | float) and 0 <= acc <= 1, (
        f'results["{name}"]["acc"] should be a test accuracy in [0, 1], got {acc!r}'
    )
    assert isinstance(params, int) and params > 0, (
        f'results["{name}"]["params"] should be a parameter count, got {params!r}'
    )
    return row


def test_teacher_was_trained(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    teacher = _run(results, "teacher")
    assert teacher["acc"] > 0.4, (
        f"the teacher should reach well above chance ({CHANCE:.0%}) on the test photographs "
        f"after its short training, got {teacher['acc']:.1%}: check its optimiser steps"
    )


def test_same_budget_and_smaller_student(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    alone, kd, teacher = (_run(results, k) for k in ("student_alone", "student_kd", "teacher"))
    for key in ("steps", "batch_size", "params"):
        assert alone.get(key) == kd.get(key) and alone.get(key), (
            f"both students must be the same model trained with the same budget: {key} is "
            f"{alone.get(key)!r} alone and {kd.get(key)!r} distilled"
        )
    assert kd["params"] < 0.6 * teacher["params"], (
        f"the student ({kd['params']:,} parameters) should be much smaller than the teacher "
        f"({teacher['params']:,})"
    )
    temperature, alpha = results.get("temperature"), results.get("alpha")
    assert isinstance(temperature, int | float) and temperature > 0, (
        f'results["temperature"] should be the T used, got {temperature!r}'
    )
    assert isinstance(alpha, int | float) and 0 <= alpha <= 1, (
        f'results["alpha"] should be the weight of the soft term, got {alpha!r}'
    )


def test_distilled_student_beats_student_alone(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    alone, kd, teacher = (_run(results, k) for k in ("student_alone", "student_kd", "teacher"))
    assert kd["acc"] >= alone["acc"] + MARGIN, (
        f"the distilled student ({kd['acc']:.1%}) should beat the same student trained alone "
        f"({alone['acc']:.1%}) by at least {MARGIN:.0%} on the test photographs (teacher "
        f"{teacher['acc']:.1%}). Check that it trains on the transfer set with the frozen "
        "teacher's logits, and your distillation_loss."
    )
    assert teacher["acc"] > alone["acc"], (
        f"the teacher ({teacher['acc']:.1%}) should beat the student trained alone on one "
        f"label per class ({alone['acc']:.1%})"
    )
