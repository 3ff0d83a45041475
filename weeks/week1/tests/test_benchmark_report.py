"""Performance benchmarking report: machine and thread setup, method, a results table of at least
five configurations with consistent numbers, trade-offs and a recommendation.

Judged with word counts, the Markdown table and regular expressions; the template documents the
format. Run: ``pytest weeks/week1/tests/test_benchmark_report.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from grader import manifest, star, written
from grader.writing import WritingTests

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
    "p95 latency": ("p95",),
}
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
RATIO = re.compile(r"\b\d+(?:\.\d+)?\s*[x×]\b|\b\d+(?:\.\d+)?\s*times\b", re.I)
THREADS = re.compile(r"\b\d+\s*(?:threads?|cores?|vcpus?)\b", re.I)
TORCH_VERSION = re.compile(r"\btorch\b[\s:=]*(?:version\s*)?v?\d+\.\d+", re.I)
ORT_VERSION = re.compile(r"\bonnx\s*runtime\b[\s:=]*(?:version\s*)?v?\d+\.\d+", re.I)
MATMUL_PEAK = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:gflop/?s|gflops)\b", re.I)
BATCH = re.compile(r"\bbatch(?:[- ]size)?(?:\s+of)?\s*=?\s*(\d+)|\bb\s*=\s*(\d+)", re.I)
IMAGE_SIZE = re.compile(r"\b\d{2,4}\s*[x×]\s*\d{2,4}\b|\b\d{2,4}\s*(?:px|pixels?)\b", re.I)
ACCURACY_DATA = re.compile(r"\b(?:test|held[- ]out|validation|val)\b", re.I)
DOMINATED = re.compile(r"dominat|pareto", re.I)
INTERACTIVE = re.compile(
    r"\b(?:interactive|single[- ]image|one image|real[- ]time|online|per request|"
    r"batch (?:size )?(?:of )?1\b|b\s*=\s*1\b)",
    re.I,
)
BATCH_USE = re.compile(
    r"\b(?:nightly|offline|bulk|throughput|batch (?:jobs?|scoring|inference|use)|"
    r"batch (?:size )?(?:of )?(?:8|16|32|64|128)\b)",
    re.I,
)
REVISIT = re.compile(
    r"\b(?:revisit|reconsider|re-evaluate|if|unless|once|until|would change|switch)\b", re.I
)
RATIO_VALUE = re.compile(r"\b(\d+(?:\.(\d+))?)\s*(?:[x×]|times)(?![\w])", re.I)
PROSE_SECTIONS = ("Method", "Trade-offs", "Recommendation")
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


@pytest.mark.clause("sections")
def test_every_section_is_written(document: written.Document) -> None:
    missing = document.missing(dict(SECTIONS), min_words=30)
    assert not missing, (
        f"write each section (30+ words): missing or too short: {', '.join(missing)}; headings "
        f"found: {list(document.sections)}"
    )


@pytest.mark.clause("tradeoffs-words")
def test_tradeoffs_are_long_enough(document: written.Document) -> None:
    size = written.words(_section(document, "Trade-offs"))
    assert size >= 60, (
        f"`## Trade-offs` should weigh what each optimisation bought and cost in 60+ words; it "
        f"has {size}"
    )


@pytest.mark.clause("prose")
def test_sections_are_prose_not_keyword_lists(document: written.Document) -> None:
    problem = written.prose_problems({name: _section(document, name) for name in PROSE_SECTIONS})
    assert problem is None, "write these sections in full sentences: " + problem


@pytest.mark.clause("threads", "matmul-peak")
def test_machine_and_threads_are_stated(document: written.Document) -> None:
    body = _section(document, "Machine")
    assert THREADS.search(body), (
        "state the core count and the thread setup (e.g. '2 cores', 'intra_op_num_threads = 2 "
        "threads') under `## Machine`: latency depends on it"
    )
    assert MATMUL_PEAK.search(body), (
        "state the machine's measured matmul peak in GFLOP/s under `## Machine` (e.g. "
        "'268.1 GFLOP/s'; `python benchmarks/week1.py` measures it)"
    )


@pytest.mark.clause("versions")
def test_machine_states_the_software_versions(document: written.Document) -> None:
    body = _section(document, "Machine")
    missing = [
        name
        for name, pattern in (("torch", TORCH_VERSION), ("onnxruntime", ORT_VERSION))
        if not pattern.search(body)
    ]
    assert not missing, (
        f"state the versions of {' and '.join(missing)} under `## Machine` (e.g. 'torch 2.5, "
        "onnxruntime 1.20'): kernels and speed change between releases"
    )


@pytest.mark.clause("warm-up", "runs", "percentiles", "side-by-side")
def test_method_states_warm_up_runs_and_percentiles(document: written.Document) -> None:
    body = _section(document, "Method")
    missing = [
        what
        for what, ok in (
            ("warm-up", re.search(r"warm[- ]?up", body, re.I)),
            ("the number of timed runs (e.g. '200 runs')", RUNS.search(body)),
            (
                "the percentiles (p50 and p95)",
                re.search(r"p50|median", body, re.I) and re.search(r"p95", body, re.I),
            ),
            (
                "that configurations ran side by side",
                re.search(r"side[- ]by[- ]side|same (?:run|session|process)", body, re.I),
            ),
        )
        if not ok
    ]
    assert not missing, f"the Method should state: {'; '.join(missing)}"


@pytest.mark.clause("batch-sizes", "image-size", "accuracy-data")
def test_method_states_batches_image_size_and_accuracy_data(document: written.Document) -> None:
    body = _section(document, "Method")
    batches = {int(a or b) for a, b in BATCH.findall(body)}
    missing = [
        what
        for what, ok in (
            (
                "the batch sizes: 1 for latency and a larger one (16 or 32) for throughput "
                f"(found {sorted(batches) or 'none'})",
                1 in batches and any(b > 1 for b in batches),
            ),
            ("the image size (e.g. '64 x 64 images' or '64 px')", IMAGE_SIZE.search(body)),
            (
                "the data the accuracy was computed on (e.g. 'the held-out test subsets')",
                ACCURACY_DATA.search(body),
            ),
        )
        if not ok
    ]
    assert not missing, f"the Method should state: {'; '.join(missing)}"


@pytest.mark.clause("configurations")
def test_results_cover_five_configurations(rows: list[dict[str, str]]) -> None:
    missing = [name for name in CONFIGURATIONS if _row(rows, name) is None]
    assert len(rows) >= 5 and not missing, (
        f"the results table needs at least five rows covering {list(CONFIGURATIONS)}; "
        f"{len(rows)} row(s), missing: {missing or 'none'}"
    )


@pytest.mark.clause("columns")
def test_results_have_every_column(rows: list[dict[str, str]]) -> None:
    missing = [name for name in COLUMNS if any(_column(row, name) is None for row in rows)]
    assert not missing, (
        f"every row needs a number for each of {list(COLUMNS)}; missing or empty: {missing} "
        f"(columns found: {list(rows[0])})"
    )


@pytest.mark.clause("p95-above-p50")
def test_p95_is_never_below_p50(rows: list[dict[str, str]]) -> None:
    wrong = []
    for row in rows:
        p50, p95 = _column(row, "latency"), _column(row, "p95 latency")
        if p50 is not None and p95 is not None and p95 < p50:
            wrong.append(f"{_config(row)}: p50 {p50} ms, p95 {p95} ms")
    assert not wrong, (
        "a 95th percentile is never below the median of the same runs; these rows have p95 < "
        "p50 (swapped columns, or two different runs?): " + "; ".join(wrong)
    )


@pytest.mark.clause("int8-size")
def test_int8_is_smaller_than_fp32(rows: list[dict[str, str]]) -> None:
    fp32, int8 = _row(rows, "ONNX Runtime fp32"), _row(rows, "ONNX Runtime int8")
    assert fp32 is not None and int8 is not None, "add ONNX Runtime fp32 and int8 rows"
    size32, size8 = _column(fp32, "size"), _column(int8, "size")
    assert size32 and size8 and size8 < 0.5 * size32, (
        f"int8 weights take a quarter of the bytes of fp32: the int8 file ({size8}) should be well "
        f"under half the fp32 one ({size32}); check the units"
    )


@pytest.mark.clause("accuracy-range")
def test_accuracies_are_percentages(rows: list[dict[str, str]]) -> None:
    values = {_config(row): _column(row, "accuracy") for row in rows}
    bad = {k: v for k, v in values.items() if v is None or not 0.0 <= v <= 100.0}
    assert not bad, f"top-1 accuracies are between 0 and 100 (%): {bad}"
    assert max(values.values()) > 1.0, (  # type: ignore[type-var]
        f"the accuracies {sorted(values.values())} look like fractions: write them as "
        "percentages (99.96, not 0.9996); 1% is below chance for 26 classes"
    )


@pytest.mark.clause("onnx-accuracy")
def test_onnx_fp32_accuracy_matches_eager(rows: list[dict[str, str]]) -> None:
    eager = _column(_row(rows, "fp32 eager PyTorch") or {}, "accuracy")
    onnx32 = _column(_row(rows, "ONNX Runtime fp32") or {}, "accuracy")
    assert eager is not None and onnx32 is not None and abs(eager - onnx32) <= 0.5, (
        f"ONNX Runtime fp32 computes the same function as eager PyTorch (to 1e-4): their "
        f"accuracies should agree within 0.5 points, got {eager} and {onnx32}"
    )


@pytest.mark.clause("speedup")
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


@pytest.mark.clause("dominated")
def test_tradeoffs_name_the_dominated_configurations(document: written.Document) -> None:
    assert DOMINATED.search(_section(document, "Trade-offs")), (
        "say in `## Trade-offs` which configurations are dominated (slower AND less accurate "
        "than another), or that none is: the word 'dominated' (or 'Pareto') is not there"
    )


@pytest.mark.clause("recommend-config", "recommend-ratio")
def test_recommendation_names_a_configuration_and_a_ratio(document: written.Document) -> None:
    body = _section(document, "Recommendation")
    named = [
        name for name, words in CONFIGURATIONS.items() if any(w in body.lower() for w in words)
    ]
    assert named, f"recommend one of the measured configurations {list(CONFIGURATIONS)}"
    assert RATIO.search(body), (
        "back the recommendation with a measured ratio (e.g. '2.5x the eager throughput')"
    )


@pytest.mark.clause("use-cases")
def test_recommendation_covers_both_use_cases(document: written.Document) -> None:
    body = _section(document, "Recommendation")
    missing = [
        use
        for use, pattern in (
            ("interactive single-image requests (latency at batch 1)", INTERACTIVE),
            ("the nightly batch (throughput at batch 32)", BATCH_USE),
        )
        if not pattern.search(body)
    ]
    assert not missing, (
        "recommend a configuration per use case (the same one may win both; say so); not "
        f"covered: {'; '.join(missing)}"
    )


@pytest.mark.clause("ratio-consistent")
def test_recommended_ratios_follow_from_the_table(
    document: written.Document, rows: list[dict[str, str]]
) -> None:
    columns: dict[str, list[float]] = {}
    for row in rows:
        for header, cell in list(row.items())[1:]:
            found = NUMBER.search(cell.replace(",", ""))
            if found and float(found.group()) > 0:
                columns.setdefault(header, []).append(float(found.group()))
    ratios = [a / b for values in columns.values() for a in values for b in values]
    wrong = []
    for text, decimals in RATIO_VALUE.findall(_section(document, "Recommendation")):
        stated = float(text)
        tolerance = 0.5 * 10.0 ** -len(decimals) + 0.02 * stated
        if not any(abs(stated - ratio) <= tolerance for ratio in ratios):
            wrong.append(f"{text}x")
    assert not wrong, (
        f"the Recommendation states {', '.join(wrong)}, but no two numbers of one column of your "
        "results table have that ratio: quote the ratio you measured (e.g. eager p50 / ONNX p50, "
        "ONNX throughput / eager throughput)"
    )


@pytest.mark.clause("revisit")
def test_recommendation_says_when_to_revisit(document: written.Document) -> None:
    assert REVISIT.search(_section(document, "Recommendation")), (
        "say when you would revisit the recommendation (e.g. 'revisit when the model grows' or "
        "'if int8 kernels for depthwise convolutions arrive')"
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""

    skip_figures = ("tables",)  # its own tests judge the results table


# -- read by meaning (the `semantic` fixture): last in the file, so a mutant caught above never
# loads the model


@pytest.mark.clause("on-topic")
def test_every_section_is_about_its_prompt(
    document: written.Document,
    semantic: ModuleType,
    rx_root: Path,
    deliverable: manifest.Deliverable,
) -> None:
    # the prompts come from the course's template (the learner's copy when graded in place:
    # a section whose guidance comment was deleted is not judged)
    template = (rx_root / deliverable.path_for("learner")).read_text()
    prompts = semantic.template_prompts(template, guided_only=True)
    answers = {name: _section(document, name) for name in SECTIONS}
    flagged = semantic.off_topic(answers, prompts)
    assert not flagged, semantic.off_topic_message(flagged)
