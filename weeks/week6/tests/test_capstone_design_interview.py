"""Tests of week6.capstone_design_interview: the design work of the week, read together.

The three designs must pass every shared template check at once (``grader/design_checks.py``);
each estimate a design states must come out of your ``reproduce_estimates``, built on your
``week6.capacity_estimation`` functions (within 5 %, replicas exactly); each diagram of
``design_diagrams.md`` must draw the nodes of its design's own diagram; and the failure plan needs
a row for every kind of component the designs draw.
Run: ``pytest weeks/week6/tests/test_capstone_design_interview.py``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader import design_judge
from grader import differential as diff
from grader.design_checks import REQUIRED_ESTIMATES, template_problems
from grader.estimates import parse_estimates
from grader.mermaid import Flowchart, MermaidError, parse_mermaid
from grader.written import Document, load

DAY = 86_400
#: design name -> (its document, the heading words of its section in design_diagrams.md)
DESIGNS = {
    "image_classification": ("design_image_classification.md", ("image classification", "image")),
    "recommendation": ("design_recommendation.md", ("recommendation", "recommender")),
    "realtime_pipeline": ("design_realtime_pipeline.md", ("real-time", "realtime", "streaming")),
}
#: stated quantity -> factor from the judge's base units to the units of reproduce_estimates
INPUT_UNITS = {"daily_requests": DAY, "items_per_day": DAY, "retention": 1 / DAY}
OUTPUT_UNITS = {"daily_requests": DAY, "bandwidth": 8.0}  # per day; bits, not bytes
OUTPUTS = (
    "daily_requests",
    "avg_qps",
    "peak_qps",
    "backend_qps",
    "replicas",
    "storage",
    "bandwidth",
)
TOLERANCE = 0.05
#: component kind -> (node labels that draw it, row names of the failure plan that cover it)
COMPONENT_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "API": (("api", "gateway", "recommendation service"), ("api", "gateway")),
    "model server": (
        ("predictor", "scoring service", "model server", "model service"),
        ("predictor", "model server", "model inference"),
    ),
    "cache": (("cache",), ("redis", "cache")),
    "broker": (("kafka", "topic", "event log", "broker"), ("broker", "kafka")),
    "feature store": (("feature store", "online store"), ("feature store",)),
    "model registry": (("registry", "mlflow"), ("model registry", "registry")),
    "object store": (
        ("image store", "label store", "data lake", "offline store", "object store"),
        ("object store", "data lake"),
    ),
    "stream processor": (("stream processor", "consumer"), ("stream processor",)),
    "review queue": (("review queue", "review case queue"), ("review queue",)),
    "retrieval and ranking": (
        ("ann index", "candidate retrieval", "ranking service", "re ranker"),
        ("ann index", "ranking"),
    ),
    "training pipeline": (("training pipeline", "trainer"), ("training pipeline",)),
}
FENCE = re.compile(r"```mermaid[^\n]*\n(.*?)```", re.S)


def _portfolio(impl: ModuleType) -> Path:
    return Path(impl.PORTFOLIO)


def _design(impl: ModuleType, name: str) -> Document:
    return load(_portfolio(impl) / DESIGNS[name][0])


def _chart(text: str, where: str) -> Flowchart:
    try:
        return parse_mermaid(text)
    except MermaidError as exc:
        pytest.fail(f"the diagram of {where} does not parse: {exc}")


def _norm(label: str) -> str:
    return " ".join(re.sub(r"[-_/]+", " ", label.lower()).split())


@pytest.mark.clause(
    "chain", "daily", "qps", "backend", "replicas", "storage", "bandwidth", "ignore-outputs"
)
def test_reproduce_estimates_on_hand_computed_cases(impl: ModuleType) -> None:
    got = impl.reproduce_estimates(
        {
            "daily_requests": 8_640_000,
            "peak_factor": 2,
            "latency": 0.05,
            "concurrency_per_replica": 4,
            "utilisation": 0.5,
        }
    )
    expected = {"avg_qps": 100.0, "peak_qps": 200.0, "replicas": 5}
    for name, value in expected.items():
        assert name in got and math.isclose(got[name], value, rel_tol=1e-9), (
            f"8.64M requests/day, peak factor 2, 50 ms, 4 in flight at 50 %: expected {name} = "
            f"{value} (replicas = ceil(200 x 0.05 / (4 x 0.5))), got {got.get(name)}"
        )
    got = impl.reproduce_estimates(
        {
            "dau": 1_000_000,
            "requests_per_user": 8.64,
            "peak_factor": 3,
            "cache_hit_rate": 0.25,
            "latency": 0.02,
            "concurrency_per_replica": 2,
            "utilisation": 0.6,
            "payload_size": 100_000,
            "items_per_day": 1_000,
            "item_size": 1_000_000,
            "retention": 73,
            "replication": 3,
            "peak_qps": 123_456,  # a stated output: to be ignored
        }
    )
    expected = {
        "daily_requests": 8_640_000,
        "peak_qps": 300.0,
        "backend_qps": 225.0,
        "replicas": 4,  # ceil(225 x 0.02 / (2 x 0.6)) = ceil(3.75)
        "bandwidth": 300 * 100_000 * 8,
        "storage": 1_000 * 1e6 * 365 * 3 * 73 / 365,
    }
    wrong = [
        f"{name}: expected {value:,.6g}, got {got.get(name)}"
        for name, value in expected.items()
        if name not in got or not math.isclose(got[name], value, rel_tol=1e-9)
    ]
    assert not wrong, (
        "1M users x 8.64 requests/day, peak x3, 25 % cache hits, 20 ms, 2 in flight at 60 %, "
        "100 kB payloads, 1,000 items of 1 MB kept 73 days x3 (stated peak_qps must be ignored; "
        "replicas serve the backend load; bandwidth in bits/s):\n" + "\n".join(wrong)
    )


#: valid values of every input of reproduce_estimates (integer counts where the drills take ints)
_VALID_INPUTS = {
    "dau": st.sampled_from([0.0, 1.0, 1e6, 3.3e7]),
    "requests_per_user": st.sampled_from([0.0, 1.0, 8.64, 50.0]),
    "daily_requests": st.sampled_from([0.0, 86_400.0, 8.64e6, 1e9]),
    "peak_factor": st.sampled_from([1.0, 2.0, 3.0, 7.5]),
    "cache_hit_rate": st.sampled_from([0.0, 0.25, 0.9, 1.0]),
    "latency": st.sampled_from([0.0, 0.02, 0.05, 1.5]),
    "concurrency_per_replica": st.sampled_from([1.0, 2.0, 4.0, 64.0]),
    "utilisation": st.sampled_from([0.5, 0.6, 0.7, 1.0]),
    "items_per_day": st.sampled_from([0.0, 1_000.0, 1e7]),
    "item_size": st.sampled_from([0.0, 1e3, 1e6]),
    "retention": st.sampled_from([0.0, 7.0, 73.0, 365.0, 730.0]),
    "replication": st.sampled_from([1.0, 2.0, 3.0]),
    "payload_size": st.sampled_from([0.0, 512.0, 1e5]),
    "peak_qps": st.sampled_from([123_456.0]),  # stated outputs, to be ignored
    "replicas": st.sampled_from([1.0, 999.0]),
    "backend_qps": st.sampled_from([7.0]),
    "avg_qps": st.sampled_from([0.5]),
    "storage": st.sampled_from([1.0]),
    "bandwidth": st.sampled_from([3.0]),
}


@st.composite
def _stated(draw: st.DrawFn) -> dict[str, float]:
    keys = draw(st.sets(st.sampled_from(sorted(_VALID_INPUTS))))
    return {key: draw(_VALID_INPUTS[key]) for key in sorted(keys)}


def _same_estimates(got: object, want: dict[str, float], stated: dict[str, float]) -> str | None:
    """Same keys and values (a few float64 roundings apart); replicas an int, the same unless the
    exact in-flight load sits on an integer, where either rounding of it is right."""
    if not isinstance(got, dict):
        return f"reproduce_estimates must return a dict, got {diff.describe(got)}"
    if set(got) != set(want):
        return (
            f"quantities differ: expected {sorted(want)}, got {sorted(got)} (return exactly the "
            "quantities whose inputs are stated)"
        )
    for key, value in want.items():
        if key == "replicas":
            if not isinstance(got[key], int) or isinstance(got[key], bool):
                return f"replicas must be an int, got {got[key]!r}"
            load = want.get("backend_qps", want["peak_qps"])
            exact = (
                load
                * stated["latency"]
                / (stated["concurrency_per_replica"] * stated.get("utilisation", 1.0))
            )
            allowed = {value, math.ceil(exact * (1 - 1e-9)), math.ceil(exact * (1 + 1e-9))}
            if got[key] not in allowed:
                return f"replicas: expected {value}, got {got[key]}"
            continue
        problem = diff.same(got[key], value, rtol=1e-9, path=key)
        if problem:
            return problem
    return None


@pytest.mark.clause(
    "chain",
    "daily",
    "qps",
    "backend",
    "replicas",
    "storage",
    "bandwidth",
    "missing",
    "ignore-outputs",
    "peak-default",
    "util-default",
    "retention-default",
    "replication-default",
)
@given(stated=_stated())
@example(stated={})
@example(stated={"daily_requests": 8_640_000.0, "latency": 0.05, "concurrency_per_replica": 4.0})
@example(stated={"dau": 1e6, "requests_per_user": 8.64, "daily_requests": 1.0, "peak_qps": 9.0})
@example(stated={"dau": 1e6, "daily_requests": 8.64e6, "payload_size": 512.0})
@example(stated={"items_per_day": 1_000.0, "item_size": 1e6})
@example(stated={"items_per_day": 1_000.0, "item_size": 1e6, "retention": 730.0})
@example(stated={"items_per_day": 1e3, "item_size": 1e6, "replication": 3.0, "retention": 7.0})
@example(
    stated={
        "daily_requests": 8.64e6,
        "cache_hit_rate": 1.0,
        "latency": 0.05,
        "concurrency_per_replica": 2.0,
    }
)
def test_reproduce_estimates_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, stated: dict[str, float]
) -> None:
    diff.assert_same(
        impl.reproduce_estimates,
        reference.reproduce_estimates,
        stated,
        compare=lambda got, want: _same_estimates(got, want, stated),
    )


_COMPLETE = {
    "dau": 1e6,
    "requests_per_user": 8.64,
    "peak_factor": 3.0,
    "cache_hit_rate": 0.25,
    "latency": 0.02,
    "concurrency_per_replica": 2.0,
    "utilisation": 0.6,
    "payload_size": 1e5,
    "items_per_day": 1_000.0,
    "item_size": 1e6,
    "retention": 73.0,
    "replication": 3.0,
}


@pytest.mark.clause("invalid")
@pytest.mark.parametrize(
    "key, value",
    [
        ("dau", -1.0),
        ("peak_factor", 0.5),
        ("cache_hit_rate", 1.5),
        ("cache_hit_rate", -0.1),
        ("latency", -0.02),
        ("concurrency_per_replica", 0.0),
        ("utilisation", 0.0),
        ("utilisation", 1.5),
        ("payload_size", -1.0),
        ("items_per_day", -1.0),
        ("item_size", -1.0),
        ("replication", 0.0),
    ],
)
def test_inputs_out_of_range_raise(
    impl: ModuleType, reference: ModuleType, key: str, value: float
) -> None:
    stated = {**_COMPLETE, key: value}
    diff.assert_same(
        impl.reproduce_estimates,
        reference.reproduce_estimates,
        stated,
        compare=lambda got, want: _same_estimates(got, want, stated),
    )


@pytest.mark.clause("template")
@pytest.mark.parametrize("name", DESIGNS)
def test_design_follows_the_template(impl: ModuleType, name: str) -> None:
    problems = template_problems(
        _design(impl, name), design_judge.RUBRICS[name], REQUIRED_ESTIMATES[name]
    )
    assert not problems, (
        f"{DESIGNS[name][0]} does not pass the template checks of its own tests "
        f"(weeks/week6/tests/test_design_{name}.py):\n" + "\n".join(problems)
    )


@pytest.mark.clause("reproduced")
@pytest.mark.parametrize("name", DESIGNS)
def test_every_estimate_is_reproduced_by_your_functions(impl: ModuleType, name: str) -> None:
    estimates = parse_estimates(_design(impl, name).text).values
    stated = {key: e.value * INPUT_UNITS.get(key, 1.0) for key, e in estimates.items()}
    got = impl.reproduce_estimates(stated)
    checked, wrong = [], []
    for key in OUTPUTS:
        if key not in estimates or (key == "daily_requests" and "dau" not in estimates):
            continue
        written = estimates[key]
        want = written.value * OUTPUT_UNITS.get(key, 1.0)
        checked.append(key)
        if key not in got:
            wrong.append(f"- {key}: stated ({written.text!r}) but reproduce_estimates gave none")
        elif key == "replicas":
            if round(got[key]) != round(want):
                wrong.append(f"- replicas: stated {want:g}, your functions give {got[key]}")
        elif not math.isclose(got[key], want, rel_tol=TOLERANCE):
            wrong.append(
                f"- {key}: stated {written.shown()} (line {written.line}), your functions give "
                f"{written.shown(got[key] / OUTPUT_UNITS.get(key, 1.0))}"
            )
    assert checked, f"{DESIGNS[name][0]} states none of {', '.join(OUTPUTS)}"
    assert not wrong, (
        f"estimates of {DESIGNS[name][0]} that week6.capacity_estimation does not reproduce "
        f"(within {TOLERANCE:.0%}): fix the number in the design, or the formula\n"
        + "\n".join(wrong)
    )


@pytest.mark.clause("diagrams")
@pytest.mark.parametrize("name", DESIGNS)
def test_diagram_matches_its_design_document(impl: ModuleType, name: str) -> None:
    design = _design(impl, name)
    diagrams = load(_portfolio(impl) / "design_diagrams.md")
    body = diagrams.section(*DESIGNS[name][1])
    blocks = FENCE.findall(body or "")
    assert blocks, (
        f"design_diagrams.md has no section with a ```mermaid block for the {name} design "
        f"(a `## ` heading containing one of {', '.join(DESIGNS[name][1])})"
    )
    standalone = _chart(blocks[0], f"design_diagrams.md ({name})")
    assert design.mermaid(), f"{DESIGNS[name][0]} has no ```mermaid diagram"
    own = _chart(design.mermaid()[0], DESIGNS[name][0])
    drawn = {_norm(label) for label in standalone.labels()}
    missing = [label for label in own.labels() if _norm(label) not in drawn]
    assert not missing, (
        f"the {name} diagram of design_diagrams.md does not draw these nodes of "
        f"{DESIGNS[name][0]}'s diagram: {', '.join(missing)} (use the same node labels in both)"
    )


@pytest.mark.clause("failure-plan")
def test_failure_plan_covers_every_component(impl: ModuleType) -> None:
    drawn: dict[str, list[str]] = {}
    for name in DESIGNS:
        for block in _design(impl, name).mermaid():
            for label in _chart(block, DESIGNS[name][0]).labels():
                for kind, (node_words, _) in COMPONENT_KINDS.items():
                    if design_judge.find_terms(label, {kind: node_words}).ok:
                        drawn.setdefault(kind, []).append(label)
    plan = load(_portfolio(impl) / "failure_plans.md")
    rows = [
        line.strip().strip("|").split("|")[0].strip()
        for line in plan.text.splitlines()
        if line.strip().startswith("|") and not re.fullmatch(r"[\s|:-]+", line)
    ]
    uncovered = [
        f"- {kind} (drawn as {', '.join(sorted(set(labels)))}); name a row with one of: "
        + ", ".join(COMPONENT_KINDS[kind][1])
        for kind, labels in drawn.items()
        if not any(
            design_judge.find_terms(row, {kind: COMPONENT_KINDS[kind][1]}).ok for row in rows
        )
    ]
    assert drawn, "no component of COMPONENT_KINDS found in the diagrams of your designs"
    assert not uncovered, (
        "components of your designs without a row in the failure table of failure_plans.md "
        "(first column):\n" + "\n".join(uncovered)
    )
