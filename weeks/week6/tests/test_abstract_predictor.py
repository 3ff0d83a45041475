"""Tests of week6.abstract_predictor: an ABC, a validated property and a runtime Protocol.

Run: ``pytest weeks/week6/tests/test_abstract_predictor.py``.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

PUBLIC = {"model_version", "predict", "predict_batch", "threshold"}


def mean_scorer(x: np.ndarray) -> np.floating:
    return np.mean(x)  # a NumPy scalar, as real scorers return


def make(impl: ModuleType, **kwargs: object) -> object:
    return impl.ThresholdedPredictor(mean_scorer, **kwargs)


# -- the concrete predictor --------------------------------------------------------------------
def test_thresholded_predictor_decides_at_the_threshold(impl: ModuleType) -> None:
    p = make(impl, threshold=0.7, version="2.1.0", labels=("benign", "pill"))
    cases = [(0.0, "benign"), (0.6875, "benign"), (0.75, "pill"), (1.0, "pill")]
    for value, label in cases:
        got = p.predict(np.full(4, value))
        assert got == impl.Prediction(label, value), (
            f"score {value} with threshold 0.7 should give Prediction({label!r}, {value}), "
            f"got {got}"
        )
        assert type(got.score) is float, f"score should be a Python float, got {type(got.score)}"
    exactly = impl.ThresholdedPredictor(lambda x: 0.25, threshold=0.25).predict(np.zeros(1))
    assert exactly.label == "pill", "a score equal to the threshold is positive (score >= t)"
    default = make(impl)
    assert default.threshold == 0.5 and default.model_version == "1.0.0"
    assert default.predict(np.full(2, 0.4)).label == "no_pill"
    for bad in (1.5, -0.1, float("nan")):
        with pytest.raises(ValueError):
            impl.ThresholdedPredictor(lambda x, b=bad: b).predict(np.zeros(1))
            pytest.fail(f"a scorer returning {bad} should make predict raise ValueError")


def test_predict_batch_is_inherited_from_the_base(impl: ModuleType) -> None:
    p = make(impl, threshold=0.5)
    xs = [np.full(3, v) for v in (0.2, 0.9, 0.5)]
    got = p.predict_batch(xs)
    assert [g.label for g in got] == ["no_pill", "pill", "pill"], f"got {got}"
    assert "predict_batch" not in vars(impl.ThresholdedPredictor), (
        "predict_batch belongs to Predictor (written once, on top of the abstract predict)"
    )
    assert p.predict_batch(iter(xs)) == got, "predict_batch should accept any iterable"


# -- the validated property --------------------------------------------------------------------
def test_threshold_setter_validates(impl: ModuleType) -> None:
    p = make(impl, threshold=0.3)
    for ok in (0, 1, 0.25, np.float64(0.75)):
        p.threshold = ok
        assert p.threshold == float(ok) and type(p.threshold) is float, (
            f"threshold = {ok!r} is valid and should be stored as float {float(ok)}, got "
            f"{p.threshold!r}"
        )
    p.threshold = 0.4
    for bad in (-0.01, 1.01, 5, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            p.threshold = bad
            pytest.fail(f"threshold = {bad!r} should raise ValueError (must be in [0, 1])")
        assert p.threshold == 0.4, f"a rejected value must leave 0.4 in place, got {p.threshold}"
    for bad in ("0.5", None, True, [0.5]):
        with pytest.raises(TypeError):
            p.threshold = bad
            pytest.fail(f"threshold = {bad!r} should raise TypeError (not a real number)")
    for bad in (2.0, float("nan")):
        with pytest.raises(ValueError):
            make(impl, threshold=bad)
            pytest.fail(f"ThresholdedPredictor(threshold={bad}) should validate too")
    with pytest.raises(TypeError):
        make(impl, threshold="high")


def test_model_version_is_read_only_and_other_arguments_validated(impl: ModuleType) -> None:
    p = make(impl, version="3.0.1")
    with pytest.raises(AttributeError):
        p.model_version = "9.9.9"
        pytest.fail("assigning model_version should raise AttributeError (read-only property)")
    assert p.model_version == "3.0.1"
    with pytest.raises(ValueError):
        make(impl, version="")
    with pytest.raises(ValueError):
        make(impl, labels=("pill", "pill"))


def test_public_surface_hides_the_internals(impl: ModuleType) -> None:
    p = make(impl, threshold=0.6)
    leaked = sorted(k for k in getattr(p, "__dict__", {}) if not k.startswith("_"))
    assert not leaked, (
        f"instance attributes should be private by convention (self._name); public ones: {leaked}"
    )
    public = {name for name in dir(p) if not name.startswith("_")}
    assert public == PUBLIC, (
        f"the public surface of a ThresholdedPredictor should be exactly {sorted(PUBLIC)}; "
        f"extra: {sorted(public - PUBLIC)}, missing: {sorted(PUBLIC - public)}"
    )
    assert set(impl.__all__) == {
        "Prediction",
        "Predictor",
        "SupportsPredict",
        "ThresholdedPredictor",
    }
    stray = sorted(
        name
        for name, value in vars(impl).items()
        if not name.startswith("_")
        and getattr(value, "__module__", None) == impl.__name__
        and name not in impl.__all__
    )
    assert not stray, f"module-level helpers should start with an underscore: {stray}"


# -- the abstract base class -------------------------------------------------------------------
def test_predictor_is_abstract(impl: ModuleType) -> None:
    assert isinstance(make(impl), impl.Predictor)
    with pytest.raises(TypeError):
        impl.Predictor()
        pytest.fail("Predictor() should raise TypeError: it has abstract members")

    class OnlyPredict(impl.Predictor):
        def predict(self, x: np.ndarray) -> object:
            return impl.Prediction("pill", 1.0)

    class OnlyVersion(impl.Predictor):
        @property
        def model_version(self) -> str:
            return "0.1"

    for incomplete in (OnlyPredict, OnlyVersion):
        with pytest.raises(TypeError):
            incomplete()
            pytest.fail(
                f"{incomplete.__name__} leaves an abstract member out and must not be "
                "instantiable: mark both model_version and predict with @abstractmethod"
            )

    class Complete(OnlyPredict):
        @property
        def model_version(self) -> str:
            return "0.2"

    done = Complete()
    assert done.model_version == "0.2"
    assert done.predict_batch([np.zeros(1)] * 2) == [impl.Prediction("pill", 1.0)] * 2
    assert set(impl.Predictor.__abstractmethods__) == {"model_version", "predict"}, (
        f"exactly model_version and predict are abstract, got "
        f"{sorted(impl.Predictor.__abstractmethods__)}"
    )


# -- the protocol ------------------------------------------------------------------------------
def test_protocol_accepts_any_object_with_predict(impl: ModuleType) -> None:
    assert isinstance(make(impl), impl.SupportsPredict)

    class RuleBasedPredictor:  # unrelated to Predictor
        def predict(self, x: np.ndarray) -> object:
            return impl.Prediction("pill", 1.0)

    class NoPredict:
        def forward(self, x: np.ndarray) -> object:
            return x

    try:
        duck = isinstance(RuleBasedPredictor(), impl.SupportsPredict)
    except TypeError as exc:
        pytest.fail(f"isinstance(obj, SupportsPredict) raised {exc}: add @runtime_checkable")
    assert duck, "an object with a predict method satisfies SupportsPredict structurally"
    assert not issubclass(RuleBasedPredictor, impl.Predictor)
    assert not isinstance(NoPredict(), impl.SupportsPredict), "no predict, no SupportsPredict"
