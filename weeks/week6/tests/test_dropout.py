"""Tests of week6.dropout: inverted scaling, eval identity, edge probabilities, determinism.

Statistical checks use seeded generators and 200 000 draws with 6-sigma bounds, so they are
reproducible and do not flake. Run: ``pytest weeks/week6/tests/test_dropout.py``.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

N = 200_000


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


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


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_drop_rate_is_p(impl: ModuleType, p: float) -> None:
    _, mask = impl.dropout(np.ones(N), p, True, _rng(3))
    dropped = 1.0 - np.asarray(mask).mean()
    sigma = np.sqrt(p * (1 - p) / N)
    assert abs(dropped - p) < 6 * sigma, (
        f"p={p} is the probability of DROPPING a unit; over {N} units you dropped a fraction "
        f"{dropped:.4f} (expected {p} +- {6 * sigma:.4f})"
    )


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


def test_eval_mode_is_identity(impl: ModuleType) -> None:
    x = _rng(6).standard_normal((20, 30))
    out, mask = impl.dropout(x, 0.5, False, _rng(7))
    assert np.array_equal(out, x), "training=False: dropout must return x unchanged"
    assert np.all(mask), "training=False: the mask must be all True"


def test_p_zero_is_identity(impl: ModuleType) -> None:
    x = _rng(8).standard_normal(100)
    out, mask = impl.dropout(x, 0.0, True, _rng(9))
    assert np.array_equal(out, x) and np.all(mask), "p=0: nothing is dropped and nothing scaled"


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


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_invalid_p_raises(impl: ModuleType, p: float) -> None:
    with pytest.raises(ValueError):
        impl.dropout(np.ones(3), p, True, _rng())
        pytest.fail(f"dropout with p={p} must raise ValueError (p must be in [0, 1])")


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


def test_input_is_not_modified(impl: ModuleType) -> None:
    x = _rng(14).standard_normal(1000)
    before = x.copy()
    impl.dropout(x, 0.5, True, _rng(15))
    assert np.array_equal(x, before), "dropout modified its input x in place"


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
