"""Tests of week6.abstract_predictor: an ABC, a validated property and a runtime Protocol.

Run: ``pytest weeks/week6/tests/test_abstract_predictor.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader import differential as diff

PUBLIC = {"model_version", "predict", "predict_batch", "threshold"}


def mean_scorer(x: np.ndarray) -> np.floating:
    return np.mean(x)  # a NumPy scalar, as real scorers return


def make(impl: ModuleType, **kwargs: object) -> object:
    return impl.ThresholdedPredictor(mean_scorer, **kwargs)


# -- the concrete predictor --------------------------------------------------------------------
@pytest.mark.clause("decision", "score-float", "score-range")
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
    threshold, version = default.threshold, default.model_version
    assert threshold == 0.5 and version == "1.0.0", (
        "ThresholdedPredictor's defaults are threshold=0.5 and version='1.0.0', got threshold "
        f"{threshold!r} and model_version {version!r}"
    )
    label = default.predict(np.full(2, 0.4)).label
    assert label == "no_pill", (
        f"score 0.4 under the default threshold 0.5 should give the default labels[0] 'no_pill', "
        f"got {label!r}"
    )
    for bad in (1.5, -0.1, float("nan")):
        with pytest.raises(ValueError):
            impl.ThresholdedPredictor(lambda x, b=bad: b).predict(np.zeros(1))
            pytest.fail(f"a scorer returning {bad} should make predict raise ValueError")


@pytest.mark.clause("predict-batch")
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
@pytest.mark.clause("threshold-init", "threshold-type", "threshold-range", "threshold-float")
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


@pytest.mark.clause("read-only", "version", "labels")
def test_model_version_is_read_only_and_other_arguments_validated(impl: ModuleType) -> None:
    p = make(impl, version="3.0.1")
    with pytest.raises(AttributeError):
        p.model_version = "9.9.9"
        pytest.fail("assigning model_version should raise AttributeError (read-only property)")
    version = p.model_version
    assert version == "3.0.1", (
        f"a refused assignment must leave model_version as built ('3.0.1'), got {version!r}"
    )
    with pytest.raises(ValueError):
        make(impl, version="")
    with pytest.raises(ValueError):
        make(impl, labels=("pill", "pill"))


@pytest.mark.clause("encapsulation", "all")
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
    }, (
        "__all__ should list exactly Prediction, Predictor, SupportsPredict and "
        f"ThresholdedPredictor, got {sorted(impl.__all__)}"
    )
    stray = sorted(
        name
        for name, value in vars(impl).items()
        if not name.startswith("_")
        and getattr(value, "__module__", None) == impl.__name__
        and name not in impl.__all__
    )
    assert not stray, f"module-level helpers should start with an underscore: {stray}"


# -- the abstract base class -------------------------------------------------------------------
@pytest.mark.clause("abstract", "predict-batch")
def test_predictor_is_abstract(impl: ModuleType) -> None:
    made = make(impl)
    assert isinstance(made, impl.Predictor), (
        f"ThresholdedPredictor should subclass Predictor, its bases are "
        f"{[c.__name__ for c in type(made).__mro__[1:]]}"
    )
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
    version = done.model_version
    assert version == "0.2", (
        f"a subclass's own model_version property should be used, want '0.2', got {version!r}"
    )
    batch = done.predict_batch([np.zeros(1)] * 2)
    assert batch == [impl.Prediction("pill", 1.0)] * 2, (
        "Predictor.predict_batch should call predict on each input, in order: want "
        f"[Prediction('pill', 1.0)] * 2, got {batch!r}"
    )
    assert set(impl.Predictor.__abstractmethods__) == {"model_version", "predict"}, (
        f"exactly model_version and predict are abstract, got "
        f"{sorted(impl.Predictor.__abstractmethods__)}"
    )


# -- the protocol ------------------------------------------------------------------------------
@pytest.mark.clause("protocol")
def test_protocol_accepts_any_object_with_predict(impl: ModuleType) -> None:
    made = make(impl)
    assert isinstance(made, impl.SupportsPredict), (
        f"a ThresholdedPredictor has a predict method, so it should satisfy SupportsPredict; "
        f"isinstance returned False for {type(made).__name__}"
    )

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
    assert not issubclass(RuleBasedPredictor, impl.Predictor), (
        "satisfying SupportsPredict must not make a class a Predictor: keep the Protocol "
        "separate from the ABC (do not register it as a virtual subclass)"
    )
    assert not isinstance(NoPredict(), impl.SupportsPredict), "no predict, no SupportsPredict"


# -- differential: judged against the reference on drawn inputs --------------------------------
#: Thresholds: valid ones at and near the ends, invalid values and invalid types.
thresholds = st.one_of(
    st.sampled_from(
        [
            0,
            1,
            0.0,
            1.0,
            0.5,
            0.7,
            np.float64(0.25),
            math.nextafter(0.0, -1.0),
            math.nextafter(1.0, 2.0),
            5,
            -1,
            float("nan"),
            float("inf"),
            -float("inf"),
            True,
            False,
            "0.5",
            None,
            [0.5],
            b"1",
        ]
    ),  # fmt: skip
    st.floats(-0.5, 1.5),
)


def scored(score: object) -> Callable[[np.ndarray], object]:
    return lambda x: score


#: Scores a scorer may return: edges, NumPy scalars, out-of-range values and non-numbers.
scores = st.one_of(
    st.sampled_from(
        [
            0.0,
            1.0,
            -0.0,
            0.5,
            0.7,
            np.float32(0.3),
            np.float64(0.7),
            np.float64(1.0),
            1,
            0,
            math.nextafter(0.7, 0.0),
            math.nextafter(1.0, 2.0),
            -1e-300,
            float("nan"),
            float("inf"),
            "x",
            None,
            object(),
        ]
    ),  # fmt: skip
    st.floats(-0.2, 1.2),
)


def decisions(
    module: ModuleType, threshold: object, kwargs: dict[str, object], batch: list[object]
) -> Callable[[], object]:
    """Build with ``threshold`` and ``kwargs``; then the outcome of predict on each score."""

    def run() -> object:
        p = module.ThresholdedPredictor(scored(0.5), threshold=threshold, **kwargs)
        out: list[object] = [p.threshold, type(p.threshold).__name__, p.model_version]
        for score in batch:
            q = module.ThresholdedPredictor(scored(score), threshold=threshold, **kwargs)
            outcome = diff.call(q.predict, np.zeros(2))
            if isinstance(outcome.error, NotImplementedError):
                raise outcome.error
            if outcome.raised:
                out.append(type(outcome.error).__name__)
            else:
                value = outcome.value
                out.append((value.label, value.score, type(value.score).__name__))
        return out

    return run


@pytest.mark.clause(
    "decision", "score-float", "score-range", "score-type", "threshold-init", "threshold-type",
    "threshold-range", "threshold-float",
)  # fmt: skip
@settings(report_multiple_bugs=False)  # a stub's NotImplementedError: one "not started"
@given(
    threshold=thresholds,
    labels=st.sampled_from([("no_pill", "pill"), ("pill", "no_pill"), ("a", "b")]),
    batch=st.lists(scores, max_size=6),
)
@example(threshold=0.7, labels=("a", "b"), batch=[0.7, math.nextafter(0.7, 0.0), np.float32(0.7)])
@example(threshold=0.0, labels=("a", "b"), batch=[0.0, -0.0, -1e-300, float("nan")])
@example(threshold=1.0, labels=("a", "b"), batch=[1.0, np.float64(1.0), math.nextafter(1.0, 2.0)])
@example(threshold=True, labels=("a", "b"), batch=[])
@example(threshold=0.5, labels=("a", "b"), batch=[None, "x", object()])
def test_predict_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    threshold: object,
    labels: tuple[str, str],
    batch: list[object],
) -> None:
    kwargs = {"labels": labels, "version": "2.1.0"}
    diff.assert_same(
        decisions(impl, threshold, kwargs, batch), decisions(reference, threshold, kwargs, batch)
    )


def assignments(module: ModuleType, values: list[object]) -> Callable[[], object]:
    """Assign each value to ``threshold`` in turn; record the outcome and the value kept."""

    def run() -> object:
        p = module.ThresholdedPredictor(scored(0.5), threshold=0.4)
        out: list[object] = []
        for value in values:
            outcome = diff.call(setattr, p, "threshold", value)
            if isinstance(outcome.error, NotImplementedError):
                raise outcome.error
            result = type(outcome.error).__name__ if outcome.raised else "ok"
            out.append((result, p.threshold, type(p.threshold).__name__))
        out.append(p.predict_batch([np.zeros(1)] * 2))
        return [str(o) for o in out]

    return run


@pytest.mark.clause("threshold-type", "threshold-range", "threshold-float", "predict-batch")
@settings(report_multiple_bugs=False)
@given(values=st.lists(thresholds, max_size=8))
@example(values=[0.6, float("nan"), 2, True, "0.5", 1])
def test_threshold_assignments_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, values: list[object]
) -> None:
    diff.assert_same(assignments(impl, values), assignments(reference, values))


@pytest.mark.clause("version", "labels", "scorer-callable")
@settings(report_multiple_bugs=False)
@given(
    # one argument at a time is invalid: the spec does not order the checks
    which=st.sampled_from(["scorer", "version", "labels"]),
    scorer=st.sampled_from([scored(0.5), None, 0.5, "scorer"]),
    version=st.sampled_from(["1.0.0", "v", "", None, 2, b"1.0"]),
    labels=st.sampled_from(
        [("no_pill", "pill"), ("pill", "pill"), ("a",), ("a", "b", "c"), (), ["x", "y"]]
    ),
)
@example(which="scorer", scorer=None, version="1.0.0", labels=("no_pill", "pill"))
@example(which="version", scorer=None, version="", labels=("no_pill", "pill"))
@example(which="labels", scorer=None, version="1", labels=("a", "b", "c"))
def test_construction_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    which: str,
    scorer: object,
    version: object,
    labels: object,
) -> None:
    args = {
        "scorer": scorer if which == "scorer" else scored(0.5),
        "version": version if which == "version" else "1.0.0",
        "labels": labels if which == "labels" else ("no_pill", "pill"),
    }

    def build(module: ModuleType) -> Callable[[], object]:
        def run() -> object:
            # the constructor must raise, not a later call: predict's outcome is data here
            p = module.ThresholdedPredictor(
                args["scorer"], version=args["version"], labels=args["labels"]
            )
            outcome = diff.call(p.predict, np.zeros(1))
            if outcome.raised:
                return p.model_version, type(outcome.error).__name__
            return p.model_version, (outcome.value.label, outcome.value.score)

        return run

    diff.assert_same(build(impl), build(reference))
