"""Tests of week6.dropout: inverted scaling, eval identity, edge probabilities, determinism.

Statistical checks use seeded generators and 200 000 draws with 6-sigma bounds, so they are
reproducible and do not flake. Run: ``pytest weeks/week6/tests/test_dropout.py``.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader import differential as diff

N = 200_000


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.mark.clause("scale", "mask")
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_kept_units_are_scaled_and_dropped_are_zero(impl: ModuleType, p: float) -> None:
    x = _rng(1).standard_normal((50, 40))
    out, mask = impl.dropout(x, p, True, _rng(2))
    out, mask = np.asarray(out), np.asarray(mask)
    assert mask.shape == x.shape and mask.dtype == bool, (
        f"mask must be a boolean array of shape {x.shape}, got {mask.dtype} {mask.shape}"
    )
    want = np.where(mask, x / (1 - p), 0.0)
    assert np.allclose(out, want), (
        f"p={p}: kept units must equal x / (1 - p) = x * {1 / (1 - p):.4g} and dropped units 0 "
        "(inverted dropout scales at training time)"
    )


@pytest.mark.clause("independent")
@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_drop_rate_is_p(impl: ModuleType, p: float) -> None:
    _, mask = impl.dropout(np.ones(N), p, True, _rng(3))
    dropped = 1.0 - np.asarray(mask).mean()
    sigma = np.sqrt(p * (1 - p) / N)
    assert abs(dropped - p) < 6 * sigma, (
        f"p={p} is the probability of DROPPING a unit; over {N} units you dropped a fraction "
        f"{dropped:.4f} (expected {p} +- {6 * sigma:.4f})"
    )


@pytest.mark.clause("scale")
@pytest.mark.parametrize("p", [0.3, 0.75])
def test_expected_value_is_preserved(impl: ModuleType, p: float) -> None:
    x = 1.0 + _rng(4).random(N)  # values in [1, 2), mean about 1.5
    out, _ = impl.dropout(x, p, True, _rng(5))
    out = np.asarray(out)
    sigma = np.sqrt(np.mean(x**2) * p / (1 - p) / N)
    assert abs(out.mean() - x.mean()) < 6 * sigma, (
        f"p={p}: E[out] must equal E[x] = {x.mean():.4f}, got mean {out.mean():.4f} "
        "(scale the kept units by 1 / (1 - p))"
    )


@pytest.mark.clause("identity")
def test_eval_mode_is_identity(impl: ModuleType) -> None:
    x = _rng(6).standard_normal((20, 30))
    out, mask = impl.dropout(x, 0.5, False, _rng(7))
    assert np.array_equal(out, x), "training=False: dropout must return x unchanged"
    assert np.all(mask), "training=False: the mask must be all True"


@pytest.mark.clause("identity")
def test_p_zero_is_identity(impl: ModuleType) -> None:
    x = _rng(8).standard_normal(100)
    out, mask = impl.dropout(x, 0.0, True, _rng(9))
    assert np.array_equal(out, x) and np.all(mask), "p=0: nothing is dropped and nothing scaled"


@pytest.mark.clause("p-one")
def test_p_one_gives_zeros_without_division_by_zero(impl: ModuleType) -> None:
    x = _rng(10).standard_normal((10, 10))
    with np.errstate(all="raise"):
        try:
            out, mask = impl.dropout(x, 1.0, True, _rng(11))
            grad = impl.dropout_backward(np.ones_like(x), mask, 1.0)
        except FloatingPointError as exc:
            pytest.fail(f"p=1 must not divide by 1 - p = 0 ({exc}); special-case it")
    assert np.array_equal(out, np.zeros_like(x)) and not np.any(mask), (
        "p=1: every unit is dropped: output all zeros and mask all False"
    )
    assert np.array_equal(grad, np.zeros_like(x)), "p=1: the gradient is all zeros"


@pytest.mark.clause("p-range")
@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_invalid_p_raises(impl: ModuleType, p: float) -> None:
    with pytest.raises(ValueError):
        impl.dropout(np.ones(3), p, True, _rng())
        pytest.fail(f"dropout with p={p} must raise ValueError (p must be in [0, 1])")


@pytest.mark.clause("seed", "independent")
def test_same_seed_same_mask_and_elements_are_independent(impl: ModuleType) -> None:
    x = np.ones((200, 50))
    out_a, mask_a = impl.dropout(x, 0.5, True, _rng(12))
    out_b, mask_b = impl.dropout(x, 0.5, True, _rng(12))
    _, mask_c = impl.dropout(x, 0.5, True, _rng(13))
    assert np.array_equal(mask_a, mask_b) and np.array_equal(out_a, out_b), (
        "the same seed must give the same mask: draw it from the rng you were given"
    )
    assert not np.array_equal(mask_a, mask_c), "different seeds should give different masks"
    rows_equal = np.all(np.asarray(mask_a) == np.asarray(mask_a)[0], axis=1).mean()
    assert rows_equal < 0.1, (
        "every ELEMENT needs its own keep/drop decision, but the rows of your mask repeat"
    )


@pytest.mark.clause("no-mutation")
def test_input_is_not_modified(impl: ModuleType) -> None:
    x = _rng(14).standard_normal(1000)
    before = x.copy()
    impl.dropout(x, 0.5, True, _rng(15))
    assert np.array_equal(x, before), "dropout modified its input x in place"


@pytest.mark.clause("backward")
@pytest.mark.parametrize("p", [0.25, 0.6])
def test_backward_uses_the_same_mask_and_scale(impl: ModuleType, p: float) -> None:
    x = _rng(16).standard_normal((30, 20))
    grad_out = _rng(17).standard_normal(x.shape)
    _, mask = impl.dropout(x, p, True, _rng(18))
    got = np.asarray(impl.dropout_backward(grad_out, mask, p))
    # out is linear in x for a fixed mask: d sum(grad_out * out) / dx = grad_out * mask / (1 - p)
    h = 1e-6
    probe = np.zeros_like(x)
    probe[3, 4] = h
    out_plus, _ = impl.dropout(x + probe, p, True, _rng(18))
    out_minus, _ = impl.dropout(x - probe, p, True, _rng(18))
    numeric = np.sum(grad_out * (np.asarray(out_plus) - np.asarray(out_minus))) / (2 * h)
    assert np.isclose(got[3, 4], numeric, atol=1e-6), (
        f"finite differences give d loss / dx[3, 4] = {numeric:.6g}, your backward {got[3, 4]:.6g}"
    )
    want = np.where(mask, grad_out / (1 - p), 0.0)
    assert np.allclose(got, want), f"p={p}: dropout_backward must return grad_out * mask / (1 - p)"


# -- judged against the reference -------------------------------------------------------------
EPS = np.finfo(np.float64).eps


def _started(impl: ModuleType) -> None:
    """Raise the stub's NotImplementedError before comparing: a stub is *not started*, not
    *wrong*, even on inputs where the reference raises."""
    impl.dropout(np.ones(2), 0.5, True, _rng())
    impl.dropout_backward(np.ones(2), np.ones(2, dtype=bool), 0.5)


def _story(mod: ModuleType, x: np.ndarray, p: float, training: bool, grad: np.ndarray):
    out, mask = mod.dropout(x, p, training, _rng(20))
    return out, mask, mod.dropout_backward(grad, np.asarray(mask), p)


def _invariant(x: np.ndarray, p: float, training: bool, grad: np.ndarray):
    """Several masks are right (any way of drawing from the rng): check what the spec promises
    of the learner's own mask. ``x / (1 - p)`` and ``x * (1 / (1 - p))`` differ by an ulp."""

    def compare(got, want) -> str | None:
        if not isinstance(got, tuple) or len(got) != 3:
            return f"expected (out, mask) and then a gradient, got {diff.describe(got)}"
        out, mask, grad_in = (np.asarray(a) for a in got)
        if mask.dtype != bool or mask.shape != x.shape:
            return f"mask must be bool of shape {x.shape}, got {mask.dtype} {mask.shape}"
        if not training or p in (0.0, 1.0):  # one right mask
            found = diff.same(mask, want[1], path="mask")
            if found:
                return found
        scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
        out_scale = scale if training else 1.0
        found = diff.same(out, np.where(mask, x * out_scale, 0.0), rtol=4 * EPS, path="out")
        found = found or diff.same(
            grad_in, np.where(mask, grad * scale, 0.0), rtol=4 * EPS, path="dropout_backward"
        )
        return found

    return compare


@pytest.mark.clause("p-range", "mask", "scale", "identity", "p-one", "backward")
@given(
    x=diff.float_arrays(min_dims=0, max_dims=3, min_side=0, max_side=5),
    p=st.sampled_from([0.0, 1.0, 0.5, 0.1, 0.9, 1e-12, 1.0 - 1e-12, -0.1, 1.1, -1e-300]),
    training=st.booleans(),
)
@example(x=np.zeros((0, 3)), p=0.5, training=True)
@example(x=np.ones(4), p=1.0, training=False)
def test_dropout_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, x: np.ndarray, p: float, training: bool
) -> None:
    _started(impl)
    grad = np.arange(x.size, dtype=np.float64).reshape(x.shape) - 2.0
    with np.errstate(divide="raise", invalid="raise"):  # p == 1 must not divide by zero
        diff.assert_same(
            lambda: _story(impl, x, p, training, grad),
            lambda: _story(reference, x, p, training, grad),
            compare=_invariant(x, p, training, grad),
        )


@pytest.mark.clause("p-range")
@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_backward_rejects_invalid_p(impl: ModuleType, p: float) -> None:
    with pytest.raises(ValueError):
        impl.dropout_backward(np.ones(3), np.ones(3, dtype=bool), p)
        pytest.fail(f"dropout_backward with p={p} must raise ValueError (p must be in [0, 1])")


@pytest.mark.clause("rng-none")
def test_rng_none_draws_fresh_masks(impl: ModuleType) -> None:
    _, first = impl.dropout(np.ones(1000), 0.5)
    _, second = impl.dropout(np.ones(1000), 0.5)
    assert not np.array_equal(first, second), (
        "rng=None means a fresh np.random.default_rng() (seeded from the OS): two calls gave the "
        "same 1000-element mask, are you seeding it?"
    )


@pytest.mark.clause("identity")
@pytest.mark.parametrize(("p", "training"), [(0.5, False), (0.0, True)])
def test_identity_returns_a_copy(impl: ModuleType, p: float, training: bool) -> None:
    x = _rng(21).standard_normal(10)
    out, _ = impl.dropout(x, p, training, _rng(22))
    assert not np.shares_memory(np.asarray(out), x), (
        f"dropout(x, p={p}, training={training}) must return a COPY of x: the caller may change "
        "out in place"
    )


@pytest.mark.clause("vectorized")
def test_no_python_loop_over_elements(impl: ModuleType) -> None:
    small, large = np.ones(4), np.ones(4096)
    impl.dropout(small, 0.5, True, _rng(23))  # warm up

    def both(x):
        def run() -> None:
            _, mask = impl.dropout(x, 0.5, True, _rng(24))
            impl.dropout_backward(x, mask, 0.5)

        return run

    lines_small, lines_large = diff.python_lines(both(small)), diff.python_lines(both(large))
    assert lines_large <= lines_small + 40, (
        f"dropout ran {lines_small} Python lines for 4 elements but {lines_large} for 4096: draw "
        "the whole mask with one rng call and combine with array operations"
    )
