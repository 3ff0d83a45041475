"""Tests of week1.calibration_notebook: the notebook runs headless and its results hang together.

The grader executes ``weeks/week1/notebooks/calibration_notebook.py`` once (in a temporary
directory, with a time budget) and checks the ``results.json`` its last cell writes. The
probabilities themselves are not in the results, so the checks are those that every correct
answer satisfies, whatever its random draws: each row's accuracy and ECE are the ones its
reliability bins give (computed here as the reference ``expected_calibration_error`` does), each
bin's confidence lies between its edges, the NLL is never below what the confidences allow,
dividing the logits by ``T`` moves the confidences the way ``T`` says, and MC dropout really
samples.
"""

from __future__ import annotations

import math

import pytest
from PIL import Image

from grader.notebooks import NotebookRun
from rxvision.data import CLASS_NAMES

SPLITS, METHODS = ("studio", "field"), ("raw", "temperature", "mc_dropout")
TOL = 1e-4  # float32 metrics against float64 bins, round-tripped through JSON


def _rows(results: dict) -> dict[tuple[str, str], dict]:
    table = results.get("table")
    assert isinstance(table, list), 'results["table"] should be a list of row dicts'
    return {(row.get("split"), row.get("method")): row for row in table}


def _bins(results: dict, split: str, method: str) -> dict:
    b = results.get("bins", {}).get(f"{split}/{method}")
    assert isinstance(b, dict), f'results["bins"]["{split}/{method}"] is missing'
    return b


def _mean_confidence(b: dict) -> float:
    """The mean top-1 confidence of all the samples, from their bins."""
    return sum(n * c for n, c in zip(b["counts"], b["confidence"], strict=True)) / sum(b["counts"])


@pytest.mark.clause("table")
def test_table_has_every_split_and_method(notebook_run: NotebookRun) -> None:
    rows = _rows(notebook_run.results)
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


@pytest.mark.clause("trained")
def test_the_model_learned_and_the_field_is_harder(notebook_run: NotebookRun) -> None:
    rows = _rows(notebook_run.results)
    studio, field = rows[("studio", "raw")]["acc"], rows[("field", "raw")]["acc"]
    chance = 1 / len(CLASS_NAMES)
    assert studio > 3 * chance, (
        f"the small CNN should beat chance ({chance:.3f}) clearly on studio test photos, got "
        f"{studio:.3f}: check the training loop (zero_grad, backward, step)"
    )
    assert field < studio, f"field accuracy ({field:.3f}) should be below studio ({studio:.3f})"


@pytest.mark.clause("val-nll", "studio-ece")
def test_temperature_improves_validation_nll_and_held_out_calibration(
    notebook_run: NotebookRun,
) -> None:
    results = notebook_run.results
    rows = _rows(results)
    t = results.get("temperature")
    assert isinstance(t, int | float) and t > 0, f'results["temperature"] should be > 0, got {t!r}'
    val = results.get("val_nll", {})
    assert val.get("temperature", math.inf) <= val.get("raw", -math.inf) + 1e-6, (
        f"the temperature is fitted by minimising the validation NLL, so it cannot be worse "
        f"than T = 1 there: {val}. Fit it on the val logits only, and divide the logits by T "
        "(do not multiply)."
    )
    before, after = rows[("studio", "raw")]["ece"], rows[("studio", "temperature")]["ece"]
    assert after <= before + 0.01, (
        f"on held-out studio photos ECE should not get worse after temperature scaling: "
        f"{before:.4f} -> {after:.4f}"
    )


@pytest.mark.clause("method-probs")
def test_temperature_keeps_accuracy_and_moves_confidence_the_way_t_says(
    notebook_run: NotebookRun,
) -> None:
    results = notebook_run.results
    rows, t = _rows(results), results.get("temperature")
    assert isinstance(t, int | float) and t > 0, f'results["temperature"] should be > 0, got {t!r}'
    for split in SPLITS:
        raw, scaled = rows[(split, "raw")], rows[(split, "temperature")]
        assert scaled["acc"] == pytest.approx(raw["acc"]), (
            f"{split}: dividing logits by T > 0 never changes the argmax, but accuracy went "
            f"{raw['acc']:.3f} -> {scaled['acc']:.3f}"
        )
        if abs(t - 1) < 0.01:
            continue
        before = _mean_confidence(_bins(results, split, "raw"))
        after = _mean_confidence(_bins(results, split, "temperature"))
        assert (after - before) * (1 - t) > 0, (
            f"{split}: with T = {t:.3f} the temperature-scaled confidences should be "
            f"{'lower' if t > 1 else 'higher'} than the raw ones (T > 1 softens, T < 1 "
            f"sharpens), but the mean confidence went {before:.4f} -> {after:.4f}: the "
            "temperature row must use softmax(logits / T) of that split"
        )


@pytest.mark.clause("dropout", "method-probs")
def test_mc_dropout_really_samples(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    rows = _rows(results)
    for split in SPLITS:
        raw, mc = rows[(split, "raw")], rows[(split, "mc_dropout")]
        b_raw, b_mc = _bins(results, split, "raw"), _bins(results, split, "mc_dropout")
        gap = max(
            abs(raw["nll"] - mc["nll"]),
            abs(_mean_confidence(b_raw) - _mean_confidence(b_mc)),
        )
        assert gap > TOL, (
            f"{split}: the mc_dropout row is the raw row again (NLL {raw['nll']:.4f} and "
            f"{mc['nll']:.4f}): the model needs its Dropout(0.3) layer, and the row the "
            "probabilities of mc_dropout_predict(model, images, MC_SAMPLES)"
        )


@pytest.mark.clause("bins")
def test_reliability_bins(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    n_bins, sizes = results.get("n_bins"), results.get("sizes", {})
    for split in SPLITS:
        for method in METHODS:
            b = _bins(results, split, method)
            where = f'results["bins"]["{split}/{method}"]'
            for key in ("counts", "confidence", "accuracy"):
                assert isinstance(b.get(key), list) and len(b[key]) == n_bins, (
                    f"{where}[{key!r}] should be a list of {n_bins} values (N_BINS), got "
                    f"{b.get(key)!r}"
                )
            assert sum(b["counts"]) == sizes.get(split), (
                f"{where}: the counts should add up to the {sizes.get(split)} test photos of "
                f"{split}, got {b['counts']}"
            )
            for i, (n, conf, acc) in enumerate(
                zip(b["counts"], b["confidence"], b["accuracy"], strict=True)
            ):
                low, high = i / n_bins, (i + 1) / n_bins
                if n == 0:
                    assert conf == 0 and acc == 0, (
                        f"{where}: empty bin {i} should have confidence 0 and accuracy 0, got "
                        f"{conf} and {acc}"
                    )
                    continue
                assert low - 1e-6 <= conf <= high + 1e-6 and 0 <= acc <= 1, (
                    f"{where}: bin {i} holds confidences in [{low:.1f}, {high:.1f}], but its "
                    f"mean confidence is {conf} (accuracy {acc}): bin the probabilities "
                    "(softmax), not the logits, with reliability_bins(probs, labels, N_BINS)"
                )


@pytest.mark.clause("metrics")
def test_each_row_agrees_with_its_bins(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    rows = _rows(results)
    for split in SPLITS:
        for method in METHODS:
            row, b = rows[(split, method)], _bins(results, split, method)
            total = sum(b["counts"])
            acc = sum(n * a for n, a in zip(b["counts"], b["accuracy"], strict=True)) / total
            ece = sum(
                n * abs(a - c)
                for n, a, c in zip(b["counts"], b["accuracy"], b["confidence"], strict=True)
            )
            ece /= total
            assert row["acc"] == pytest.approx(acc, abs=TOL), (
                f"{split}/{method}: acc {row['acc']:.4f} but its bins say {acc:.4f}: the row and "
                "its bins must come from the same probabilities"
            )
            assert row["ece"] == pytest.approx(ece, abs=TOL), (
                f"{split}/{method}: ece {row['ece']:.4f}, but the ECE of its {len(b['counts'])} "
                f"bins is {ece:.4f}: compute it with "
                "expected_calibration_error(probs, labels, N_BINS) (pass N_BINS: the default "
                "is 15 bins)"
            )
            # p[label] <= top-1 confidence, and -log is convex: NLL >= -log(mean confidence)
            floor = -math.log(_mean_confidence(b))
            assert row["nll"] >= floor - TOL, (
                f"{split}/{method}: nll {row['nll']:.4f} is below -log(mean confidence) = "
                f"{floor:.4f}, which no mean of -log p[label] can be: use the natural log of "
                "the probability of the true label"
            )


@pytest.mark.clause("diagram")
def test_reliability_diagram_is_saved(notebook_run: NotebookRun) -> None:
    results, cwd = notebook_run.results, notebook_run.cwd
    diagram = cwd / str(results.get("diagram"))
    assert diagram.is_file() and diagram.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", (
        f'results["diagram"] should name the PNG the notebook saved; {diagram} is not one'
    )
    with Image.open(diagram) as image:
        colours = image.convert("RGB").getcolors(maxcolors=4)
    assert colours is None or len(colours) > 1, (
        f"{diagram.name} is blank: draw the four panels (bars, diagonal, titles) on it"
    )
