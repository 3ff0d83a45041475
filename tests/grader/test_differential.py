"""Differential judging (``grader.differential``): outcomes compared value by value and exception
by exception, with tolerances that let a textbook-correct alternative pass."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from scipy.special import logsumexp

from grader import differential as diff


def log_softmax_reference(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def log_softmax_textbook(x: np.ndarray) -> np.ndarray:
    return x - logsumexp(x, axis=-1, keepdims=True)


def log_softmax_naive(x: np.ndarray) -> np.ndarray:
    return np.log(np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True))


@given(x=diff.float_arrays(min_dims=1, max_dims=2, min_side=1, magnitude=500.0))
def test_a_textbook_formula_agrees_within_float64_tolerance(x: np.ndarray) -> None:
    diff.assert_same(log_softmax_textbook, log_softmax_reference, x, rtol=1e-12, atol=1e-12)


def test_an_overflowing_formula_is_told_where_it_differs() -> None:
    x = np.array([[1000.0, 0.0]])
    wrong = r"log_softmax_naive\(array.*differs at \(0, 0\)"
    with pytest.raises(AssertionError, match=wrong), np.errstate(all="ignore"):
        diff.assert_same(log_softmax_naive, log_softmax_reference, x, rtol=1e-9)


def reference_mean(values: list[float]) -> float:
    if not values:
        raise ValueError("the mean of no values is undefined")
    return sum(values) / len(values)


def lazy_mean(values: list[float]):
    def gen():
        if not values:
            raise ValueError("empty")
        yield sum(values) / len(values)

    return gen()


def zero_mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def wrong_error_mean(values: list[float]) -> float:
    return sum(values) / len(values)  # ZeroDivisionError on []


@pytest.mark.parametrize(
    ("learner", "message"),
    [
        (lazy_mean, "should raise ValueError .* when called, but returned <generator"),
        (zero_mean, "should raise ValueError .* but returned 0.0"),
        (wrong_error_mean, "should raise ValueError, but raised ZeroDivisionError"),
    ],
)
def test_exceptions_must_agree_and_be_raised_at_call_time(learner, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        diff.assert_same(learner, reference_mean, [])


def test_a_learner_error_where_the_reference_returns_is_reported() -> None:
    with pytest.raises(AssertionError, match=r"raised ZeroDivisionError.*reference returns 0.0"):
        diff.assert_same(lambda v: 1 / 0, lambda v: 0.0, [1])


@pytest.mark.parametrize("values", [[1.0], []], ids=["reference-returns", "reference-raises"])
def test_not_started_stays_not_started(values: list[float]) -> None:
    def stub(values):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        diff.assert_same(stub, reference_mean, values)


def test_arguments_are_copied_so_mutation_cannot_leak() -> None:
    def mutating(values: list[float]) -> float:
        values.clear()
        return 0.0

    data = [1.0, 2.0]
    with pytest.raises(AssertionError):
        diff.assert_same(mutating, reference_mean, data)
    assert data == [1.0, 2.0]


@dataclass
class Pair:
    left: float
    right: np.ndarray


@pytest.mark.parametrize(
    ("got", "want", "expected"),
    [
        (1.0 + 1e-12, 1.0, None),
        (1.1, 1.0, "differs"),
        (np.array([1.0, np.nan]), np.array([1.0, np.nan]), None),
        (np.array([np.inf]), np.array([1e308]), "differs"),
        (np.array([1, 2]), np.array([1.0, 2.0]), "dtype"),
        (np.array([[1.0]]), np.array([1.0]), "shape"),
        (2.0, 2, "integer"),
        ([1, (2, 3)], [1, (2, 3)], None),
        ([1, [2, 3]], [1, (2, 3)], "tuple"),
        ({"a": 1}, {"a": 1, "b": 2}, "missing"),
        (Pair(1.0, np.zeros(2)), Pair(1.0, np.zeros(2)), None),
        (Pair(1.0, np.ones(2)), Pair(1.0, np.zeros(2)), r"result.right"),
        (True, 1, "expected 1"),
        ("a", "b", "expected 'b'"),
    ],
)
def test_same_compares_structures_with_tolerance(got, want, expected) -> None:
    found = diff.same(got, want, rtol=1e-9)
    if expected is None:
        assert found is None, found
    else:
        assert found is not None and __import__("re").search(expected, found), found


def test_compare_checks_the_promised_invariant_when_several_answers_are_right() -> None:
    def same_set(got, want):
        return None if sorted(got) == sorted(want) else f"expected the items {sorted(want)}"

    diff.assert_same(lambda: [3, 1, 2], lambda: [1, 2, 3], compare=same_set)
    with pytest.raises(AssertionError, match="expected the items"):
        diff.assert_same(lambda: [3, 1], lambda: [1, 2, 3], compare=same_set)


@given(x=diff.float_arrays(min_dims=1, max_dims=3, magnitude=300.0))
def test_float_arrays_stay_within_the_stated_magnitude(x: np.ndarray) -> None:
    assert x.dtype == np.float64 and x.ndim >= 1
    assert not np.isnan(x).any() and (np.abs(x) <= 300.0).all()
    assert math.isfinite(float(np.abs(x).sum()) if x.size else 0.0)


def test_both_calls_start_from_the_same_random_state() -> None:
    import random

    def draws(n: int) -> tuple:
        return random.random(), float(np.random.rand()), n

    random.seed(1)
    np.random.seed(1)
    assert diff.assert_same(draws, draws, 3) is not None  # same draws, so the same values


def test_a_stub_that_has_not_started_ends_the_call_before_the_reference() -> None:
    calls = []

    def stub(x: int) -> int:
        raise NotImplementedError

    def reference(x: int) -> int:
        calls.append(x)
        return x

    with pytest.raises(NotImplementedError):
        diff.assert_same(stub, reference, 1)
    assert calls == [], "the reference ran although the stub had not started"


def test_probe_lets_only_not_implemented_through_and_keeps_the_random_state() -> None:
    import random

    import torch

    def stub() -> None:
        raise NotImplementedError

    def draws_and_fails() -> None:
        random.random(), np.random.rand(), torch.rand(1)
        raise ValueError("judged later by the test")

    with pytest.raises(NotImplementedError):
        diff.probe(stub)
    random.seed(1), np.random.seed(1), torch.manual_seed(1)
    diff.probe(draws_and_fails)
    after = random.random(), np.random.rand(), float(torch.rand(1))
    random.seed(1), np.random.seed(1), torch.manual_seed(1)
    assert after == (random.random(), np.random.rand(), float(torch.rand(1))), (
        "the probe must leave every global random state as it found it"
    )
