"""B0 vs B1 vs B3 scaling report: sections, a results table whose parameters and FLOPs match the
oracles, plausible orderings, a stated training budget, and a discussion of compound scaling.

Oracles: timm's ``efficientnet_b0/b1/b3(num_classes=26)`` for the parameter counts (within 1%)
and ``torch.utils.flop_counter.FlopCounterMode`` for the FLOPs of one image at the resolution you
state (within 10%). The template ``weeks/week1/portfolio/scaling_report.md`` documents the format
and the script that produces the numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import timm
import torch
from torch.utils.flop_counter import FlopCounterMode

from grader import star, written

SECTIONS: dict[str, tuple[tuple[str, ...], int]] = {
    # name -> (accepted heading words, minimum words)
    "Setup": (("setup", "method"), 40),
    "Results": (("result",), 0),
    "Discussion": (("discussion", "analysis"), 120),
    "Recommendation": (("recommendation", "conclusion"), 40),
}
VARIANTS = ("b0", "b1", "b3")
COLUMNS = {
    # key -> accepted header spellings (lower case, substring)
    "variant": ("variant", "model"),
    "resolution": ("resolution", "size", "px"),
    "params": ("param",),
    "gflops": ("gflop",),
    "latency": ("latency",),
    "accuracy": ("acc",),
}
RESOLUTION_RANGE = (32, 320)
NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?")
SCALE = {"": 1.0, "k": 1e3, "m": 1e6}
BUDGET = re.compile(r"\b\d[\d,]*\s*(?:training\s+)?(?:steps?|epochs?|iterations?|updates?)\b", re.I)
SCALING_WORDS = (
    ("alpha", "α", "depth"),
    ("beta", "β", "width"),
    ("gamma", "γ", "resolution"),
)


@pytest.fixture
def document(target_path: Path) -> written.Document:
    return written.load(target_path)


def _section(document: written.Document, name: str) -> str:
    return document.section(name, *SECTIONS[name][0]) or ""


def _number(cell: str, *, suffix: bool = False) -> float | None:
    """The first number of a table cell; with ``suffix``, ``4.04 M`` / ``4,040k`` are scaled."""
    match = NUMBER.search(cell)
    if not match:
        return None
    value = float(match.group(0).replace(",", ""))
    if suffix:
        rest = cell[match.end() :].strip().lower()[:1]
        value *= SCALE.get(rest if rest in SCALE else "", 1.0)
    return value


def _table(document: written.Document) -> dict[str, dict[str, float | None]]:
    """Results rows by variant ("b0") -> column key -> number, with helpful failures."""
    rows = star.table_rows(_section(document, "Results"))
    assert rows, (
        "`## Results` needs a Markdown table: | Variant | Resolution | Params | GFLOPs | "
        "Latency ms | Accuracy % | with a `|---|` rule and one row per variant"
    )
    header = list(rows[0])
    columns = {}
    for key, spellings in COLUMNS.items():
        found = [h for h in header if any(s in h for s in spellings)]
        assert found, f"the results table has no {key!r} column; its header is {header}"
        columns[key] = found[0]
    table: dict[str, dict[str, float | None]] = {}
    for row in rows:
        match = re.search(r"b\s*([0-7])\b", row[columns["variant"]], re.IGNORECASE)
        if not match:
            continue
        table[f"b{match.group(1)}"] = {
            key: _number(row[column], suffix=key == "params")
            for key, column in columns.items()
            if key != "variant"
        }
    missing = [v.upper() for v in VARIANTS if v not in table]
    assert not missing, (
        f"the results table needs one row per variant; missing {missing} (variant cells such as "
        f"`B0` or `EfficientNet-B0`), found {sorted(table)}"
    )
    empty = [
        f"{v.upper()} {key}" for v in VARIANTS for key, value in table[v].items() if value is None
    ]
    assert not empty, f"fill every cell of the results table with a number; empty: {empty}"
    return table


@pytest.fixture(scope="module")
def oracle() -> Callable[[str, int | None], int]:
    """``oracle("b0")``: parameters; ``oracle("b0", 64)``: FLOPs of one 64 px image (26 classes)."""
    models: dict[str, torch.nn.Module] = {}
    flops: dict[tuple[str, int], int] = {}

    def get(variant: str, size: int | None = None) -> int:
        if variant not in models:
            torch.manual_seed(0)
            models[variant] = timm.create_model(f"efficientnet_{variant}", num_classes=26).eval()
        model = models[variant]
        if size is None:
            return sum(p.numel() for p in model.parameters())
        if (variant, size) not in flops:
            with torch.no_grad(), FlopCounterMode(display=False) as counter:
                model(torch.zeros(1, 3, size, size))
            flops[(variant, size)] = int(counter.get_total_flops())
        return flops[(variant, size)]

    return get


# -- sections ----------------------------------------------------------------------------------
def test_every_section_is_written(document: written.Document) -> None:
    short = document.too_short(SECTIONS)
    assert not short, (
        f"write each section of the template: missing or too short: {', '.join(short)}; "
        f"headings found: {list(document.sections)}"
    )


def test_setup_states_the_training_budget(document: written.Document) -> None:
    body = _section(document, "Setup")
    assert BUDGET.search(body), (
        "state the training budget in `## Setup` as a number of steps or epochs (e.g. '60 steps "
        "of 32 images'), the same for the three variants"
    )


# -- the results table -------------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_params_match_timm(document: written.Document, oracle: Callable, variant: str) -> None:
    row = _table(document)[variant]
    want = oracle(variant)
    got = row["params"]
    assert got is not None and abs(got - want) <= 0.01 * want, (
        f"{variant.upper()} with 26 classes has {want:,} parameters (timm), your table says "
        f"{got:,.0f}: within 1% expected. Count with week1.flop_counter's count_params."
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_gflops_match_the_flop_counter(
    document: written.Document, oracle: Callable, variant: str
) -> None:
    row = _table(document)[variant]
    size = int(row["resolution"] or 0)
    low, high = RESOLUTION_RANGE
    assert low <= size <= high, (
        f"{variant.upper()}'s resolution should be a side length in pixels between {low} and "
        f"{high}, got {row['resolution']}"
    )
    flops = oracle(variant, size)
    want, got = flops / 1e9, float(row["gflops"] or 0.0)
    assert abs(got - want) <= 0.1 * want, (
        f"{variant.upper()} at {size}x{size} costs {want:.4f} GFLOPs for one image "
        f"(FlopCounterMode, 2 FLOPs per multiply-add); your table says {got:.4f}. Half of it "
        "means you reported G multiply-adds; check the resolution and the batch of one."
    )


def test_params_and_flops_grow_from_b0_to_b3(document: written.Document) -> None:
    table = _table(document)
    for key in ("params", "gflops"):
        values = [table[v][key] for v in VARIANTS]
        assert values[0] < values[1] < values[2], (
            f"compound scaling makes {key} grow B0 < B1 < B3; your table has {values}"
        )


def test_latency_and_accuracy_are_plausible(document: written.Document) -> None:
    table = _table(document)
    latency = {v: float(table[v]["latency"] or 0.0) for v in VARIANTS}
    assert all(ms > 0 for ms in latency.values()), f"latencies must be positive ms: {latency}"
    assert latency["b3"] > latency["b0"], (
        f"B3 does about 3x the FLOPs of B0 at a larger resolution; a B3 latency of "
        f"{latency['b3']} ms not above B0's {latency['b0']} ms suggests a measurement error "
        "(warm-up runs, the median of many runs, batch of one)"
    )
    accuracy = {v: table[v]["accuracy"] for v in VARIANTS}
    bad = {v: a for v, a in accuracy.items() if a is None or not 0 <= a <= 100}
    assert not bad, f"accuracies are percentages in [0, 100]; got {bad}"


# -- the argument ------------------------------------------------------------------------------
def test_discussion_relates_results_to_compound_scaling(document: written.Document) -> None:
    body = _section(document, "Discussion").lower()
    missing = [words[-1] for words in SCALING_WORDS if not any(w in body for w in words)]
    assert not missing, (
        "the Discussion should relate the numbers to compound scaling: depth (alpha), width "
        f"(beta) and resolution (gamma); not mentioned: {', '.join(missing)}"
    )
    assert "latency" in body and "flop" in body, (
        "discuss FLOPs versus latency: they do not move together on a CPU"
    )


def test_recommendation_names_a_variant(document: written.Document) -> None:
    body = _section(document, "Recommendation")
    assert re.search(r"\bB[013]\b|efficientnet[-_ ]?b[013]", body, re.IGNORECASE), (
        "the Recommendation should name the variant to serve: B0, B1 or B3"
    )
    assert document.numbers(body), (
        "back the Recommendation with a number (a latency budget, an accuracy target)"
    )
