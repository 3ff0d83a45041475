"""Performance benchmarking report: machine and thread setup, method, a results table of at least
five configurations with consistent numbers, trade-offs and a recommendation.

Judged with word counts, the Markdown table and regular expressions; the template documents the
format. Run: ``pytest weeks/week1/tests/test_benchmark_report.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import star, written

SECTIONS: dict[str, tuple[str, ...]] = {
    "Machine": ("machine", "hardware", "setup"),
    "Method": ("method", "protocol"),
    "Results": ("result",),
    "Trade-offs": ("trade-off", "tradeoff", "trade off"),
    "Recommendation": ("recommend", "conclusion"),
}
CONFIGURATIONS: dict[str, tuple[str, ...]] = {
    "fp32 eager PyTorch": ("eager",),
    "TorchScript or torch.compile": ("torchscript", "compile", "jit"),
    "ONNX Runtime fp32": ("onnx",),
    "ONNX Runtime int8": ("int8", "quantis", "quantiz"),
    "pruned": ("prune",),
}
COLUMNS: dict[str, tuple[str, ...]] = {
    "accuracy": ("accuracy", "top-1", "acc"),
    "latency": ("latency", "p50"),
    "throughput": ("throughput", "img/s"),
    "size": ("size", "mb"),
    "speedup": ("speedup", "speed-up", "vs eager"),
}
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
RATIO = re.compile(r"\b\d+(?:\.\d+)?\s*[x×]\b|\b\d+(?:\.\d+)?\s*times\b", re.I)
THREADS = re.compile(r"\b\d+\s*(?:threads?|cores?|vcpus?)\b", re.I)
RUNS = re.compile(
    r"\b\d+\s*(?:timed\s+)?(?:runs?|iterations?|repeats?|repetitions?|passes)\b", re.I
)


@pytest.fixture
def document(target_path: Path) -> written.Document:
    return written.load(target_path)


def _section(document: written.Document, name: str) -> str:
    return document.section(*SECTIONS[name]) or ""


def _column(row: dict[str, str], name: str) -> float | None:
    """The first number of the cell whose header names ``name`` (None when absent)."""
    for header, cell in row.items():
        if any(word in header for word in COLUMNS[name]):
            if name == "latency" and "p95" in header:
                continue
            found = NUMBER.search(cell.replace(",", ""))
            return float(found.group()) if found else None
    return None


def _config(row: dict[str, str]) -> str:
    return " ".join(row.values()).lower() if not row else next(iter(row.values())).lower()


def _row(rows: list[dict[str, str]], name: str) -> dict[str, str] | None:
    """The first row whose configuration cell names ``name`` (int8 rows are not fp32 rows)."""
    for row in rows:
        label = _config(row)
        if any(word in label for word in CONFIGURATIONS[name]):
            if name == "ONNX Runtime fp32" and any(w in label for w in ("int8", "quant", "prune")):
                continue
            if name == "fp32 eager PyTorch" and any(w in label for w in ("prune", "int8")):
                continue
            return row
    return None


@pytest.fixture
def rows(document: written.Document) -> list[dict[str, str]]:
    found = star.table_rows(_section(document, "Results"))
    assert found, "put a Markdown table of the configurations under `## Results`"
    return found


def test_every_section_is_written(document: written.Document) -> None:
    missing = document.missing(dict(SECTIONS), min_words=30)
    assert not missing, (
        f"write each section (30+ words): missing or too short: {', '.join(missing)}; headings "
        f"found: {list(document.sections)}"
    )


def test_machine_and_threads_are_stated(document: written.Document) -> None:
    body = _section(document, "Machine")
    assert THREADS.search(body), (
        "state the core count and the thread setup (e.g. '2 cores', 'intra_op_num_threads = 2 "
        "threads') under `## Machine`: latency depends on it"
    )
    assert re.search(r"gflop", body, re.I), (
        "state the machine's measured matmul peak in GFLOP/s under `## Machine`"
    )


def test_method_states_warm_up_runs_and_percentiles(document: written.Document) -> None:
    body = _section(document, "Method")
    missing = [
        what
        for what, ok in (
            ("warm-up", re.search(r"warm[- ]?up", body, re.I)),
            ("the number of timed runs (e.g. '200 runs')", RUNS.search(body)),
            ("the percentiles (p50 and p95)", re.search(r"p50|median", body, re.I)),
            (
                "that configurations ran side by side",
                re.search(r"side[- ]by[- ]side|same (?:run|session|process)", body, re.I),
            ),
        )
        if not ok
    ]
    assert not missing, f"the Method should state: {'; '.join(missing)}"


def test_results_cover_five_configurations(rows: list[dict[str, str]]) -> None:
    missing = [name for name in CONFIGURATIONS if _row(rows, name) is None]
    assert len(rows) >= 5 and not missing, (
        f"the results table needs at least five rows covering {list(CONFIGURATIONS)}; "
        f"{len(rows)} row(s), missing: {missing or 'none'}"
    )


def test_results_have_every_column(rows: list[dict[str, str]]) -> None:
    missing = [name for name in COLUMNS if any(_column(row, name) is None for row in rows)]
    assert not missing, (
        f"every row needs a number for each of {list(COLUMNS)}; missing or empty: {missing} "
        f"(columns found: {list(rows[0])})"
    )


def test_int8_is_smaller_than_fp32(rows: list[dict[str, str]]) -> None:
    fp32, int8 = _row(rows, "ONNX Runtime fp32"), _row(rows, "ONNX Runtime int8")
    assert fp32 is not None and int8 is not None, "add ONNX Runtime fp32 and int8 rows"
    size32, size8 = _column(fp32, "size"), _column(int8, "size")
    assert size32 and size8 and size8 < 0.5 * size32, (
        f"int8 weights take a quarter of the bytes of fp32: the int8 file ({size8}) should be well "
        f"under half the fp32 one ({size32}); check the units"
    )


def test_accuracies_are_plausible(rows: list[dict[str, str]]) -> None:
    values = {_config(row): _column(row, "accuracy") for row in rows}
    bad = {k: v for k, v in values.items() if v is None or not 0.0 <= v <= 100.0}
    assert not bad, f"top-1 accuracies are between 0 and 100 (%): {bad}"
    eager = _column(_row(rows, "fp32 eager PyTorch") or {}, "accuracy")
    onnx32 = _column(_row(rows, "ONNX Runtime fp32") or {}, "accuracy")
    assert eager is not None and onnx32 is not None and abs(eager - onnx32) <= 0.5, (
        f"ONNX Runtime fp32 computes the same function as eager PyTorch (to 1e-4): their "
        f"accuracies should agree within 0.5 points, got {eager} and {onnx32}"
    )


def test_speedups_are_latency_ratios(rows: list[dict[str, str]]) -> None:
    eager = _row(rows, "fp32 eager PyTorch")
    assert eager is not None, "add the fp32 eager PyTorch row (the baseline)"
    base = _column(eager, "latency")
    assert base and _column(eager, "speedup") == pytest.approx(1.0, abs=0.01), (
        "the eager row is the baseline: its speedup is 1.00x"
    )
    wrong = []
    for row in rows:
        latency, speedup = _column(row, "latency"), _column(row, "speedup")
        if latency and speedup and abs(speedup - base / latency) > 0.15 * (base / latency):
            wrong.append(f"{_config(row)}: {speedup}x stated, {base / latency:.2f}x measured")
    assert not wrong, (
        "speedup = eager p50 latency / this row's p50 latency (measured side by side); these "
        "disagree with the latencies in the table: " + "; ".join(wrong)
    )


def test_recommendation_names_a_configuration_and_a_ratio(document: written.Document) -> None:
    body = _section(document, "Recommendation")
    named = [
        name for name, words in CONFIGURATIONS.items() if any(w in body.lower() for w in words)
    ]
    assert named, f"recommend one of the measured configurations {list(CONFIGURATIONS)}"
    assert RATIO.search(body), (
        "back the recommendation with a measured ratio (e.g. '2.5x the eager throughput')"
    )
