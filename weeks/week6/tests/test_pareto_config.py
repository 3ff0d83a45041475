"""Tests of week6.pareto_config: dominance, Pareto fronts, constrained choice, replica counts.

Small hand-made sets check the definitions (ties, duplicates, mixed senses); seeded random sets
with many ties are compared with a brute-force NumPy front. Run one part with
``pytest weeks/week6/tests/test_pareto_config.py -k choose``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader import differential as diff

CONFIGS: list[dict[str, Any]] = [
    # a hand-made benchmark of RxVision25 serving configurations
    {"name": "b0-fp32-bs1", "accuracy": 0.915, "p99_ms": 38.0, "memory_mb": 420,
     "cost_per_million": 2.40, "throughput_qps": 60},
    {"name": "b0-int8-bs8", "accuracy": 0.908, "p99_ms": 24.0, "memory_mb": 310,
     "cost_per_million": 1.10, "throughput_qps": 140},
    {"name": "b3-fp32-bs1", "accuracy": 0.941, "p99_ms": 95.0, "memory_mb": 1300,
     "cost_per_million": 6.80, "throughput_qps": 18},
    {"name": "b3-fp16-bs8", "accuracy": 0.940, "p99_ms": 52.0, "memory_mb": 900,
     "cost_per_million": 3.90, "throughput_qps": 45},
    {"name": "student-int8", "accuracy": 0.908, "p99_ms": 12.0, "memory_mb": 120,
     "cost_per_million": 0.60, "throughput_qps": 300},
    {"name": "vit-s-fp32", "accuracy": 0.921, "p99_ms": 61.0, "memory_mb": 880,
     "cost_per_million": 4.10, "throughput_qps": 30},
    {"name": "b0-fp16-bs4", "accuracy": 0.915, "p99_ms": 30.0, "memory_mb": 512,
     "cost_per_million": 1.90, "throughput_qps": 90},
]  # fmt: skip
ACC_LAT = {"accuracy": "max", "p99_ms": "min"}


def names(configs: list[Any]) -> list[str]:
    return [c["name"] for c in configs]


def brute_front(points: np.ndarray) -> list[int]:
    """Indices of the non-dominated rows of ``points`` (every column minimised)."""
    le = (points[:, None, :] <= points[None, :, :]).all(-1)  # le[j, i]: j <= i everywhere
    lt = (points[:, None, :] < points[None, :, :]).any(-1)
    dominated = (le & lt).any(0)
    return [i for i in range(len(points)) if not dominated[i]]


# -- dominance and fronts -------------------------------------------------------------------------
@pytest.mark.clause("dominates", "dominates-equal", "sense")
def test_dominates_needs_one_strict_improvement(impl: ModuleType) -> None:
    a = {"name": "a", "accuracy": 0.9, "p99_ms": 20}
    b = {"name": "b", "accuracy": 0.9, "p99_ms": 25}
    same = {"name": "same", "accuracy": 0.9, "p99_ms": 20}
    assert impl.dominates(a, b, ACC_LAT) is True, (
        "a (accuracy 0.9, p99 20 ms) is as accurate as b and faster: a dominates b (ties in "
        "one objective are allowed, only one strict improvement is needed)"
    )
    result = impl.dominates(b, a, ACC_LAT)
    assert result is False, (
        "b (accuracy 0.9, p99 25 ms) is slower than a and no more accurate: dominates(b, a) "
        f"should be False, got {result!r}"
    )
    assert impl.dominates(a, same, ACC_LAT) is False, (
        "equal configurations do not dominate each other (no strict improvement)"
    )
    with pytest.raises(ValueError):
        impl.dominates(a, b, {"accuracy": "maximise"})


@pytest.mark.clause("front")
def test_front_with_mixed_senses(impl: ModuleType) -> None:
    got = names(impl.pareto_front(CONFIGS, ACC_LAT))
    want = ["b3-fp32-bs1", "b3-fp16-bs8", "student-int8", "b0-fp16-bs4"]
    assert got == want, (
        f"front of the benchmark for accuracy (max) and p99_ms (min) should be {want} in input "
        f"order, got {got}. Remember: accuracy is maximised, so flip its sign"
    )


@pytest.mark.clause("front-duplicates", "front-identity")
def test_front_keeps_ties_and_duplicates(impl: ModuleType) -> None:
    configs = [
        {"name": "x", "accuracy": 0.9, "p99_ms": 20},
        {"name": "x-copy", "accuracy": 0.9, "p99_ms": 20},
        {"name": "slower", "accuracy": 0.9, "p99_ms": 21},
        {"name": "better", "accuracy": 0.95, "p99_ms": 40},
    ]
    got = impl.pareto_front(configs, ACC_LAT)
    assert names(got) == ["x", "x-copy", "better"], (
        "x and x-copy are identical (neither dominates the other: keep both); 'slower' ties on "
        f"accuracy but is slower, so x dominates it; got {names(got)}"
    )
    assert got[0] is configs[0], "return the configurations themselves, not copies"


@pytest.mark.clause("front", "front-empty")
def test_front_in_three_objectives(impl: ModuleType) -> None:
    objectives = {"accuracy": "max", "p99_ms": "min", "memory_mb": "min"}
    got = names(impl.pareto_front(CONFIGS, objectives))
    want = [c["name"] for c in CONFIGS if c["name"] != "b0-int8-bs8"]
    assert got == want, (
        f"front for {objectives}: want {want} (only b0-int8-bs8 is dominated, by "
        f"student-int8), got {got}"
    )
    front = impl.pareto_front([], ACC_LAT)
    assert front == [], f"the Pareto front of no configurations should be [], got {front!r}"
    with pytest.raises(ValueError):
        impl.pareto_front(CONFIGS, {})


@pytest.mark.clause("front", "front-duplicates")
@pytest.mark.parametrize("seed", range(6))
def test_front_matches_brute_force_on_random_sets(impl: ModuleType, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 40)), int(rng.integers(1, 4))
    values = rng.integers(0, 5, (n, m))  # few distinct values: many ties and duplicates
    senses = [str(s) for s in rng.choice(["min", "max"], m)]
    metrics = [f"m{k}" for k in range(m)]
    configs = [
        {"name": f"c{i}", **{metrics[k]: int(values[i, k]) for k in range(m)}} for i in range(n)
    ]
    objectives = dict(zip(metrics, senses, strict=True))
    signs = np.array([1 if s == "min" else -1 for s in senses])
    want = [f"c{i}" for i in brute_front(values * signs)]
    got = names(impl.pareto_front(configs, objectives))
    assert got == want, f"random set {seed}, objectives {objectives}: want {want}, got {got}"


# -- choose ---------------------------------------------------------------------------------------
@pytest.mark.clause("inclusive", "choose")
def test_choose_respects_inclusive_constraints(impl: ModuleType) -> None:
    got = impl.choose(
        CONFIGS, {"p99_ms": ("<=", 30.0), "memory_mb": ("<=", 512)}, [("accuracy", "max")]
    )
    assert got["name"] == "b0-fp16-bs4", (
        "under p99_ms <= 30 and memory_mb <= 512 the most accurate is b0-fp16-bs4 (p99 exactly "
        f"30, memory exactly 512: bounds are inclusive), got {got['name']}"
    )
    assert got is CONFIGS[6], "return the configuration itself"
    got = impl.choose(CONFIGS, {"accuracy": (">=", 0.92)}, [("cost_per_million", "min")])
    assert got["name"] == "b3-fp16-bs8", (
        f"cheapest with accuracy >= 0.92 is b3-fp16-bs8 (vit-s-fp32 is 0.921 but costs more), "
        f"got {got['name']}"
    )


@pytest.mark.clause("choose")
def test_choose_breaks_ties_by_next_objective_then_name(impl: ModuleType) -> None:
    got = impl.choose(CONFIGS, {}, [("accuracy", "min"), ("p99_ms", "min")])
    assert got["name"] == "student-int8", (
        "b0-int8-bs8 and student-int8 tie on the lowest accuracy (0.908); the next objective "
        f"(p99_ms, min) picks student-int8; got {got['name']}"
    )
    twins = [
        {"name": "zeta", "accuracy": 0.9, "p99_ms": 20},
        {"name": "alpha", "accuracy": 0.9, "p99_ms": 20},
        {"name": "mid", "accuracy": 0.9, "p99_ms": 20},
    ]
    got = impl.choose(twins, {"p99_ms": ("<=", 50)}, [("accuracy", "max"), ("p99_ms", "min")])
    assert got["name"] == "alpha", (
        f"a full tie is broken by name alphabetically: 'alpha', got {got['name']!r} (input "
        "order must not matter)"
    )
    got = impl.choose(list(reversed(twins)), {}, [("accuracy", "max")])
    assert got["name"] == "alpha", f"reversed input must still give 'alpha', got {got['name']!r}"


@pytest.mark.clause("binding", "eliminated", "infeasible-message")
def test_choose_infeasible_names_the_binding_constraint(impl: ModuleType) -> None:
    constraints = {
        "accuracy": (">=", 0.93),  # rules out 5 alone
        "memory_mb": ("<=", 100),  # rules out all 7 alone
        "p99_ms": ("<=", 40.0),  # rules out 3 alone
    }
    with pytest.raises(impl.InfeasibleError) as info:
        impl.choose(CONFIGS, constraints, [("accuracy", "max")])
    err = info.value
    assert isinstance(err, ValueError), "InfeasibleError must stay a ValueError"
    assert err.binding == "memory_mb", (
        f"memory_mb <= 100 alone rules out all 7 configurations (accuracy >= 0.93 rules out 5, "
        f"p99_ms <= 40 rules out 3): binding should be 'memory_mb', got {err.binding!r}"
    )
    assert err.eliminated == {"accuracy": 5, "memory_mb": 7, "p99_ms": 3}, (
        f"eliminated should count what each constraint rules out alone, got {err.eliminated}"
    )
    assert "memory_mb" in str(err) and "100" in str(err), (
        f"the message must name the binding constraint and its bound: {err}"
    )
    constraints = {"accuracy": (">=", 0.95), "p99_ms": ("<=", 10.0)}  # 7 and 7: a tie
    with pytest.raises(impl.InfeasibleError) as info:
        impl.choose(CONFIGS, constraints, [("accuracy", "max")])
    assert info.value.binding == "accuracy", (
        f"when two constraints rule out as many, the first one is binding: 'accuracy', got "
        f"{info.value.binding!r}"
    )


@pytest.mark.clause("choose-empty", "op")
def test_choose_rejects_bad_input(impl: ModuleType) -> None:
    for args in (
        ([], {}, [("accuracy", "max")]),
        (CONFIGS, {}, []),
        (CONFIGS, {"p99_ms": ("<", 30)}, [("accuracy", "max")]),
    ):
        with pytest.raises(ValueError):
            impl.choose(*args)


# -- replicas -------------------------------------------------------------------------------------
@pytest.mark.clause("replicas", "round-off")
@pytest.mark.parametrize(
    ("throughput", "qps", "kwargs", "want"),
    [
        (100, 1000, {}, 15),  # 1000 / 70 = 14.3 -> 15
        (100, 70, {}, 1),
        (1, 21, {}, 30),  # 21 / (1 * 0.7) is 30.000000000000004 in floats: still 30
        (3, 9, {"utilization": 0.6}, 5),  # 5.000000000000001 in floats
        (100, 71, {}, 2),
        (100, 0, {}, 1),
        (100, 0, {"min_replicas": 3}, 3),
        (300, 1200, {"utilization": 1.0}, 4),
        (45, 900, {"utilization": 0.5}, 40),
    ],
)
def test_replicas_for(
    impl: ModuleType, throughput: float, qps: float, kwargs: dict[str, Any], want: int
) -> None:
    config = {"name": "cfg", "throughput_qps": throughput}
    got = impl.replicas_for(config, qps, **kwargs)
    assert got == want and isinstance(got, int), (
        f"replicas_for(throughput_qps={throughput}, qps={qps}, {kwargs}) should be {want} "
        f"(ceil(qps / (throughput * utilization)), at least min_replicas), got {got!r}"
    )


@pytest.mark.clause("replicas-invalid")
def test_replicas_for_rejects_bad_input(impl: ModuleType) -> None:
    for config, qps, kwargs in (
        ({"name": "x", "throughput_qps": 0}, 10, {}),
        ({"name": "x", "throughput_qps": 10}, -1, {}),
        ({"name": "x", "throughput_qps": 10}, 10, {"utilization": 0.0}),
        ({"name": "x", "throughput_qps": 10}, 10, {"utilization": 1.5}),
    ):
        with pytest.raises(ValueError):
            impl.replicas_for(config, qps, **kwargs)


# -- differential: judged against the reference on drawn inputs --------------------------------
METRICS = ["m0", "m1", "m2"]
#: Few distinct values (ties, duplicates), with -0.0 == 0.0 and a float among the ints.
values = st.sampled_from([0, 1, 2, 3, -0.0, 1.5])
configs_st = st.lists(
    st.fixed_dictionaries(
        {"name": st.sampled_from(["a", "b", "c", "B", "a2"]), **{m: values for m in METRICS}}
    ),
    max_size=7,
)
objectives_st = st.dictionaries(
    st.sampled_from(METRICS), st.sampled_from(["min", "max"]), min_size=1, max_size=3
)


def positions(configs: list[dict[str, Any]], chosen: list[Any]) -> list[int]:
    """Where each returned object is in the input (-1: a copy, not the object itself)."""
    return [next((i for i, c in enumerate(configs) if c is r), -1) for r in chosen]


@pytest.mark.clause(
    "dominates", "dominates-equal", "front", "front-identity", "front-duplicates", "front-empty",
    "sense",
)  # fmt: skip
@settings(report_multiple_bugs=False)  # a stub's NotImplementedError: one "not started"
@given(configs=configs_st, objectives=objectives_st, bad_sense=st.sampled_from([None, "up", "MAX"]))
@example(
    configs=[{"name": "a", "m0": 0, "m1": 1, "m2": 0}, {"name": "b", "m0": -0.0, "m1": 1, "m2": 0}],
    objectives={"m0": "max", "m1": "min"},
    bad_sense=None,
)
def test_dominance_and_front_agree_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    configs: list[dict[str, Any]],
    objectives: dict[str, str],
    bad_sense: str | None,
) -> None:
    if bad_sense is not None:  # an unknown sense raises, even with nothing to compare
        objectives = {**objectives, "m2": bad_sense}

    def run(module: ModuleType) -> Callable[[], object]:
        def go() -> object:
            table = [[module.dominates(a, b, objectives) for b in configs] for a in configs]
            return table, positions(configs, module.pareto_front(configs, objectives))

        return go

    diff.assert_same(run(impl), run(reference))


constraints_st = st.dictionaries(
    st.sampled_from(METRICS),
    st.tuples(st.sampled_from(["<=", ">=", "<=", ">="]), st.sampled_from([0, 1, 1.5, 2, 3, -1])),
    max_size=3,
)
objective_st = st.lists(
    st.tuples(st.sampled_from(METRICS), st.sampled_from(["min", "max"])),
    max_size=3,
    unique_by=lambda pair: pair[0],  # a metric at most once
)


def choice(
    module: ModuleType,
    configs: list[dict[str, Any]],
    constraints: dict[str, tuple[str, float]],
    objective: list[tuple[str, str]],
) -> Callable[[], object]:
    # With empty input or a bad op the spec asks for a ValueError, and an InfeasibleError is
    # one: only a well-formed question must be answered by the binding constraint.
    well_formed = (
        configs and objective and all(op in ("<=", ">=") for op, _ in constraints.values())
    )
    infeasible = module.InfeasibleError if well_formed else ()

    def run() -> object:
        try:
            return positions(configs, [module.choose(configs, constraints, objective)])
        except infeasible as err:
            op, bound = constraints[err.binding]
            message = str(err)
            named = err.binding in message and op in message
            named = named and (str(bound) in message or f"{bound:g}" in message)
            return "InfeasibleError", err.binding, dict(err.eliminated), named

    return run


@pytest.mark.clause(
    "inclusive", "op", "choose", "binding", "eliminated", "infeasible-message", "choose-empty"
)
@settings(report_multiple_bugs=False)
@given(
    configs=configs_st,
    constraints=constraints_st,
    objective=objective_st,
    bad_op=st.sampled_from([None, "<", "=="]),
)
@example(
    configs=[{"name": "b", "m0": 1, "m1": 0, "m2": 0}, {"name": "a", "m0": 1, "m1": 0, "m2": 0}],
    constraints={"m0": (">=", 1)},
    objective=[("m1", "max")],
    bad_op=None,
)
@example(
    configs=[{"name": "a", "m0": 3, "m1": 3, "m2": 0}, {"name": "b", "m0": 0, "m1": 0, "m2": 3}],
    constraints={"m2": ("<=", -1), "m0": ("<=", 2), "m1": (">=", 1.5)},
    objective=[("m0", "min")],
    bad_op=None,
)
@example(
    configs=[{"name": "a", "m0": 1, "m1": 0, "m2": 0}, {"name": "B", "m0": 1, "m1": 0, "m2": 0}],
    constraints={},
    objective=[("m0", "max")],
    bad_op=None,
)
@example(
    configs=[{"name": "a", "m0": 3, "m1": 3, "m2": 0}, {"name": "b", "m0": 0, "m1": 0, "m2": 3}],
    constraints={"m1": (">=", -1), "m2": ("<=", -1)},
    objective=[("m0", "min")],
    bad_op=None,
)
def test_choose_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    configs: list[dict[str, Any]],
    constraints: dict[str, tuple[str, float]],
    objective: list[tuple[str, str]],
    bad_op: str | None,
) -> None:
    if bad_op is not None:
        constraints = {**constraints, "m2": (bad_op, 1)}
    diff.assert_same(
        choice(impl, configs, constraints, objective),
        choice(reference, configs, constraints, objective),
    )


def replicas_compare(throughput: float, qps: float, utilization: float, minimum: int) -> Callable:
    """Near an integer the float quotient may land on either side: accept the ceiling of the
    exact quotient less 1e-9, give or take a relative 1e-12 of round-off."""

    def compare(got: Any, want: Any) -> str | None:
        if type(got) is not int:
            return f"expected an int, got {got!r}"
        exact = Fraction(qps) / (Fraction(throughput) * Fraction(utilization)) - Fraction(1, 10**9)
        slack = Fraction(1, 10**12) * max(1, abs(exact))
        allowed = {max(minimum, math.ceil(exact - slack)), max(minimum, math.ceil(exact + slack))}
        return None if got in allowed else f"expected one of {sorted(allowed)}, got {got}"

    return compare


@pytest.mark.clause("replicas", "round-off", "replicas-invalid")
@settings(report_multiple_bugs=False)
@given(
    throughput=st.one_of(st.sampled_from([1, 3, 100, 45, 0, -5, 0.5]), st.floats(0.1, 1e4)),
    qps=st.one_of(st.sampled_from([0, 21, 9, 1000, 70, -1, -1e-9]), st.floats(0, 1e5)),
    utilization=st.one_of(
        st.sampled_from([0.7, 0.6, 1, 1.0, 0.5, 0, -0.1, 1.5, 1 + 1e-9]), st.floats(0.01, 1)
    ),
    minimum=st.sampled_from([1, 0, 2, 5]),
)
@example(throughput=1, qps=21, utilization=0.7, minimum=1)
@example(throughput=1, qps=10.0000005, utilization=1.0, minimum=1)  # 5e-7 over 10: 11
@example(throughput=100, qps=0, utilization=0.7, minimum=0)
def test_replicas_for_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    throughput: float,
    qps: float,
    utilization: float,
    minimum: int,
) -> None:
    config = {"name": "cfg", "throughput_qps": throughput}

    def run(module: ModuleType) -> Callable[[], int]:
        return lambda: module.replicas_for(
            config, qps, utilization=utilization, min_replicas=minimum
        )

    diff.assert_same(
        run(impl), run(reference), compare=replicas_compare(throughput, qps, utilization, minimum)
    )
