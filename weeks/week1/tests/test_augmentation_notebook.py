"""Tests of week1.augmentation_notebook: which transforms are pill-safe, and the measurements.

The grader executes ``weeks/week1/notebooks/augmentation.py`` once (in a temporary directory, with
a time budget) and checks the ``results.json`` its last cell writes and the contact sheet it saves.
A horizontal flip applied with ``p=1`` must be measured as mirroring every pill; a hue shift must
move the pill's chromaticity far more than any pill-safe transform; a tight crop must cut the pill
off. The deterministic transforms (identity, the p=1 flip, grayscale) are measured again here,
with the formulas of the notebook's part 3, and must give the same numbers. Run:
``pytest weeks/week1/tests/test_augmentation_notebook.py``.
"""

from __future__ import annotations

import pytest
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
ORDER = (  # the notebook's TRANSFORMS, in order
    "identity",
    "rotate_small",
    "gaussian_blur",
    "brightness",
    "hue_jitter",
    "horizontal_flip",
    "big_crop",
    "grayscale",
)
REASONS = {  # measure -> (unsafe when, reason)
    "colour_drift": (lambda value, limit: value > limit, "changes the colour"),
    "mirrored": (lambda value, limit: value > limit, "mirrors the imprint"),
    "pill_intact": (lambda value, limit: value < limit, "cuts the pill off"),
}
THRESHOLDS = {"colour_drift": 0.05, "mirrored": 0.5, "pill_intact": 0.9}
SIZE, DISK_RADIUS = 64, 0.2 * 64


def _transforms(results: dict) -> dict:
    table = results.get("transforms")
    assert isinstance(table, dict), 'results["transforms"] should map each transform name to a dict'
    missing = [name for name in ORDER if name not in table]
    assert not missing, f'results["transforms"] has no entry for {missing}'
    for name, row in table.items():
        for key in MEASURES:
            value = row.get(key)
            assert isinstance(value, int | float) and -1e-9 <= value <= 3, (
                f'results["transforms"]["{name}"]["{key}"] should be a number (an average over '
                f"the pills), got {value!r}"
            )
    return table


@pytest.mark.clause("expected-verdicts")
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


@pytest.mark.clause("expected-verdicts", "verdicts")
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


@pytest.mark.clause("flip-always", "mirrored")
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


@pytest.mark.clause("colour-drift")
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


@pytest.mark.clause("pill-intact")
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


@pytest.mark.clause("policy")
def test_policy_is_the_safe_transforms(notebook_run: NotebookRun) -> None:
    run = (notebook_run.results, notebook_run.cwd)
    results = run[0]
    table = _transforms(results)
    want = [name for name in ORDER if table[name].get("safe")]
    assert results.get("policy") == want, (
        f'results["policy"] should list the safe transforms in TRANSFORMS order, {want}, got '
        f"{results.get('policy')!r}"
    )


@pytest.mark.clause("transforms")
def test_transforms_have_the_given_names(notebook_run: NotebookRun) -> None:
    table = _transforms(notebook_run.results)
    extra = sorted(set(table) - set(ORDER))
    assert not extra, (
        f'results["transforms"] should hold exactly the transforms {list(ORDER)}; it also has '
        f"{extra}"
    )


@pytest.mark.clause("verdicts")
def test_verdicts_follow_the_thresholds(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    table = _transforms(results)
    assert results.get("thresholds") == THRESHOLDS, (
        f'keep the given THRESHOLDS {THRESHOLDS}, results["thresholds"] is '
        f"{results.get('thresholds')!r}"
    )
    for name in ORDER:
        row = table[name]
        want = [
            reason for key, (unsafe, reason) in REASONS.items() if unsafe(row[key], THRESHOLDS[key])
        ]
        reasons = row.get("reasons")
        assert isinstance(reasons, list) and sorted(reasons) == sorted(want), (
            f"{name}: with its measurements { {k: round(row[k], 4) for k in MEASURES} } and the "
            f"thresholds {THRESHOLDS}, its reasons should be {want}; the notebook says {reasons!r}"
        )
        assert row.get("safe") is (not want), (
            f"{name} is safe exactly when it has no reason to be unsafe ({want}); the notebook "
            f"says safe={row.get('safe')!r}"
        )


def _reference_measurements() -> dict[str, dict[str, float]]:
    """The notebook's part 3 for the deterministic transforms, written out independently (in
    numpy: the test process need not import torchvision)."""
    import numpy as np

    from rxvision.data import generate

    images_np, _ = generate("studio", samples_per_class=1, size=SIZE, seed=0)
    images = images_np.transpose(0, 3, 1, 2).astype(np.float64)  # (N, 3, H, W), values 0..255
    yy, xx = np.meshgrid(np.arange(SIZE), np.arange(SIZE), indexing="ij")
    centre = (SIZE - 1) / 2
    disk = ((yy - centre) ** 2 + (xx - centre) ** 2) <= DISK_RADIUS**2

    def chroma(image: np.ndarray) -> np.ndarray:
        rgb = image[:, disk]  # (3, pixels of the disk)
        return (rgb / np.maximum(rgb.sum(0), 1.0)).mean(1)

    def pearson(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.corrcoef(a.mean(0).ravel(), b.mean(0).ravel())[0, 1])

    def whole(m: np.ndarray) -> bool:
        edges = np.concatenate([m[0], m[-1], m[:, 0], m[:, -1]])
        return bool(m.any()) and not bool(edges.any())

    def grayscale(image: np.ndarray) -> np.ndarray:
        # v2.Grayscale on uint8: 0.2989 r + 0.587 g + 0.114 b in float32, truncated to uint8
        r, g, b = image.astype(np.float32)
        gray = (r * np.float32(0.2989) + g * np.float32(0.587) + b * np.float32(0.114)).astype(
            np.uint8
        )
        return np.broadcast_to(gray.astype(np.float64), image.shape)

    transforms = {  # name -> (image transform, mask transform)
        "identity": (lambda x: x, lambda m: m),
        "horizontal_flip": (lambda x: x[..., ::-1], lambda m: m[..., ::-1]),
        "grayscale": (grayscale, lambda m: m),
    }
    table = {}
    for name, (transform, move_mask) in transforms.items():
        rows = []
        for image in images:
            out = transform(image)
            rows.append(
                (
                    float(np.abs(chroma(out) - chroma(image)).sum()),
                    float(pearson(out, image[..., ::-1]) > pearson(out, image)),
                    float(whole(move_mask(disk))),
                )
            )
        table[name] = {key: sum(r[i] for r in rows) / len(rows) for i, key in enumerate(MEASURES)}
    return table


@pytest.mark.clause("colour-drift", "mirrored", "pill-intact")
def test_deterministic_transforms_match_the_reference_measurements(
    notebook_run: NotebookRun,
) -> None:
    results = notebook_run.results
    table = _transforms(results)
    assert results.get("image_size") == SIZE and results.get("n_images") == 26, (
        f"keep the notebook's given images (26 pills of {SIZE} px); results.json reports "
        f"image_size={results.get('image_size')!r}, n_images={results.get('n_images')!r}"
    )
    for name, want in _reference_measurements().items():
        got = {key: table[name][key] for key in MEASURES}
        bad = [key for key in MEASURES if abs(got[key] - want[key]) > 1e-4]
        assert not bad, (
            f"{name} is deterministic, so its measurements are known: {bad} should be "
            f"{ {k: round(want[k], 5) for k in bad} }, the notebook reports "
            f"{ {k: round(got[k], 5) for k in bad} }. colour_drift sums |chroma(out) - "
            "chroma(image)| over r, g, b, where chroma is the MEAN over the disk's pixels of "
            "(r, g, b) / (r + g + b) (not the chromaticity of the mean colour, not the whole "
            "image); mirrored compares Pearson correlations of the channel-mean images."
        )


@pytest.mark.clause("contact-sheet")
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


@pytest.mark.clause("results-json")
def test_results_has_every_entry(notebook_run: NotebookRun) -> None:
    results = notebook_run.results
    missing = [key for key in ("contact_sheet", "transforms", "policy") if key not in results]
    assert not missing, f"results.json has no {missing}: fill results[...] in the notebook"
    assert isinstance(results["policy"], list), (
        f'results["policy"] should be a list of names, got {results["policy"]!r}'
    )
