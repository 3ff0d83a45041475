"""Tests of week1.vit_timm_notebook: the notebook runs headless and its results are plausible.

The grader executes ``weeks/week1/notebooks/vit_timm_notebook.py`` once (in a temporary
directory, with a time budget) and checks the ``results.json`` its last cell writes. The
parameter count is compared with timm's ``vit_tiny_patch16_224`` built with the notebook's
configuration.
"""

from __future__ import annotations

import math

import pytest

from grader.notebooks import NotebookRun
from rxvision.data import CLASS_NAMES

NUM_CLASSES = len(CLASS_NAMES)
CONFIG = {"image_size": 32, "patch_size": 8, "depth": 4}
HEADS, TOKENS = 3, 1 + (32 // 8) ** 2
VAL_IMAGES = 2 * NUM_CLASSES  # the notebook's val subset: samples_per_class=2


def _need(results: dict, *keys: str) -> None:
    missing = [key for key in keys if key not in results]
    assert not missing, (
        f"results.json has no {', '.join(missing)}: fill results[...] in the notebook"
    )


@pytest.mark.clause("create", "params", "num-tokens")
def test_model_configuration_and_parameter_count(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    import timm

    _need(results, "num_classes", "image_size", "patch_size", "depth", "params", "num_tokens")
    got = {key: results[key] for key in CONFIG}
    assert results["num_classes"] == NUM_CLASSES and got == CONFIG, (
        f"keep the notebook's configuration (num_classes={NUM_CLASSES}, {CONFIG}); it reports "
        f"num_classes={results['num_classes']}, {got}"
    )
    model = timm.create_model(
        "vit_tiny_patch16_224",
        pretrained=False,
        num_classes=NUM_CLASSES,
        img_size=CONFIG["image_size"],
        patch_size=CONFIG["patch_size"],
        depth=CONFIG["depth"],
    )
    want = sum(p.numel() for p in model.parameters())
    assert results["params"] == want, (
        f"params should be {want:,} (timm's vit_tiny_patch16_224 with {NUM_CLASSES} classes, "
        f"32 px, patch 8, 4 blocks), the notebook reports {results['params']!r}: did you pass "
        "num_classes, img_size, patch_size and depth to timm.create_model?"
    )
    assert results["num_tokens"] == TOKENS, (
        f"a 32 px image in 8 px patches gives 16 patch tokens plus the class token = {TOKENS}, "
        f"the notebook reports {results['num_tokens']!r}"
    )


@pytest.mark.clause("parity")
def test_your_vit_matches_timm(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    _need(results, "parity_max_abs_diff")
    diff = results["parity_max_abs_diff"]
    assert isinstance(diff, int | float) and 0 <= diff < 1e-5, (
        "your vit_tiny_patch16_224 loaded with timm's state dict should give timm's logits to "
        f"1e-5 in eval mode; the notebook reports a max difference of {diff!r} (week1.vit's tests "
        "localise the problem)"
    )


@pytest.mark.clause("losses", "train-loss", "loss-falls")
def test_fine_tuning_lowers_the_training_loss(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    _need(results, "losses", "train_loss_before", "train_loss_after")
    losses = results["losses"]
    assert isinstance(losses, list) and len(losses) >= 20, (
        f'results["losses"] should hold one loss per step (30 steps), got {losses!r:.120}'
    )
    assert all(isinstance(x, int | float) and math.isfinite(x) for x in losses), (
        f"every loss must be a finite number (NaN means the training diverged): {losses[:8]}"
    )
    before, after = results["train_loss_before"], results["train_loss_after"]
    assert before > 2.5, (
        f"a freshly initialised classifier should start near ln({NUM_CLASSES}) = "
        f"{math.log(NUM_CLASSES):.2f} on the training set, the notebook reports {before!r}"
    )
    assert after < before - 0.02, (
        f"the training-set loss should fall during fine-tuning: {before!r} before, {after!r} "
        "after. Check optimizer.zero_grad / loss.backward / optimizer.step and model.train()."
    )


@pytest.mark.clause("val-accuracy")
def test_validation_accuracy_is_a_fraction_of_the_val_images(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    _need(results, "val_accuracy")
    accuracy = results["val_accuracy"]
    assert isinstance(accuracy, int | float) and 0.0 <= accuracy <= 1.0, (
        f"val_accuracy should be a fraction in [0, 1] (not a percentage), got {accuracy!r}"
    )
    correct = accuracy * VAL_IMAGES
    assert abs(correct - round(correct)) < 1e-4, (
        f"val_accuracy should be (correct predictions) / {VAL_IMAGES}, the fraction of all "
        f"{VAL_IMAGES} val_images classified right; {accuracy!r} x {VAL_IMAGES} = {correct:.3f} "
        "is not a whole number of images"
    )


@pytest.mark.clause("attention-shape", "row-sums")
def test_attention_probabilities(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    _need(results, "attention_shape", "attention_row_sums")
    shape = results["attention_shape"]
    assert shape == [1, HEADS, TOKENS, TOKENS], (
        f"the last block's attention for one image should have shape (1, heads, N, N) = "
        f"[1, {HEADS}, {TOKENS}, {TOKENS}], the notebook reports {shape!r}"
    )
    sums = results["attention_row_sums"]
    assert len(sums) == HEADS * TOKENS and all(abs(s - 1) < 1e-4 for s in sums), (
        "every row of the attention probabilities must sum to 1 (softmax over the keys, the "
        f"LAST dimension); the notebook reports row sums {[round(s, 3) for s in sums[:6]]}..."
    )


@pytest.mark.clause("cls-attention", "overlay-shape")
def test_class_token_attention_map(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    _need(results, "cls_attention", "overlay_shape")
    grid = results["cls_attention"]
    side = CONFIG["image_size"] // CONFIG["patch_size"]
    assert isinstance(grid, list) and [len(row) for row in grid] == [side] * side, (
        f'results["cls_attention"] should be the {side}x{side} patch grid (nested lists), got '
        f"{grid!r:.120}"
    )
    values = [v for row in grid for v in row]
    assert all(v >= 0 for v in values) and 0.0 < sum(values) <= 1.0 + 1e-4, (
        "the class token's attention over the patches (row 0, columns 1:, averaged over heads) "
        f"is a part of a probability row: non-negative, summing to at most 1; got sum "
        f"{sum(values):.4f}"
    )
    assert results["overlay_shape"] == [CONFIG["image_size"]] * 2, (
        f"upsample the map to the image size {CONFIG['image_size']}x{CONFIG['image_size']}, "
        f"got {results['overlay_shape']!r}"
    )


@pytest.mark.clause("results-json")
def test_results_has_every_entry(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    _need(
        results,
        "params",
        "num_tokens",
        "parity_max_abs_diff",
        "losses",
        "train_loss_before",
        "train_loss_after",
        "val_accuracy",
        "attention_shape",
        "attention_row_sums",
        "cls_attention",
        "overlay_shape",
    )
    for key in ("params", "num_tokens"):
        value = results[key]
        assert isinstance(value, int) and not isinstance(value, bool), (
            f'results["{key}"] should be an int, got {value!r}'
        )
