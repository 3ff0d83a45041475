"""Tests of week1.efficientnet_notebook: the notebook runs headless and its results are plausible.

The grader executes ``weeks/week1/notebooks/efficientnet.py`` once (in a temporary directory, with
a time budget) and checks the ``results.json`` its last cell writes. Parameter counts are compared
and B0's per-stage parameters with timm's ``efficientnet_b0/b1/b3`` built for the same number
of classes (timm is the reference implementation whose layout the course's EfficientNet follows).
"""

from __future__ import annotations

import math

import pytest

from grader.notebooks import NotebookRun
from rxvision.data import CLASS_NAMES

NUM_CLASSES = len(CLASS_NAMES)
B0_BLOCKS = [1, 2, 2, 3, 3, 4, 1]
B0_CHANNELS = [16, 24, 40, 80, 112, 192, 320]
B0_STRIDES = [1, 2, 2, 2, 1, 2, 1]
SCALING = {  # variant -> width, depth, resolution, dropout, blocks per stage
    "b0": (1.0, 1.0, 224, 0.2, B0_BLOCKS),
    "b1": (1.0, 1.1, 240, 0.2, [2, 3, 3, 4, 4, 5, 2]),
    "b3": (1.2, 1.4, 300, 0.3, [2, 3, 3, 5, 5, 6, 2]),
}


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


class _TimmParams(dict):
    """Parameter counts of timm's efficientnet_b0/b1/b3 with NUM_CLASSES outputs, and under
    ``"b0_stages"`` the parameters of each of B0's seven stages; the models are built at the
    first lookup, after the notebook has run (an untouched notebook costs no timm models)."""

    def __missing__(self, key: str) -> int | list[int]:
        import timm

        for variant in SCALING:
            model = timm.create_model(
                f"efficientnet_{variant}", pretrained=False, num_classes=NUM_CLASSES
            )
            self[variant] = _count(model)
            if variant == "b0":
                self["b0_stages"] = [_count(stage) for stage in model.blocks]
        return self[key]


@pytest.fixture(scope="module")
def timm_params() -> dict[str, int | list[int]]:
    """See :class:`_TimmParams`."""
    return _TimmParams()


def _need(results: dict, *keys: str) -> None:
    missing = [key for key in keys if key not in results]
    assert not missing, (
        f"results.json has no {', '.join(missing)}: fill results[...] in the notebook"
    )


@pytest.mark.clause("num-classes", "params")
def test_parameter_counts_match_timm(
    notebook_run: NotebookRun, timm_params: dict[str, int | list[int]]
) -> None:
    results = notebook_run.results
    _need(results, "num_classes", "params_b0", "params_b1", "params_b3")
    assert results["num_classes"] == NUM_CLASSES, (
        f"build the models with num_classes=len(CLASS_NAMES) = {NUM_CLASSES}, the notebook "
        f"reports {results['num_classes']}"
    )
    for variant in SCALING:
        want, got = timm_params[variant], results[f"params_{variant}"]
        assert got == want, (
            f"params_{variant} should be {want:,} (timm's efficientnet_{variant} with "
            f"{NUM_CLASSES} classes), the notebook reports {got!r}"
        )


@pytest.mark.clause("stages")
def test_stage_summary_of_b0(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    _need(results, "stages", "params_b0")
    stages = results["stages"]
    assert isinstance(stages, list) and len(stages) == 7, (
        f'results["stages"] should list B0\'s 7 stages, got {stages!r:.200}'
    )
    for key, want in (("blocks", B0_BLOCKS), ("out_chs", B0_CHANNELS), ("stride", B0_STRIDES)):
        got = [stage.get(key) for stage in stages]
        assert got == want, f'B0 stage "{key}" should be {want}, the notebook reports {got}'
    params = [stage.get("params") for stage in stages]
    assert all(isinstance(p, int) and p > 0 for p in params), f"stage params: {params}"
    assert sum(params) < results["params_b0"], (
        "the stages' parameters should add up to less than the whole model (stem, head and "
        f"classifier come on top): {sum(params):,} vs {results['params_b0']:,}"
    )


@pytest.mark.clause("stage-params")
def test_stage_parameters_match_timm(
    notebook_run: NotebookRun, timm_params: dict[str, int | list[int]]
) -> None:
    results = notebook_run.results
    _need(results, "stages")
    want = timm_params["b0_stages"]
    got = [stage.get("params") if isinstance(stage, dict) else None for stage in results["stages"]]
    assert got == want, (
        f'results["stages"][i]["params"] should be the parameters of the whole stage i, all its '
        f"blocks (count_params(model.blocks[i])): timm's efficientnet_b0 has {want}, the "
        f"notebook reports {got}"
    )


@pytest.mark.clause("scaling")
def test_compound_scaling_table(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    _need(results, "scaling")
    table = results["scaling"]
    keys = ("width", "depth", "resolution", "dropout", "blocks")
    for variant, want in SCALING.items():
        assert variant in table, f'results["scaling"] has no row for {variant!r}'
        row = table[variant]
        got = tuple(row.get(key) for key in keys)
        assert got == want, (
            f"{variant}: ({', '.join(keys)} per stage) should be {want} (SCALING[{variant!r}] "
            f"and the blocks of the {variant} model itself), the notebook reports {got}"
        )
        assert row.get("params") == results.get(f"params_{variant}"), (
            f'results["scaling"]["{variant}"]["params"] should equal results["params_{variant}"]'
        )


@pytest.mark.clause("out-shape", "feature-shape", "prob-sums")
def test_forward_pass_shapes(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    _need(results, "out_shape", "feature_shape", "prob_sums", "image_size")
    assert results["out_shape"] == [8, NUM_CLASSES], (
        f"logits of a batch of 8 should have shape [8, {NUM_CLASSES}], the notebook reports "
        f"{results['out_shape']}"
    )
    size = results["image_size"]
    side = math.ceil(size / 32)
    assert results["feature_shape"] == [8, 1280, side, side], (
        f"forward_features of 8 images at {size} px should have shape [8, 1280, {side}, {side}] "
        f"(B0 downsamples 32x), the notebook reports {results['feature_shape']}"
    )
    sums = results["prob_sums"]
    assert len(sums) == 8 and all(abs(s - 1) < 1e-4 for s in sums), (
        f"each row of softmax(logits) should sum to 1, got {sums}"
    )


@pytest.mark.clause("losses", "initial-loss", "loss-falls")
def test_training_loss_falls(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    _need(results, "losses", "steps", "batch_size")
    losses = results["losses"]
    assert isinstance(losses, list) and len(losses) >= 20, (
        f'results["losses"] should hold one loss per step of a few dozen steps, got {len(losses)}'
        if isinstance(losses, list)
        else f'results["losses"] should be a list, got {type(losses).__name__}'
    )
    assert len(losses) == results["steps"], (
        f'results["losses"] should hold one loss per training step: results["steps"] is '
        f"{results['steps']!r}, the list has {len(losses)}"
    )
    batch_size = results["batch_size"]
    assert isinstance(batch_size, int) and batch_size > 0, (
        f'results["batch_size"] should be the minibatch size (BATCH_SIZE), got {batch_size!r}'
    )
    assert all(isinstance(x, int | float) and math.isfinite(x) for x in losses), (
        f"every loss must be a finite number (NaN means the training diverged): {losses[:8]}"
    )
    assert losses[0] > 1.0, (
        f"a freshly initialised model should start near ln({NUM_CLASSES}) = "
        f"{math.log(NUM_CLASSES):.2f} or above, the first loss is {losses[0]:.3f}"
    )
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < 0.9 * first, (
        "the loss should fall by more than 10%: mean of the first 5 steps "
        f"{first:.3f}, of the last 5 {last:.3f}. Check optimizer.zero_grad / loss.backward / "
        "optimizer.step, model.train() and the learning rate."
    )


@pytest.mark.clause("results-json")
def test_results_has_every_entry(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    required = ("params_b0", "params_b1", "params_b3", "stages", "scaling", "out_shape", "losses")
    _need(results, *required, "feature_shape", "prob_sums", "steps", "batch_size")
    for variant in SCALING:
        value = results[f"params_{variant}"]
        assert isinstance(value, int) and not isinstance(value, bool), (
            f'results["params_{variant}"] should be an int (a parameter count), got {value!r}'
        )
