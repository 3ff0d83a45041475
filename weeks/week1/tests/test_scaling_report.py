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
from grader.writing import WritingTests

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
SEED = re.compile(r"\bseeds?\b\D{0,20}\d|\d\s*seeds?\b", re.IGNORECASE)
MACHINE = re.compile(
    r"\b\d+[- ]?(?:v?cpus?|cores?)\b|\b(?:xeon|epyc|ryzen|intel|amd|graviton|arm64|aarch64|"
    r"nvidia|gpu|apple m\d|m[1-4](?: pro| max)?|core i[3579])\b",
    re.IGNORECASE,
)
VARIANT = re.compile(r"\bB([013])\b|efficientnet[-_ ]?b([013])\b", re.IGNORECASE)
LATENCY_BUDGET = re.compile(
    r"(?:budget of|under|below|within|at most|less than|<|≤)\s*(?:a\s+)?(?:p\d+\s+(?:latency\s+)?"
    r"(?:of\s+)?)?(\d+(?:\.\d+)?)\s*ms\b",
    re.IGNORECASE,
)
BUDGET_UNIT = re.compile(r"\d(?:[\d,]*\.?\d*)\s*(?:ms\b|%|percent|points?\b)", re.IGNORECASE)
PROSE_SECTIONS = ("Setup", "Discussion", "Recommendation")
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


def _columns(document: written.Document) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The results rows and, per column key, the header cell that holds it."""
    rows = star.table_rows(_section(document, "Results"))
    assert rows, (
        "`## Results` needs a Markdown table: | Variant | Resolution | Params | GFLOPs | "
        "Latency ms | Accuracy % | with a `|---|` rule and one row per variant"
    )
    header = list(rows[0])
    columns: dict[str, str] = {}
    for key, spellings in COLUMNS.items():
        found = [h for h in header if h not in columns.values() and any(s in h for s in spellings)]
        assert found, f"the results table has no {key!r} column; its header is {header}"
        columns[key] = found[0]
    return rows, columns


def _table(document: written.Document) -> dict[str, dict[str, float | None]]:
    """Results rows by variant ("b0") -> column key -> number, with helpful failures."""
    rows, columns = _columns(document)
    table: dict[str, dict[str, float | None]] = {}
    repeated = []
    for row in rows:
        match = re.search(r"b\s*([0-7])\b", row[columns["variant"]], re.IGNORECASE)
        if not match:
            continue
        variant = f"b{match.group(1)}"
        if variant in table:
            repeated.append(variant.upper())
        table[variant] = {
            key: _number(row[column], suffix=key == "params")
            for key, column in columns.items()
            if key != "variant"
        }
    missing = [v.upper() for v in VARIANTS if v not in table]
    assert not missing, (
        f"the results table needs one row per variant; missing {missing} (variant cells such as "
        f"`B0` or `EfficientNet-B0`), found {sorted(table)}"
    )
    assert not repeated, (
        f"the results table needs exactly one row per variant; {repeated} appear more than once. "
        "Report one run per variant (the same budget and seed) so each number is unambiguous"
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
@pytest.mark.clause("setup-words", "discussion-words", "recommendation-words")
def test_every_section_is_written(document: written.Document) -> None:
    short = document.too_short(SECTIONS)
    assert not short, (
        f"write each section of the template: missing or too short: {', '.join(short)}; "
        f"headings found: {list(document.sections)}"
    )


@pytest.mark.clause("prose")
def test_sections_are_prose_not_keyword_lists(document: written.Document) -> None:
    problem = written.prose_problems({name: _section(document, name) for name in PROSE_SECTIONS})
    assert problem is None, "write each section in full sentences: " + problem


@pytest.mark.clause("budget")
def test_setup_states_the_training_budget(document: written.Document) -> None:
    body = _section(document, "Setup")
    assert BUDGET.search(body), (
        "state the training budget in `## Setup` as a number of steps or epochs (e.g. '60 steps "
        "of 32 images'), the same for the three variants"
    )


@pytest.mark.clause("seed", "machine")
def test_setup_states_the_seed_and_the_machine(document: written.Document) -> None:
    body = _section(document, "Setup")
    missing = [
        what
        for what, pattern in (
            ("the seed (e.g. 'seed 0')", SEED),
            ("the machine (e.g. '2-core Intel Xeon', 'Apple M2, 8 cores')", MACHINE),
        )
        if not pattern.search(body)
    ]
    assert not missing, "`## Setup` should make the run reproducible; not found: " + "; ".join(
        missing
    )


# -- the results table -------------------------------------------------------------------------
@pytest.mark.clause("table-columns")
def test_results_table_has_exactly_the_template_columns(document: written.Document) -> None:
    rows, columns = _columns(document)
    extra = [h for h in rows[0] if h not in columns.values()]
    assert not extra, (
        "keep the results table's six columns, | Variant | Resolution | Params | GFLOPs | "
        f"Latency ms | Accuracy % |; extra column(s): {extra}"
    )


@pytest.mark.clause("table-rows")
def test_results_table_has_one_row_per_variant(document: written.Document) -> None:
    table = _table(document)
    assert set(VARIANTS) <= set(table), (
        f"the results table needs one row per variant {[v.upper() for v in VARIANTS]}, "
        f"found {sorted(table)}"
    )


@pytest.mark.clause("results-comment")
def test_results_say_what_stands_out(document: written.Document) -> None:
    body = _section(document, "Results")
    found = written.sentences(body)
    assert found, (
        "after the results table, write one or two sentences in `## Results` on what stands out "
        "(e.g. which variant is most accurate, how latency grows)"
    )


@pytest.mark.clause("params")
@pytest.mark.parametrize("variant", VARIANTS)
def test_params_match_timm(document: written.Document, oracle: Callable, variant: str) -> None:
    row = _table(document)[variant]
    want = oracle(variant)
    got = row["params"]
    assert got is not None and abs(got - want) <= 0.01 * want, (
        f"{variant.upper()} with 26 classes has {want:,} parameters (timm), your table says "
        f"{got:,.0f}: within 1% expected. Count with week1.flop_counter's count_params."
    )


@pytest.mark.clause("resolution", "gflops")
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


@pytest.mark.clause("growth")
def test_params_and_flops_grow_from_b0_to_b3(document: written.Document) -> None:
    table = _table(document)
    for key in ("params", "gflops"):
        values = [table[v][key] for v in VARIANTS]
        assert values[0] < values[1] < values[2], (
            f"compound scaling makes {key} grow B0 < B1 < B3; your table has {values}"
        )


@pytest.mark.clause("latency")
def test_latency_is_positive_and_b3_slower_than_b0(document: written.Document) -> None:
    table = _table(document)
    latency = {v: float(table[v]["latency"] or 0.0) for v in VARIANTS}
    assert all(ms > 0 for ms in latency.values()), f"latencies must be positive ms: {latency}"
    assert latency["b3"] > latency["b0"], (
        f"B3 does about 3x the FLOPs of B0 at a larger resolution; a B3 latency of "
        f"{latency['b3']} ms not above B0's {latency['b0']} ms suggests a measurement error "
        "(warm-up runs, the median of many runs, batch of one)"
    )


@pytest.mark.clause("accuracy")
def test_accuracies_are_percentages(document: written.Document) -> None:
    table = _table(document)
    accuracy = {v: table[v]["accuracy"] for v in VARIANTS}
    bad = {v: a for v, a in accuracy.items() if a is None or not 0 <= a <= 100}
    assert not bad, f"accuracies are percentages in [0, 100]; got {bad}"


# -- the argument ------------------------------------------------------------------------------
@pytest.mark.clause("compound-scaling")
def test_discussion_relates_results_to_compound_scaling(document: written.Document) -> None:
    body = _section(document, "Discussion").lower()
    missing = [words[-1] for words in SCALING_WORDS if not any(w in body for w in words)]
    assert not missing, (
        "the Discussion should relate the numbers to compound scaling: depth (alpha), width "
        f"(beta) and resolution (gamma); not mentioned: {', '.join(missing)}"
    )


@pytest.mark.clause("flops-vs-latency")
def test_discussion_explains_flops_versus_latency(document: written.Document) -> None:
    body = _section(document, "Discussion").lower()
    assert "latency" in body and "flop" in body, (
        "discuss FLOPs versus latency in `## Discussion`: say why they do not move together on a "
        "CPU"
    )


def _served(document: written.Document) -> str | None:
    """The variant the Recommendation names first ("b0"), or None."""
    match = VARIANT.search(_section(document, "Recommendation"))
    return f"b{match.group(1) or match.group(2)}" if match else None


@pytest.mark.clause("recommend-variant")
def test_recommendation_names_a_variant(document: written.Document) -> None:
    assert _served(document), (
        "the Recommendation should name the variant to serve first: B0, B1 or B3"
    )


@pytest.mark.clause("recommend-budget")
def test_recommendation_states_a_budget(document: written.Document) -> None:
    body = _section(document, "Recommendation")
    assert BUDGET_UNIT.search(body), (
        "back the Recommendation with the budget that decides it: a latency in ms (e.g. 'p95 "
        "under 100 ms on two CPU cores') or an accuracy target in %"
    )


@pytest.mark.clause("budget-consistent")
def test_served_variant_meets_the_stated_latency_budget(document: written.Document) -> None:
    table, served = _table(document), _served(document)
    assert served in table, "the Recommendation should name the variant to serve: B0, B1 or B3"
    budgets = [float(b) for b in LATENCY_BUDGET.findall(_section(document, "Recommendation"))]
    latency = table[served]["latency"]
    over = [b for b in budgets if latency is not None and latency > b]
    assert not over, (
        f"you recommend serving {served.upper()}, whose median latency in your table is "
        f"{latency} ms, but the Recommendation sets a latency budget of {min(over):g} ms: the "
        "variant you serve must meet the budget you state (a median over it means its p95 is "
        "over it too). Recommend a variant that fits, or state the budget you really have"
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""

    skip_figures = ("tables",)  # its own tests judge the results table
