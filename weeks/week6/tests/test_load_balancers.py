"""Tests of week6.load_balancers: round-robin, smooth weighted round-robin, least connections,
power of two choices and IP hash.

Random choices use a seeded ``random.Random`` that the tests pass in, and spreads are judged with
a chi-square goodness-of-fit test at the 0.1% level.
Run: ``pytest weeks/week6/tests/test_load_balancers.py``.
"""

from __future__ import annotations

import functools
import json
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader import differential as diff

SERVERS = ["gpu-0", "gpu-1", "gpu-2", "gpu-3", "gpu-4"]
# chi-square critical values at p = 0.001 by degrees of freedom (scipy.stats.chi2.isf(1e-3, df)):
# a correct algorithm exceeds them once in a thousand runs
CHI2_CRITICAL = {2: 13.816, 3: 16.266, 4: 18.467}


def chi2(observed: list[int], expected: list[float] | None = None) -> float:
    """Pearson's chi-square statistic (uniform expectation by default)."""
    if expected is None:
        expected = [sum(observed) / len(observed)] * len(observed)
    return sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))


def looks_like(observed: list[int], expected: list[float] | None = None) -> bool:
    """True unless a chi-square test rejects the expected distribution at the 0.1% level."""
    return chi2(observed, expected) < CHI2_CRITICAL[len(observed) - 1]


def req(impl: ModuleType, ip: str = "10.0.0.1") -> object:
    return impl.Request(ip)


def random_ips(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [".".join(str(rng.randrange(256)) for _ in range(4)) for _ in range(n)]


def make(impl: ModuleType, kind: str, backends: list[str], seed: int = 0) -> object:
    if kind == "SmoothWeightedRoundRobin":
        return impl.SmoothWeightedRoundRobin(dict.fromkeys(backends, 1))
    if kind in ("LeastConnections", "PowerOfTwoChoices"):
        return getattr(impl, kind)(backends, rng=random.Random(seed))
    return getattr(impl, kind)(backends)


def reference_swrr(weights: dict[str, int], picks: int, down_after: dict[int, str]) -> list[str]:
    """nginx's smooth weighted round-robin; ``down_after[i] = b`` marks b down before pick i."""
    current = dict.fromkeys(weights, 0)
    down: set[str] = set()
    out = []
    for i in range(picks):
        if i in down_after:
            down.add(down_after[i])
        total, best = 0, None
        for backend, weight in weights.items():
            if backend in down:
                continue
            current[backend] += weight
            total += weight
            if best is None or current[backend] > current[best]:
                best = backend
        current[best] -= total
        out.append(best)
    return out


def hold(impl: ModuleType, lb: object, backend: str, connections: int) -> None:
    """Give ``backend`` ``connections`` more active connections (through the public API only)."""
    others = [b for b in lb.backends if b != backend]
    for other in others:
        lb.mark_down(other)
    for _ in range(connections):
        got = lb.pick(req(impl))
        assert got == backend, f"{backend} is the only healthy backend but {got} was picked"
    for other in others:
        lb.mark_up(other)


KINDS = [
    "RoundRobin",
    "SmoothWeightedRoundRobin",
    "LeastConnections",
    "PowerOfTwoChoices",
    "IPHash",
]


# -- the common interface ----------------------------------------------------------------------
@pytest.mark.clause("health", "pick", "release", "active", "unknown-backend")
@pytest.mark.parametrize("kind", KINDS)
def test_pick_release_and_health_bookkeeping(impl: ModuleType, kind: str) -> None:
    lb = make(impl, kind, SERVERS[:3])
    backends, healthy = lb.backends, lb.healthy()
    assert backends == tuple(SERVERS[:3]) and healthy == SERVERS[:3], (
        f"{kind}: a new balancer should list its backends in the order given, all healthy: want "
        f"backends {tuple(SERVERS[:3])} and healthy() {SERVERS[:3]}, got {backends!r} and "
        f"{healthy!r}"
    )
    picked = [lb.pick(req(impl, ip)) for ip in random_ips(9)]
    counts = {b: lb.active(b) for b in SERVERS[:3]}
    assert counts == dict(Counter(picked)) | {b: 0 for b in SERVERS[:3] if b not in picked}, (
        f"{kind}: active(b) should count the picks of b not yet released; picks {picked}, "
        f"active {counts}"
    )
    for backend in picked:
        lb.release(backend)
    assert all(lb.active(b) == 0 for b in SERVERS[:3]), f"{kind}: release should undo each pick"
    with pytest.raises(ValueError):
        lb.release(SERVERS[0])  # nothing active: a double release
    with pytest.raises(KeyError):
        lb.mark_down("gpu-99")
    for backend in SERVERS[:3]:
        lb.mark_down(backend)
    healthy = lb.healthy()
    assert healthy == [], (
        f"{kind}: after mark_down of every backend healthy() should be [], got {healthy!r}"
    )
    with pytest.raises(impl.NoHealthyBackendError):
        lb.pick(req(impl))
    assert issubclass(impl.NoHealthyBackendError, RuntimeError), (
        "NoHealthyBackendError is given as a subclass of RuntimeError: keep its base class, got "
        f"{[c.__name__ for c in impl.NoHealthyBackendError.__mro__[1:]]}"
    )
    lb.mark_up(SERVERS[1])
    assert lb.pick(req(impl)) == SERVERS[1], f"{kind}: the only healthy backend must be picked"


@pytest.mark.clause("acquire")
@pytest.mark.parametrize("kind", KINDS)
def test_acquire_releases_even_when_the_request_fails(impl: ModuleType, kind: str) -> None:
    lb = make(impl, kind, SERVERS[:3])
    with lb.acquire(req(impl)) as backend:
        assert backend in SERVERS[:3], (
            f"{kind}: acquire should yield one of the backends {SERVERS[:3]}, got {backend!r}"
        )
        assert lb.active(backend) == 1, "inside `with lb.acquire(...)` the connection is active"
    assert lb.active(backend) == 0, f"{kind}: leaving the with-block should release {backend}"
    with pytest.raises(ZeroDivisionError), lb.acquire(req(impl)) as backend:
        1 / 0  # noqa: B018 - the request handler crashes
    assert lb.active(backend) == 0, (
        f"{kind}: when the block raises, acquire must still release (try/finally); "
        f"{backend} still has {lb.active(backend)} active"
    )


@pytest.mark.clause("backends-valid", "swrr-valid")
def test_constructor_validation(impl: ModuleType) -> None:
    impl.RoundRobin(["a"])
    for bad in ([], ["a", "a"]):
        with pytest.raises(ValueError):
            impl.RoundRobin(bad)
    for weights in ({"a": 0}, {"a": -1}, {"a": 1.5}, {}):
        with pytest.raises(ValueError):
            impl.SmoothWeightedRoundRobin(weights)


# -- round-robin -------------------------------------------------------------------------------
@pytest.mark.clause("round-robin")
def test_round_robin_cycles_in_order(impl: ModuleType) -> None:
    lb = impl.RoundRobin(SERVERS[:3])
    got = [lb.pick(req(impl)) for _ in range(7)]
    want = [SERVERS[i % 3] for i in range(7)]
    assert got == want, f"round-robin over {SERVERS[:3]} should give {want}, got {got}"


@pytest.mark.clause("rr-skips")
def test_round_robin_skips_down_backends(impl: ModuleType) -> None:
    lb = impl.RoundRobin(SERVERS)
    lb.pick(req(impl))
    lb.mark_down("gpu-1")
    lb.mark_down("gpu-2")  # two in a row
    got = [lb.pick(req(impl)) for _ in range(30)]
    assert not {"gpu-1", "gpu-2"} & set(got), (
        f"gpu-1 and gpu-2 are down and must never be picked, got {got[:12]}..."
    )
    for start in range(0, 30, 3):
        window = got[start : start + 3]
        assert sorted(window) == ["gpu-0", "gpu-3", "gpu-4"], (
            f"with 3 healthy backends each one gets one of every 3 picks; picks "
            f"{start}..{start + 2} were {window}"
        )
    lb.mark_up("gpu-2")
    got = [lb.pick(req(impl)) for _ in range(8)]
    assert Counter(got) == Counter({"gpu-0": 2, "gpu-2": 2, "gpu-3": 2, "gpu-4": 2}), (
        f"after mark_up('gpu-2') the 4 healthy backends share 8 picks equally, got {got}"
    )


# -- smooth weighted round-robin ---------------------------------------------------------------
@pytest.mark.clause("swrr")
def test_smooth_weighted_round_robin_nginx_sequence(impl: ModuleType) -> None:
    lb = impl.SmoothWeightedRoundRobin({"a": 5, "b": 1, "c": 1})
    got = "".join(lb.pick(req(impl)) for _ in range(14))
    assert got == "aabacaa" * 2, (
        f"weights a=5, b=1, c=1 should give nginx's smooth sequence 'aabacaa' twice, got {got!r}"
    )
    assert lb.weights == {"a": 5, "b": 1, "c": 1}, (
        f"picking must not change the configured weights a=5, b=1, c=1, got {lb.weights!r}"
    )


@pytest.mark.clause("swrr", "swrr-down")
@pytest.mark.parametrize(
    "weights",
    [{"a": 3, "b": 2, "c": 1}, {"x": 1, "y": 1}, {"a": 4, "b": 3, "c": 2, "d": 1}, {"s": 7}],
    ids=str,
)
def test_smooth_weighted_round_robin_matches_reference(
    impl: ModuleType, weights: dict[str, int]
) -> None:
    lb = impl.SmoothWeightedRoundRobin(weights)
    got = [lb.pick(req(impl)) for _ in range(60)]
    want = reference_swrr(weights, 60, {})
    assert got == want, (
        f"weights {weights}: first 60 picks differ from nginx's algorithm at pick "
        f"{next(i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w)}: "
        f"got {got[:14]}..., expected {want[:14]}..."
    )


@pytest.mark.clause("swrr-down")
def test_smooth_weighted_round_robin_leaves_down_backends_out(impl: ModuleType) -> None:
    weights = {"a": 4, "b": 3, "c": 2, "d": 1}
    lb = impl.SmoothWeightedRoundRobin(weights)
    got = []
    for i in range(40):
        if i == 5:
            lb.mark_down("b")
        got.append(lb.pick(req(impl)))
    want = reference_swrr(weights, 40, {5: "b"})
    assert got == want, (
        "after mark_down('b') at pick 5, only healthy backends add their weight to current and "
        f"the total is theirs: expected {want}, got {got}"
    )


# -- least connections -------------------------------------------------------------------------
@pytest.mark.clause("least-connections")
def test_least_connections_follows_active_connections(impl: ModuleType) -> None:
    lb = impl.LeastConnections(SERVERS[:3], rng=random.Random(1))
    first = [lb.pick(req(impl)) for _ in range(3)]
    assert sorted(first) == SERVERS[:3], f"3 picks without release: one each, got {first}"
    second = [lb.pick(req(impl)) for _ in range(3)]
    assert sorted(second) == SERVERS[:3], f"3 more picks: one each again, got {second}"
    lb.release("gpu-1")
    lb.release("gpu-1")
    got = [lb.pick(req(impl)) for _ in range(2)]
    assert got == ["gpu-1", "gpu-1"], (
        f"after gpu-1 finished its 2 requests it has 0 active vs 2 elsewhere: the next 2 picks "
        f"should go to gpu-1, got {got}. Does release() decrement the count?"
    )
    lb.release("gpu-0")
    lb.mark_down("gpu-0")
    assert lb.pick(req(impl)) != "gpu-0", "a down backend is skipped even with the fewest"


@pytest.mark.clause("lc-ties")
def test_least_connections_breaks_ties_at_random(impl: ModuleType) -> None:
    lb = impl.LeastConnections(SERVERS, rng=random.Random(2))
    counts = Counter()
    for _ in range(2500):
        with lb.acquire(req(impl)) as backend:
            counts[backend] += 1
    observed = [counts[b] for b in SERVERS]
    assert looks_like(observed), (
        f"when all 5 backends are tied at 0 connections the choice should be uniform at random "
        f"(rng.choice among the tied), got counts {dict(counts)} (chi-square "
        f"{chi2(observed):.1f} > {CHI2_CRITICAL[4]})"
    )
    held = lb.pick(req(impl))
    others = Counter()
    for _ in range(400):
        with lb.acquire(req(impl)) as backend:
            others[backend] += 1
    assert held not in others and len(others) == 4, (
        f"{held} has 1 active connection, the other 4 have 0: only those 4 may be chosen, "
        f"uniformly; got {dict(others)}"
    )


# -- power of two choices ----------------------------------------------------------------------
@pytest.mark.clause("p2c")
def test_power_of_two_choices_distribution(impl: ModuleType) -> None:
    lb = impl.PowerOfTwoChoices(SERVERS, rng=random.Random(3))
    lb.mark_down("gpu-0")
    assert all(lb.pick(req(impl)) != "gpu-0" for _ in range(20)), "gpu-0 is down"
    lb.mark_up("gpu-0")
    for backend in SERVERS:
        while lb.active(backend):
            lb.release(backend)
    for load, backend in enumerate(SERVERS):
        hold(impl, lb, backend, load)  # gpu-0 .. gpu-4 hold 0, 1, 2, 3, 4 connections
    counts = Counter()
    for _ in range(3000):
        with lb.acquire(req(impl)) as backend:
            counts[backend] += 1
    observed = [counts[b] for b in SERVERS]
    assert observed[-1] == 0, (
        f"with loads 0,1,2,3,4, the most loaded backend loses every duel (it is never drawn "
        f"twice: the two draws are distinct), but it was chosen {observed[-1]} times"
    )
    expected = [0.4 * 3000, 0.3 * 3000, 0.2 * 3000, 0.1 * 3000]
    assert looks_like(observed[:4], expected), (
        f"with loads 0,1,2,3,4 and two distinct random candidates, backend i wins with "
        f"probability (4 - i)/10 = 40/30/20/10%; got {observed} of 3000 (chi-square "
        f"{chi2(observed[:4], expected):.1f} > {CHI2_CRITICAL[3]})"
    )


# -- IP hash -----------------------------------------------------------------------------------
@pytest.mark.clause("ip-hash")
def test_ip_hash_is_sticky_and_spreads_evenly(impl: ModuleType) -> None:
    ips = random_ips(4000, seed=5)
    lb = impl.IPHash(SERVERS[:4])
    first = {ip: lb.pick(req(impl, ip)) for ip in ips}
    again = impl.IPHash(SERVERS[:4])
    moved = [ip for ip in ips[:500] if again.pick(req(impl, ip)) != first[ip]]
    assert not moved, f"the same client must land on the same backend, {len(moved)} moved"
    counts = Counter(first.values())
    assert looks_like([counts[b] for b in SERVERS[:4]]), (
        f"4000 clients should spread evenly over 4 backends, got {dict(counts)}"
    )
    lb.mark_down("gpu-2")
    during = {ip: lb.pick(req(impl, ip)) for ip in ips[:1000]}
    assert "gpu-2" not in during.values(), "clients of a down backend must go elsewhere"
    lb.mark_up("gpu-2")
    back = {ip: lb.pick(req(impl, ip)) for ip in ips[:1000]}
    assert back == {ip: first[ip] for ip in ips[:1000]}, (
        "once gpu-2 is back the mapping should be exactly the original one (it depends only on "
        "the IP and the healthy list)"
    )


@pytest.mark.clause("ip-hash-stable")
def test_ip_hash_is_the_same_in_every_process(impl: ModuleType, rx_root: Path) -> None:
    ips = random_ips(300, seed=6)
    lb = impl.IPHash(SERVERS)
    here = [lb.pick(impl.Request(ip)) for ip in ips]
    code = (
        "import importlib.util, json, sys\n"
        "spec = importlib.util.spec_from_file_location('lb_under_test', sys.argv[1])\n"
        "m = sys.modules[spec.name] = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(m)\n"
        f"lb = m.IPHash({SERVERS!r})\n"
        f"print(json.dumps([lb.pick(m.Request(ip)) for ip in {ips!r}]))\n"
    )
    for seed in ("7", "31337"):
        proc = subprocess.run(
            [sys.executable, "-c", code, str(impl.__file__)],
            cwd=rx_root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0, f"IPHash failed in a fresh process:\n{proc.stderr[-1500:]}"
        there = json.loads(proc.stdout.strip().splitlines()[-1])
        differ = sum(a != b for a, b in zip(here, there, strict=True))
        assert differ == 0, (
            f"with PYTHONHASHSEED={seed}, {differ} of 300 clients go to another backend than in "
            "this process: hash with hashlib.sha256, never Python's salted hash()"
        )


# -- judged against the reference --------------------------------------------------------------
class SortedRng(random.Random):
    """A deterministic ``rng`` that ignores the order of what it is given: ``choice`` takes the
    smallest name, ``sample`` the names from the largest down. Any correct balancer that draws
    through ``rng.choice`` / ``rng.sample`` makes the same decisions as the reference with it."""

    def choice(self, seq):  # type: ignore[no-untyped-def, override]
        return min(seq)

    def sample(self, population, k, **kwargs):  # type: ignore[no-untyped-def, override]
        return sorted(population, reverse=True)[:k]


NAMES = ["gpu-0", "gpu-1", "gpu-2", "gpu-3"]
OPS = st.lists(
    st.tuples(
        st.sampled_from(["pick", "pick", "pick", "release", "down", "up", "active"]),
        st.sampled_from([*NAMES, "gpu-9"]),
    ),
    max_size=30,
)


def balancer_log(module: ModuleType, kind: str, backends: Any, ops: list) -> list:
    """Build a balancer and run ``ops``; log every outcome (value or exception type)."""

    def outcome(fn: Callable[[], Any]) -> Any:
        try:
            return ("ok", fn())
        except NotImplementedError:
            raise
        except Exception as err:  # noqa: BLE001 - compared
            name = "NoHealthyBackendError" if isinstance(err, module.NoHealthyBackendError) else ""
            return ("raised", name or type(err).__name__)

    log: list[Any] = []
    if kind == "SmoothWeightedRoundRobin":
        made = outcome(lambda: module.SmoothWeightedRoundRobin(backends))
    elif kind in ("LeastConnections", "PowerOfTwoChoices"):
        made = outcome(lambda: getattr(module, kind)(backends, rng=SortedRng()))
    else:
        made = outcome(lambda: getattr(module, kind)(backends))
    if made[0] == "raised":
        return [made]
    lb = made[1]
    log.append(("backends", lb.backends, lb.healthy()))
    if kind == "SmoothWeightedRoundRobin":
        log.append(("weights", lb.weights))
        lb.weights["gpu-0"] = 99  # a copy: changing it changes nothing
    for i, (op, name) in enumerate(ops):
        ip = f"10.0.{i}.{7 * i % 256}"
        if op == "pick":
            action = functools.partial(lb.pick, module.Request(ip))
        else:
            method = {"release": "release", "down": "mark_down", "up": "mark_up"}.get(op, op)
            action = functools.partial(getattr(lb, method), name)
        log.append((op, name, outcome(action), lb.healthy()))
    return log


BACKEND_LISTS = st.sampled_from([NAMES[:1], NAMES[:2], NAMES[:3], NAMES, [], ["a", "b", "a"]])
WEIGHTS = st.sampled_from([
    {"gpu-0": 5, "gpu-1": 1, "gpu-2": 1},
    {"gpu-0": 1, "gpu-1": 1},
    {"gpu-0": 2, "gpu-1": 3, "gpu-2": 4, "gpu-3": 1},
    {"gpu-0": 3},
    {"gpu-0": 2, "gpu-1": 0},
    {"gpu-0": True},
    {"gpu-0": 2.0},
    {},
])  # fmt: skip


@pytest.mark.clause(
    "backends-valid", "health", "pick", "release", "active", "unknown-backend", "round-robin",
    "rr-skips", "swrr-valid", "swrr-weights", "swrr", "swrr-down", "least-connections", "p2c",
    "p2c-single", "ip-hash",
)  # fmt: skip
@given(
    kind=st.sampled_from(KINDS),
    backends=BACKEND_LISTS,
    weights=WEIGHTS,
    ops=OPS,
)
# a weight of True is a bool, not an int >= 1: rejected like the reference does
@example(kind="SmoothWeightedRoundRobin", backends=[], weights={"gpu-0": True}, ops=[("pick", "")])
@example(
    kind="PowerOfTwoChoices",
    backends=NAMES[:3],
    weights={},
    ops=[("pick", ""), ("pick", ""), ("down", "gpu-0"), ("down", "gpu-1"), ("pick", "")],
)
@example(
    kind="LeastConnections",
    backends=NAMES[:3],
    weights={},
    ops=[("pick", ""), ("pick", ""), ("release", "gpu-0"), ("pick", ""), ("pick", "")],
)
@example(
    kind="SmoothWeightedRoundRobin",
    backends=[],
    weights={"gpu-0": 5, "gpu-1": 1, "gpu-2": 1},
    ops=[("pick", "")] * 3
    + [("down", "gpu-0")]
    + [("pick", "")] * 4
    + [("up", "gpu-0")]
    + [("pick", "")] * 4,
)
@example(
    kind="RoundRobin",
    backends=NAMES,
    weights={},
    ops=[
        ("pick", ""),
        ("down", "gpu-1"),
        ("down", "gpu-2"),
        ("pick", ""),
        ("pick", ""),
        ("release", "gpu-0"),
        ("release", "gpu-0"),
        ("release", "gpu-0"),
    ],
)
def test_balancers_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, kind: str, backends: list, weights: dict, ops: list
) -> None:  # fmt: skip
    arg = weights if kind == "SmoothWeightedRoundRobin" else backends
    diff.assert_same(
        lambda: balancer_log(impl, kind, arg, ops), lambda: balancer_log(reference, kind, arg, ops)
    )


@pytest.mark.clause("rng-default")
@pytest.mark.parametrize("kind", ["LeastConnections", "PowerOfTwoChoices"])
def test_no_rng_means_a_fresh_unseeded_generator(impl: ModuleType, kind: str) -> None:
    runs = []
    for _ in range(2):
        random.seed(2024)  # a fresh random.Random() does not depend on the global seed
        lb = getattr(impl, kind)(SERVERS)
        picks = []
        for _ in range(40):  # every backend idle: each pick is a random tie-break
            picks.append(lb.pick(req(impl)))
            lb.release(picks[-1])
        runs.append(picks)
    assert runs[0] != runs[1], (
        f"{kind}(rng=None) must use a new unseeded random.Random(), not the global `random` "
        f"module: after random.seed(2024), two balancers made the same 40 picks {runs[0][:8]}..."
    )
