"""Tests of week6.tiny_autograd: Value gradients against torch.autograd, and a tiny MLP.

Every expression is built twice, once with your ``Value`` and once with float64 torch tensors
(the same Python code works on both), and the leaf gradients are compared. Random expressions
reuse earlier nodes, so gradients must accumulate and nodes must be visited in reverse
topological order. Run: ``pytest weeks/week6/tests/test_tiny_autograd.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st

from grader import differential as diff

UNARY: dict[str, Callable] = {
    "tanh": lambda x: x.tanh(),
    "relu": lambda x: x.relu(),
    "exp(tanh)": lambda x: x.tanh().exp(),
    "log(x*x+1)": lambda x: (x * x + 1.0).log(),
    "x**2": lambda x: x**2,
    "(x*x+0.5)**-0.5": lambda x: (x * x + 0.5) ** -0.5,
    "x**3": lambda x: x**3,
    "-x": lambda x: -x,
    "2-x": lambda x: 2.0 - x,
    "1/(x*x+1)": lambda x: 1.0 / (x * x + 1.0),
    "3+x": lambda x: 3.0 + x,
    "0.5*x": lambda x: 0.5 * x,
    "x/4": lambda x: x / 4.0,
    "x-1": lambda x: x - 1.0,
}
BINARY: dict[str, Callable] = {
    "x+y": lambda x, y: x + y,
    "x-y": lambda x, y: x - y,
    "x*y": lambda x, y: x * y,
    "x/(y*y+1)": lambda x, y: x / (y * y + 1.0),
}


def _program(seed: int, n_ops: int = 14) -> list[tuple[str, tuple[int, ...]]]:
    """A random expression DAG over 3 leaves: (op name, operand node indices) per new node."""
    rng = np.random.default_rng(seed)
    steps = []
    n_nodes = 3
    for _ in range(n_ops):
        if rng.random() < 0.5:
            name = str(rng.choice(list(UNARY)))
            args = (int(rng.integers(n_nodes)),)
        else:
            name = str(rng.choice(list(BINARY)))
            args = tuple(int(i) for i in rng.integers(n_nodes, size=2))
        steps.append((name, args))
        n_nodes += 1
    return steps


def _run(program: list[tuple[str, tuple[int, ...]]], leaves: list) -> object:
    nodes = list(leaves)
    for name, args in program:
        fn = UNARY.get(name) or BINARY[name]
        nodes.append(fn(*(nodes[i] for i in args)))
    return nodes[-1] + nodes[-2] * nodes[-3]  # the output uses several late nodes


def _describe(program: list[tuple[str, tuple[int, ...]]]) -> str:
    return "; ".join(f"n{3 + i} = {name}{args}" for i, (name, args) in enumerate(program))


def _torch_grads(fn: Callable, values: list[float]) -> tuple[float, list[float]]:
    leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    out = fn(leaves)
    out.backward()
    return float(out.detach()), [0.0 if t.grad is None else float(t.grad) for t in leaves]


def _value_grads(impl: ModuleType, fn: Callable, values: list[float]) -> tuple[float, list]:
    leaves = [impl.Value(v) for v in values]
    out = fn(leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


def _assert_grads(got: list[float], want: list[float], what: str) -> None:
    for name, g, w in zip("abcdefgh", got, want, strict=False):
        assert abs(g - w) <= 1e-9 * max(1.0, abs(w)), (
            f"{what}: d out / d {name} should be {w:.10g} (torch.autograd), got {g:.10g}"
        )


# -- single operations -------------------------------------------------------------------------
@pytest.mark.clause("functions", "pow", "arithmetic", "reflected", "numbers", "chain-rule")
@pytest.mark.parametrize("name", list(UNARY))
def test_unary_operation_gradient_matches_torch(impl: ModuleType, name: str) -> None:
    for x in (-1.3, 0.4, 2.1):
        fn = lambda leaves: UNARY[name](leaves[0])  # noqa: E731
        got_value, got = _value_grads(impl, fn, [x])
        want_value, want = _torch_grads(fn, [x])
        assert abs(got_value - want_value) <= 1e-12 * max(1.0, abs(want_value)), (
            f"{name} at x={x}: value should be {want_value:.10g}, got {got_value:.10g}"
        )
        _assert_grads(got, want, f"{name} at x={x}")


@pytest.mark.clause("arithmetic", "numbers")
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_operation_gradient_matches_torch(impl: ModuleType, name: str) -> None:
    fn = lambda leaves: BINARY[name](leaves[0], leaves[1])  # noqa: E731
    got_value, got = _value_grads(impl, fn, [1.7, -0.6])
    want_value, want = _torch_grads(fn, [1.7, -0.6])
    assert abs(got_value - want_value) < 1e-12, f"{name}: value {got_value} != {want_value}"
    _assert_grads(got, want, f"{name} at a=1.7, b=-0.6")


@pytest.mark.clause("functions")
def test_relu_gradient_is_zero_for_negative_inputs(impl: ModuleType) -> None:
    x = impl.Value(-2.0)
    y = x.relu()
    y.backward()
    assert y.data == 0.0 and x.grad == 0.0, (
        f"relu(-2) should be 0 with gradient 0, got value {y.data} and gradient {x.grad}"
    )


# -- accumulation and ordering -------------------------------------------------------------------
@pytest.mark.clause("accumulate")
def test_node_used_twice_accumulates(impl: ModuleType) -> None:
    a = impl.Value(3.0)
    b = a * a
    b.backward()
    assert a.grad == 6.0, (
        f"b = a * a with a = 3: db/da = 2a = 6, got {a.grad}. A node used twice must receive "
        "the SUM of both paths' gradients: use += in _backward, not ="
    )
    c = impl.Value(5.0)
    d = c + c
    d.backward()
    assert c.grad == 2.0, f"d = c + c: dd/dc = 2, got {c.grad} (accumulate with +=)"


@pytest.mark.clause("topological", "accumulate")
def test_diamond_graph_matches_torch(impl: ModuleType) -> None:
    def fn(leaves: list) -> object:
        a, b = leaves
        c = a * b
        d = c.tanh() + c * a  # c feeds two nodes, a feeds two nodes
        e = d * c - b
        return e + d

    got_value, got = _value_grads(impl, fn, [0.7, -1.2])
    _, want = _torch_grads(fn, [0.7, -1.2])
    _assert_grads(got, want, "diamond c = a*b; d = tanh(c) + c*a; e = d*c - b; out = e + d")


@pytest.mark.clause("topological", "backward")
@pytest.mark.parametrize("seed", range(20))
def test_random_expression_gradients_match_torch(impl: ModuleType, seed: int) -> None:
    program = _program(seed)
    values = list(np.random.default_rng(1000 + seed).uniform(-1.5, 1.5, size=3))
    fn = lambda leaves: _run(program, leaves)  # noqa: E731
    got_value, got = _value_grads(impl, fn, values)
    want_value, want = _torch_grads(fn, values)
    assert abs(got_value - want_value) <= 1e-9 * max(1.0, abs(want_value)), (
        f"expression value differs: {got_value} vs torch {want_value} ({_describe(program)})"
    )
    _assert_grads(got, want, f"random expression {seed} [{_describe(program)}]")


@pytest.mark.clause("backward")
def test_gradients_match_finite_differences(impl: ModuleType) -> None:
    program = _program(99, n_ops=10)
    values = [0.3, -0.8, 1.1]

    def f(vals: list[float]) -> float:
        return _run(program, [impl.Value(v) for v in vals]).data

    _, got = _value_grads(impl, lambda leaves: _run(program, leaves), values)
    h = 1e-6
    for i in range(3):
        up, down = list(values), list(values)
        up[i] += h
        down[i] -= h
        numeric = (f(up) - f(down)) / (2 * h)
        assert abs(got[i] - numeric) <= 1e-5 * max(1.0, abs(numeric)), (
            f"leaf {i}: finite differences give {numeric:.8g}, backward gave {got[i]:.8g}"
        )


@pytest.mark.clause("no-recursion")
def test_deep_graph_does_not_hit_the_recursion_limit(impl: ModuleType) -> None:
    depth = 6000
    assert sys.getrecursionlimit() < 2 * depth, "test assumption: default recursion limit"
    x = impl.Value(1.0)
    y = x
    for _ in range(depth):
        y = y * 1.0001 + 0.001  # two new nodes per iteration: a chain 12 000 nodes deep
    try:
        y.backward()
    except RecursionError:
        pytest.fail(
            "backward() on a graph 12 000 nodes deep raised RecursionError: build the "
            "topological order with an explicit stack instead of recursion"
        )
    assert abs(x.grad - 1.0001**depth) < 1e-9 * 1.0001**depth, (
        f"d y / d x for y = x * 1.0001 (+ c) repeated {depth} times should be "
        f"{1.0001**depth:.10g}, got {x.grad:.10g}"
    )


@pytest.mark.clause("pow-type")
def test_power_rejects_value_exponent(impl: ModuleType) -> None:
    with pytest.raises(TypeError):
        impl.Value(2.0) ** impl.Value(3.0)
        pytest.fail("a ** b with a Value exponent must raise TypeError (constant exponents only)")


@pytest.mark.clause("log-domain")
def test_log_of_non_positive_raises(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.Value(0.0).log()
        pytest.fail("Value(0.0).log() must raise ValueError")


# -- MLP -------------------------------------------------------------------------------------------
def _torch_mlp_grads(params: list[float], sizes: list[int], xs: list[list[float]]):
    """Rebuild the MLP in torch from the documented parameter order; return loss and grads."""
    flat = torch.tensor(params, dtype=torch.float64, requires_grad=True)
    offset = 0
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        block = flat[offset : offset + fan_out * (fan_in + 1)].reshape(fan_out, fan_in + 1)
        layers.append((block[:, :fan_in], block[:, fan_in]))
        offset += fan_out * (fan_in + 1)
    loss = torch.zeros((), dtype=torch.float64)
    for x in xs:
        h = torch.tensor(x, dtype=torch.float64)
        for depth, (w, b) in enumerate(layers):
            h = w @ h + b
            if depth < len(layers) - 1:
                h = torch.tanh(h)
        loss = loss + (h**2).sum()
    loss.backward()
    return float(loss.detach()), flat.grad.tolist()


@pytest.mark.clause("mlp-parameters", "mlp-init")
def test_mlp_parameters_count_and_order(impl: ModuleType) -> None:
    mlp = impl.MLP(3, [4, 2], seed=0)
    params = mlp.parameters()
    assert len(params) == 4 * (3 + 1) + 2 * (4 + 1), (
        f"MLP(3, [4, 2]) has 4 neurons x (3 weights + 1 bias) + 2 x (4 + 1) = 26 parameters, "
        f"got {len(params)}"
    )
    biases = [params[i].data for i in (3, 7, 11, 15, 20, 25)]
    assert biases == [0.0] * 6, (
        "parameters() order is layer by layer, neuron by neuron, weights then bias, and biases "
        f"start at 0; the entries at the bias positions are {biases}"
    )


@pytest.mark.clause("mlp-layers", "mlp-call", "mlp-parameters")
def test_mlp_forward_and_gradients_match_torch(impl: ModuleType) -> None:
    sizes = [3, 4, 4, 2]
    mlp = impl.MLP(3, sizes[1:], seed=1)
    xs = [[0.5, -1.0, 2.0], [-0.3, 0.8, 0.1]]
    loss = impl.Value(0.0)
    for x in xs:
        out = mlp(x)
        assert isinstance(out, list) and len(out) == 2, (
            f"mlp(x) must return a list with one Value per output neuron (2), got {out!r}"
        )
        for o in out:
            loss = loss + o * o
    mlp.zero_grad()
    loss.backward()
    params = mlp.parameters()
    want_loss, want = _torch_mlp_grads([p.data for p in params], sizes, xs)
    assert abs(loss.data - want_loss) < 1e-9 * max(1.0, want_loss), (
        f"MLP(3, [4, 4, 2]) sum of squared outputs: torch gives {want_loss:.10g}, you "
        f"{loss.data:.10g} (tanh after hidden layers only, linear output)"
    )
    for i, (p, w) in enumerate(zip(params, want, strict=True)):
        assert abs(p.grad - w) <= 1e-9 * max(1.0, abs(w)), (
            f"gradient of parameter {i} (in parameters() order): torch {w:.10g}, "
            f"yours {p.grad:.10g}"
        )


@pytest.mark.clause("zero-grad")
def test_mlp_learns_xor(impl: ModuleType) -> None:
    data = [([0.0, 0.0], -1.0), ([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], -1.0)]
    mlp = impl.MLP(2, [6, 1], seed=0)
    start = np.random.default_rng(3).uniform(-1.0, 1.0, len(mlp.parameters()))
    for p, value in zip(mlp.parameters(), start, strict=True):
        p.data = float(value)  # a fixed start, whatever order your initialisation uses
    losses = []
    for _ in range(80):
        loss = impl.Value(0.0)
        for x, y in data:
            diff = mlp(x)[0] - y
            loss = loss + diff * diff
        mlp.zero_grad()
        loss.backward()
        for p in mlp.parameters():
            p.data -= 0.05 * p.grad
        losses.append(loss.data)
    assert losses[-1] < 0.1 * losses[0], (
        f"80 steps of gradient descent (lr 0.05) on XOR should cut the squared error at least "
        f"10x; it went from {losses[0]:.4g} to {losses[-1]:.4g}. Check zero_grad and the signs"
    )
    predictions = [mlp(x)[0].data for x, _ in data]
    assert all(np.sign(p) == y for p, (_, y) in zip(predictions, data, strict=True)), (
        f"after training, the signs of the outputs should match XOR's labels -1, 1, 1, -1: "
        f"got {np.round(predictions, 3).tolist()}"
    )


# -- judged against the reference -------------------------------------------------------------
EDGE_UNARY: dict[str, Callable] = {
    **UNARY,
    "log": lambda x: x.log(),  # ValueError at x <= 0
    "x**-1": lambda x: x**-1,  # ZeroDivisionError at 0
    "exp": lambda x: x.exp(),
    "relu(x)*x": lambda x: x.relu() * x,
    "2*x+1": lambda x: 2 * x + 1,  # int operands
    "1-x": lambda x: 1 - x,
}


def _started(impl: ModuleType) -> None:
    """Raise the stub's NotImplementedError before comparing: a stub is *not started*, not
    *wrong*, even on inputs where the reference raises."""
    (impl.Value(1.0) + 1.0).backward()


@st.composite
def _programs(draw):
    steps, n_nodes = [], 3
    for _ in range(draw(st.integers(1, 10))):
        if draw(st.booleans()):
            steps.append(
                (draw(st.sampled_from(sorted(EDGE_UNARY))), (draw(st.integers(0, n_nodes - 1)),))
            )
        else:
            pair = (draw(st.integers(0, n_nodes - 1)), draw(st.integers(0, n_nodes - 1)))
            steps.append((draw(st.sampled_from(sorted(BINARY))), pair))
        n_nodes += 1
    return steps


def _story(mod: ModuleType, program, values: list[float]):
    leaves = [mod.Value(v) for v in values]
    nodes = list(leaves)
    for name, args in program:
        fn = EDGE_UNARY.get(name) or BINARY[name]
        nodes.append(fn(*(nodes[i] for i in args)))
    out = nodes[-1]
    out.backward()
    return out.data, out.grad, [leaf.grad for leaf in leaves], [leaf.data for leaf in leaves]


_LEAF = st.one_of(st.sampled_from([0.0, 1.0, -1.0, 0.5, -2.0, 3.0]), st.floats(-3.0, 3.0))


@pytest.mark.clause(
    "backward", "chain-rule", "arithmetic", "reflected", "numbers", "pow", "functions",
    "relu-at-zero", "log-domain", "accumulate", "topological", "new-value",
)  # fmt: skip
@given(program=_programs(), values=st.lists(_LEAF, min_size=3, max_size=3))
@example(program=[("relu", (0,))], values=[0.0, 1.0, 2.0])
@example(program=[("log", (1,))], values=[1.0, -1.0, 2.0])
@example(program=[("x*y", (0, 0)), ("x+y", (3, 0))], values=[3.0, 0.0, 0.0])
@example(program=[("x**-1", (2,))], values=[1.0, 1.0, 0.0])
def test_expressions_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, program, values: list[float]
) -> None:
    """Each gradient is a sum over paths of products of at most ~12 local derivatives, each
    correct to a few ulps: 1e-9 relative to the largest gradient allows any valid formula
    (``1 - tanh**2`` from the output or the input, ``a * b**-1`` or the quotient rule)."""
    _started(impl)

    def compare(got, want) -> str | None:
        scale = 1.0 + max((abs(g) for g in want[2] if np.isfinite(g)), default=0.0)
        return diff.same(got, want, rtol=1e-9, atol=1e-9 * scale)

    with np.errstate(all="ignore"):
        diff.assert_same(
            lambda: _story(impl, program, values),
            lambda: _story(reference, program, values),
            compare=compare,
        )


@pytest.mark.clause("new-value")
def test_operations_return_new_values(impl: ModuleType) -> None:
    a = impl.Value(2.0)
    results = {
        "a + 0": a + 0,
        "0 + a": 0 + a,
        "a * 1": a * 1,
        "1 * a": 1 * a,
        "a - 0": a - 0,
        "a / 1": a / 1,
        "a ** 1": a**1,
        "a.relu()": a.relu(),
    }
    for what, out in results.items():
        assert isinstance(out, impl.Value) and out is not a, (
            f"{what} must return a NEW Value (the graph needs a node per operation), got "
            f"{'a itself' if out is a else repr(out)}"
        )
    assert a.data == 2.0, f"operations must not change their operands' data, a is now {a.data}"


@pytest.mark.clause("relu-at-zero")
def test_relu_gradient_at_zero_is_zero(impl: ModuleType) -> None:
    x = impl.Value(0.0)
    y = x.relu()
    y.backward()
    assert y.data == 0.0 and x.grad == 0.0, (
        f"relu(0) is 0 with gradient 0 (like PyTorch), got value {y.data} and gradient {x.grad}"
    )


@pytest.mark.clause("across-calls")
def test_gradients_accumulate_across_backward_calls(impl: ModuleType) -> None:
    a, b = impl.Value(3.0), impl.Value(-2.0)
    out = a * b
    out.backward()
    out.backward()
    assert (a.grad, b.grad) == (-4.0, 6.0), (
        "two backward() calls on out = a * b must ADD UP (like PyTorch): a.grad = 2 * b = -4 and "
        f"b.grad = 2 * a = 6, got {a.grad} and {b.grad}. Do not reset the leaves' gradients in "
        "backward; zero_grad does that"
    )


@pytest.mark.clause("across-calls", "fresh-intermediates")
def test_a_second_backward_through_a_deep_graph_adds_the_same_again(impl: ModuleType) -> None:
    a, b = impl.Value(3.0), impl.Value(-2.0)
    out = (a * b) * 2.0
    out.backward()
    out.backward()
    assert (a.grad, b.grad) == (-8.0, 12.0), (
        "two backward() calls on out = (a * b) * 2 must give the leaves twice one call's "
        f"gradient, like PyTorch: a.grad = 2 * 2b = -8 and b.grad = 2 * 2a = 12, got {a.grad} and "
        f"{b.grad}. An intermediate node (a * b) must start from 0 at each backward, or its "
        "gradient from the first call is propagated again"
    )


@pytest.mark.clause("mlp-init")
def test_mlp_initialisation_is_seeded(impl: ModuleType) -> None:
    def weights(seed: int) -> list[float]:
        return [p.data for p in impl.MLP(3, [4, 2], seed=seed).parameters()]

    first, again, other = weights(5), weights(5), weights(6)
    assert first == again, "two MLPs built with seed=5 must start with the same parameters"
    assert first != other, "seeds 5 and 6 gave the same parameters: use random.Random(seed)"
    biases = [first[i] for i in (3, 7, 11, 15, 20, 25)]
    weights_only = [v for i, v in enumerate(first) if i not in (3, 7, 11, 15, 20, 25)]
    assert biases == [0.0] * 6 and all(-1.0 <= v <= 1.0 for v in weights_only), (
        "biases start at 0.0 and weights are uniform in [-1, 1]"
    )
    assert len(set(weights_only)) == len(weights_only), "every weight needs its own draw"


@pytest.mark.clause("zero-grad")
def test_zero_grad_resets_every_parameter(impl: ModuleType) -> None:
    mlp = impl.MLP(2, [3, 2], seed=2)
    outs = mlp([0.5, -1.0])
    (outs[0] * outs[1] + outs[0]).backward()
    assert any(p.grad != 0.0 for p in mlp.parameters()), "test assumption: gradients were set"
    mlp.zero_grad()
    left = [i for i, p in enumerate(mlp.parameters()) if p.grad != 0.0]
    assert not left, f"zero_grad() left non-zero gradients at parameters {left}"


@pytest.mark.clause("linear")
def test_backward_work_is_linear_in_the_graph(impl: ModuleType) -> None:
    """A chain of diamonds ``x = x * x + x``: 3 nodes per level but 2 ** depth paths."""

    def graph(depth: int):
        x = impl.Value(0.5)
        y = x
        for _ in range(depth):
            y = y * y + y * 0.25
        return y

    small, large = graph(6), graph(12)
    lines_small = diff.python_lines(small.backward)
    lines_large = diff.python_lines(large.backward)
    assert lines_large <= 3 * lines_small, (
        f"backward ran {lines_small} Python lines for a graph 6 diamonds deep and {lines_large} "
        "for 12 diamonds (twice the nodes): visit each node, and run its _backward, ONCE (keep "
        "a visited set), however many paths reach it"
    )
