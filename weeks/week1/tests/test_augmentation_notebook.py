"""Tests of week1.augmentation_notebook: which transforms are pill-safe, and the measurements.

The grader executes ``weeks/week1/notebooks/augmentation.py`` once (in a temporary directory, with
a time budget) and checks the ``results.json`` its last cell writes and the contact sheet it saves.
A horizontal flip applied with ``p=1`` must be measured as mirroring every pill; a hue shift must
move the pill's chromaticity far more than any pill-safe transform; a tight crop must cut the pill
off. Run: ``pytest weeks/week1/tests/test_augmentation_notebook.py``.
"""

from __future__ import annotations

from PIL import Image

from grader.notebooks import NotebookRun

SAFE = ("rotate_small", "gaussian_blur", "brightness")
UNSAFE = {
    "hue_jitter": "changes the colour",
    "horizontal_flip": "mirrors the imprint",
    "big_crop": "cuts the pill off",
}
MEASURES = ("colour_drift", "mirrored", "pill_intact")
TILE, PADDING = 64, 2


def _transforms(results: dict) -> dict:
    table = results.get("transforms")
    assert isinstance(table, dict), 'results["transforms"] should map each transform name to a dict'
    missing = [name for name in (*SAFE, *UNSAFE, "identity") if name not in table]
    assert not missing, f'results["transforms"] has no entry for {missing}'
    for name, row in table.items():
        for key in MEASURES:
            value = row.get(key)
            assert isinstance(value, int | float) and -1e-9 <= value <= 3, (
                f'results["transforms"]["{name}"]["{key}"] should be a number (an average over '
                f"the pills), got {value!r}"
            )
    return table


def test_pill_safe_transforms_are_safe(notebook_run: NotebookRun) -> None:
    run = (notebook_run.results, notebook_run.cwd)
    table = _transforms(run[0])
    for name in ("identity", *SAFE):
        row = table[name]
        assert row.get("safe") is True, (
            f"{name} should be pill-safe (it keeps colour, orientation and the whole pill), the "
            f"notebook says safe={row.get('safe')!r} because {row.get('reasons')}; measured "
            f"{ {k: round(row[k], 4) for k in MEASURES} }"
        )


def test_unsafe_transforms_are_unsafe_for_the_right_reason(notebook_run: NotebookRun) -> None:
    run = (notebook_run.results, notebook_run.cwd)
    table = _transforms(run[0])
    for name, reason in UNSAFE.items():
        row = table[name]
        assert row.get("safe") is False and reason in row.get("reasons", []), (
            f"{name} should be unsafe because it {reason}; the notebook says "
            f"safe={row.get('safe')!r}, reasons={row.get('reasons')!r}, measured "
            f"{ {k: round(row[k], 4) for k in MEASURES} }"
        )


def test_flip_mirrors_every_pill_and_nothing_else_does(notebook_run: NotebookRun) -> None:
    run = (notebook_run.results, notebook_run.cwd)
    table = _transforms(run[0])
    flip = table["horizontal_flip"]["mirrored"]
    assert flip == 1.0, (
        f"a horizontal flip applied with p=1.0 mirrors every pill, so its 'mirrored' should be "
        f"1.0; got {flip}. Check that the flip always acts (RandomHorizontalFlip defaults to p=0.5)"
        " and the mirror test (correlation with image.flip(-1) larger than with image)."
    )
    for name in ("identity", *SAFE, "hue_jitter"):
        got = table[name]["mirrored"]
        assert got <= 0.1, f"{name} does not mirror pills, but 'mirrored' is {got}"


def test_hue_shift_moves_the_colour_far_more_than_safe_transforms(
    notebook_run: NotebookRun,
) -> None:
    run = (notebook_run.results, notebook_run.cwd)
    results = run[0]
    table = _transforms(results)
    threshold = results.get("thresholds", {}).get("colour_drift")
    safe = {name: table[name]["colour_drift"] for name in ("identity", *SAFE)}
    hue = table["hue_jitter"]["colour_drift"]
    assert table["identity"]["colour_drift"] < 1e-6, (
        f"the identity cannot move the colour, measured drift {table['identity']['colour_drift']}"
    )
    assert hue > 10 * max(safe.values()) and hue > 0.1, (
        f"a hue shift of 0.2-0.5 turns pink into blue: its chromaticity drift ({hue:.4f}) should "
        f"be more than 10x that of every safe transform ({safe}). Brightness must barely move it: "
        "measure chromaticity (r, g, b) / (r + g + b), not raw RGB."
    )
    assert isinstance(threshold, int | float) and max(safe.values()) <= threshold < hue, (
        f'results["thresholds"]["colour_drift"] ({threshold!r}) should separate the safe '
        f"transforms ({max(safe.values()):.4f}) from the hue shift ({hue:.4f})"
    )


def test_big_crop_cuts_the_pill_off(notebook_run: NotebookRun) -> None:
    run = (notebook_run.results, notebook_run.cwd)
    table = _transforms(run[0])
    crop = table["big_crop"]["pill_intact"]
    assert crop <= 0.2, (
        f"a crop of 5-15% of the area cannot hold the whole central disk, yet pill_intact is "
        f"{crop}: transform the image and the DISK mask in one call so they share the crop"
    )
    for name in ("identity", *SAFE, "horizontal_flip"):
        got = table[name]["pill_intact"]
        assert got >= 0.9, f"{name} keeps the pill in the frame, but pill_intact is {got}"


def test_policy_is_the_safe_transforms(notebook_run: NotebookRun) -> None:
    run = (notebook_run.results, notebook_run.cwd)
    results = run[0]
    table = _transforms(results)
    want = [name for name, row in table.items() if row.get("safe")]
    assert results.get("policy") == want, (
        f'results["policy"] should list the safe transforms in order, {want}, got '
        f"{results.get('policy')!r}"
    )


def test_contact_sheet_saved(notebook_run: NotebookRun) -> None:
    run = (notebook_run.results, notebook_run.cwd)
    results, cwd = run
    sheet = results.get("contact_sheet")
    assert isinstance(sheet, dict), 'results["contact_sheet"] should describe the saved grid'
    path = cwd / str(sheet.get("path", ""))
    assert path.is_file() and path.suffix == ".png", (
        f"the contact sheet {sheet.get('path')!r} was not saved as a PNG in the working directory"
    )
    rows, cols = sheet.get("rows"), sheet.get("cols")
    assert cols == 1 + len(results["transforms"]), (
        f"the sheet should have one column for the original plus one per transform "
        f"({1 + len(results['transforms'])}), it has {cols}"
    )
    want = [3, rows * (TILE + PADDING) + PADDING, cols * (TILE + PADDING) + PADDING]
    assert sheet.get("shape") == want, (
        f"make_grid of {rows} x {cols} tiles of {TILE} px with padding {PADDING} has shape "
        f"{want}, the notebook reports {sheet.get('shape')}"
    )
    with Image.open(path) as image:
        assert image.size == (want[2], want[1]), (
            f"{path.name} is {image.size[0]}x{image.size[1]} px, expected {want[2]}x{want[1]}"
        )
