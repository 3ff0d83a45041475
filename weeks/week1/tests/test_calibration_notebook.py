"""Tests of week1.calibration_notebook: the notebook runs headless and its results are plausible.

The grader executes ``weeks/week1/notebooks/calibration_notebook.py`` once (in a temporary
directory, with a time budget) and checks the ``results.json`` its last cell writes.
"""

from __future__ import annotations

import math

import pytest

from grader.notebooks import NotebookRun
from rxvision.data import CLASS_NAMES

SPLITS, METHODS = ("studio", "field"), ("raw", "temperature", "mc_dropout")


def _rows(results: dict) -> dict[tuple[str, str], dict]:
    table = results.get("table")
    assert isinstance(table, list), 'results["table"] should be a list of row dicts'
    return {(row.get("split"), row.get("method")): row for row in table}


def test_table_has_every_split_and_method(notebook_run: NotebookRun) -> None:
    run = (notebook_run.results, notebook_run.cwd)
    rows = _rows(run[0])
    want = {(s, m) for s in SPLITS for m in METHODS}
    assert set(rows) == want, (
        f"the table should have one row per (split, method) {sorted(want)}, got {sorted(rows)}"
    )
    for key, row in rows.items():
        for metric in ("acc", "nll", "ece"):
            value = row.get(metric)
            assert isinstance(value, int | float) and math.isfinite(value), (
                f"{key} {metric}: {value!r}"
            )
        assert 0 <= row["acc"] <= 1 and 0 <= row["ece"] <= 1 and row["nll"] > 0, f"{key}: {row}"


def test_the_model_learned_and_the_field_is_harder(notebook_run: NotebookRun) -> None:
    run = (notebook_run.results, notebook_run.cwd)
    rows = _rows(run[0])
    studio, field = rows[("studio", "raw")]["acc"], rows[("field", "raw")]["acc"]
    chance = 1 / len(CLASS_NAMES)
    assert studio > 3 * chance, (
        f"the small CNN should beat chance ({chance:.3f}) clearly on studio test photos, got "
        f"{studio:.3f}: check the training loop (zero_grad, backward, step)"
    )
    assert field < studio, f"field accuracy ({field:.3f}) should be below studio ({studio:.3f})"


def test_temperature_keeps_accuracy_and_improves_held_out_calibration(
    notebook_run: NotebookRun,
) -> None:
    run = (notebook_run.results, notebook_run.cwd)
    results = run[0]
    rows = _rows(results)
    t = results.get("temperature")
    assert isinstance(t, int | float) and t > 0, f'results["temperature"] should be > 0, got {t!r}'
    for split in SPLITS:
        raw, scaled = rows[(split, "raw")], rows[(split, "temperature")]
        assert scaled["acc"] == pytest.approx(raw["acc"]), (
            f"{split}: dividing logits by T > 0 never changes the argmax, but accuracy went "
            f"{raw['acc']:.3f} -> {scaled['acc']:.3f}"
        )
    val = results.get("val_nll", {})
    assert val.get("temperature", math.inf) <= val.get("raw", -math.inf) + 1e-6, (
        f"the temperature is fitted by minimising the validation NLL, so it cannot be worse "
        f"than T = 1 there: {val}. Divide the logits by T (do not multiply)."
    )
    before, after = rows[("studio", "raw")]["ece"], rows[("studio", "temperature")]["ece"]
    assert after <= before + 0.01, (
        f"on held-out studio photos ECE should not get worse after temperature scaling: "
        f"{before:.4f} -> {after:.4f}"
    )


def test_reliability_bins_and_diagram(notebook_run: NotebookRun) -> None:
    run = (notebook_run.results, notebook_run.cwd)
    results, cwd = run
    n_bins, sizes = results.get("n_bins"), results.get("sizes", {})
    for split in SPLITS:
        for method in METHODS:
            b = results.get("bins", {}).get(f"{split}/{method}")
            assert b is not None, f'results["bins"]["{split}/{method}"] is missing'
            assert len(b["counts"]) == n_bins and sum(b["counts"]) == sizes.get(split), (
                f"{split}/{method}: {n_bins} bins whose counts add up to the {sizes.get(split)} "
                f"test photos, got {b['counts']}"
            )
    diagram = cwd / str(results.get("diagram"))
    assert diagram.is_file() and diagram.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", (
        f'results["diagram"] should name the PNG the notebook saved; {diagram} is not one'
    )
