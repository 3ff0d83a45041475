"""Tests of week1.progressive_resizing: the size schedule, FixRes, batch scaling, resizing.

Oracles: hand-computed schedules and torchvision's antialiased resize.
Run: ``pytest weeks/week1/tests/test_progressive_resizing.py``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from types import ModuleType

import pytest
import torch
from hypothesis import assume, example, given
from hypothesis import strategies as st
from torchvision.transforms.v2 import functional as TF

from grader import differential as diff

# (epochs, min_size, max_size, multiple, final_epochs) -> the schedule, computed by hand
SCHEDULES = {
    (10, 32, 64, 8, 2): [32, 32, 40, 40, 48, 48, 56, 56, 64, 64],
    (6, 128, 224, 32, 1): [128, 128, 160, 160, 192, 224],
    (4, 32, 48, 8, 1): [32, 32, 40, 48],
    (3, 64, 64, 8, 1): [64, 64, 64],
    (5, 96, 224, 32, 5): [224, 224, 224, 224, 224],
}


def _schedule(impl: ModuleType, key: tuple[int, int, int, int, int]) -> list[int]:
    epochs, lo, hi, multiple, final = key
    return [
        impl.resize_schedule(
            e, epochs, min_size=lo, max_size=hi, multiple=multiple, final_epochs=final
        )
        for e in range(epochs)
    ]


def _describe(key: tuple[int, int, int, int, int]) -> str:
    epochs, lo, hi, multiple, final = key
    return (
        f"epochs={epochs}, min_size={lo}, max_size={hi}, multiple={multiple}, final_epochs={final}"
    )


# -- resize_schedule ---------------------------------------------------------------------------
@pytest.mark.clause("ramp", "final")
@pytest.mark.parametrize("key", list(SCHEDULES), ids=lambda k: "-".join(map(str, k)))
def test_schedule_matches_hand_computed_values(
    impl: ModuleType, key: tuple[int, int, int, int, int]
) -> None:
    got, want = _schedule(impl, key), SCHEDULES[key]
    assert got == want, (
        f"resize_schedule over all epochs with {_describe(key)} should be {want}, got {got}. "
        "Interpolate min_size + (max_size - min_size) * epoch / (epochs - final_epochs), round "
        "down to a multiple, and use max_size for the final epochs."
    )


@pytest.mark.clause("ramp", "final", "monotone")
@pytest.mark.parametrize("key", [(12, 32, 96, 16, 2), (7, 64, 256, 32, 1), (9, 24, 72, 8, 3)])
def test_schedule_sizes_are_multiples_and_never_decrease(
    impl: ModuleType, key: tuple[int, int, int, int, int]
) -> None:
    got = _schedule(impl, key)
    epochs, lo, hi, multiple, final = key
    bad = [s for s in got if s % multiple]
    assert not bad, f"every size must be a multiple of {multiple}; {_describe(key)} gave {got}"
    assert all(a <= b for a, b in zip(got, got[1:], strict=False)), (
        f"the schedule must never shrink (small images first, full size last); got {got}"
    )
    assert got[0] == lo, f"the first epoch should use min_size={lo}, got {got[0]}"
    assert got[-final:] == [hi] * final, (
        f"the last {final} epoch(s) should train at max_size={hi}; got {got}"
    )
    assert all(lo <= s <= hi for s in got), f"sizes must stay within [{lo}, {hi}], got {got}"


@pytest.mark.clause("epoch-range", "final-range", "size-multiple", "min-max")
@pytest.mark.parametrize(
    "kwargs",
    [
        {"epoch": 5, "epochs": 5},
        {"epoch": -1, "epochs": 5},
        {"epoch": 0, "epochs": 5, "final_epochs": 0},
        {"epoch": 0, "epochs": 5, "final_epochs": 6},
        {"epoch": 0, "epochs": 5, "min_size": 30},
        {"epoch": 0, "epochs": 5, "min_size": 64, "max_size": 32},
    ],
    ids=["epoch-too-big", "negative-epoch", "no-final", "final-too-long", "min-30", "min>max"],
)
def test_schedule_rejects_bad_arguments(impl: ModuleType, kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        impl.resize_schedule(**kwargs)


# -- FixRes ------------------------------------------------------------------------------------
@pytest.mark.clause("nearest", "larger")
@pytest.mark.parametrize(("train", "want"), [(224, 256), (64, 72), (48, 56), (32, 40), (128, 144)])
def test_fixres_tests_about_15_percent_larger(impl: ModuleType, train: int, want: int) -> None:
    got = impl.fixres_test_size(train)
    assert got == want, (
        f"fixres_test_size({train}) should be {want} ({train} * 1.15 = {train * 1.15:.1f}, "
        f"rounded to the nearest multiple of 8, and above {train}); got {got}. FixRes tests at "
        "a HIGHER resolution than the last training size."
    )


@pytest.mark.clause("nearest", "larger", "ratio-one")
def test_fixres_ratio_and_multiple(impl: ModuleType) -> None:
    cases = {(224, 1.0, 8): 224, (224, 1.3, 32): 288, (64, 1.01, 8): 72, (96, 1.15, 16): 112}
    got = {k: impl.fixres_test_size(k[0], ratio=k[1], multiple=k[2]) for k in cases}
    assert got == cases, (
        "fixres_test_size(train, ratio=, multiple=) should give "
        f"{cases} for (train, ratio, multiple), got {got}. ratio 1 keeps the size; otherwise round "
        "train * ratio to the nearest multiple, but at least train + multiple."
    )


@pytest.mark.clause("ratio-range", "train-multiple")
@pytest.mark.parametrize("kwargs", [{"train_size": 224, "ratio": 0.9}, {"train_size": 60}])
def test_fixres_rejects_bad_arguments(impl: ModuleType, kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        impl.fixres_test_size(**kwargs)


# -- batch size ------------------------------------------------------------------------------
@pytest.mark.clause("pixels", "batch-min", "batch-positive")
def test_batch_size_keeps_pixels_per_batch(impl: ModuleType) -> None:
    got = {s: impl.scaled_batch_size(s, base_size=64, base_batch=64) for s in (32, 48, 64, 128)}
    want = {32: 256, 48: 112, 64: 64, 128: 16}
    assert got == want, (
        f"scaled_batch_size(size, base_size=64, base_batch=64) should be {want}, got {got}: "
        "base_batch * (base_size / size) ** 2 (pixels grow with the square of the side), rounded "
        "down to a multiple of 8"
    )
    tiny = impl.scaled_batch_size(1024, base_size=64, base_batch=64)
    assert tiny == 8, f"the batch should never drop below `multiple` (8), got {tiny} at 1024 px"
    with pytest.raises(ValueError):
        impl.scaled_batch_size(0, base_size=64, base_batch=64)


# -- resize_batch --------------------------------------------------------------------------------
@pytest.mark.clause("antialias")
@pytest.mark.parametrize("size", [24, 40, 96])
def test_resize_batch_matches_torchvision(impl: ModuleType, size: int) -> None:
    g = torch.Generator().manual_seed(0)
    images = torch.rand(3, 3, 64, 64, generator=g)
    images[:, :, ::2] = 0.0  # fine stripes: aliasing shows when antialiasing is off
    got = impl.resize_batch(images, size)
    want = TF.resize(images, [size, size], antialias=True)
    assert got.shape == (3, 3, size, size), (
        f"expected shape (3, 3, {size}, {size}), got {got.shape}"
    )
    err = (got - want).abs().max().item()
    assert err < 1e-5, (
        f"resize_batch(x, {size}) differs from torchvision's antialiased bilinear resize by up to "
        f"{err:.3g}; use F.interpolate(x, size=(size, size), mode='bilinear', antialias=True)"
    )


@pytest.mark.clause("unchanged", "float-only")
def test_resize_batch_keeps_matching_batches_and_rejects_integers(impl: ModuleType) -> None:
    images = torch.rand(2, 3, 32, 32)
    same = impl.resize_batch(images, 32)
    assert torch.equal(same, images), "a batch that already has the size must come back unchanged"
    with pytest.raises(TypeError):
        impl.resize_batch(torch.zeros(2, 3, 32, 32, dtype=torch.uint8), 16)


# -- differential tests against the reference ----------------------------------------------------
@pytest.mark.clause(
    "ramp", "final", "monotone", "epoch-range", "final-range", "size-multiple", "min-max"
)
@given(
    epoch=st.integers(-1, 9),
    epochs=st.integers(1, 9),
    lo=st.sampled_from([0, 8, 12, 16, 24, 32, 64]),
    hi=st.sampled_from([8, 16, 20, 32, 48, 64, 96]),
    multiple=st.sampled_from([1, 4, 8, 16]),
    final=st.integers(0, 10),
)
@example(epoch=2, epochs=9, lo=16, hi=96, multiple=16, final=3)  # non-default everything
@example(epoch=8, epochs=9, lo=8, hi=64, multiple=8, final=1)  # the last epoch is max_size
@example(epoch=3, epochs=4, lo=64, hi=64, multiple=8, final=1)  # constant schedule
@example(epoch=4, epochs=4, lo=8, hi=64, multiple=8, final=1)  # epoch == epochs
@example(epoch=0, epochs=3, lo=16, hi=20, multiple=8, final=1)  # max_size not a multiple
def test_resize_schedule_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    epoch: int,
    epochs: int,
    lo: int,
    hi: int,
    multiple: int,
    final: int,
) -> None:
    kwargs = dict(min_size=lo, max_size=hi, multiple=multiple, final_epochs=final)
    diff.assert_same(impl.resize_schedule, reference.resize_schedule, epoch, epochs, **kwargs)


def _is_half(value: Fraction) -> bool:
    return value - math.floor(value) == Fraction(1, 2)


@pytest.mark.clause("nearest", "larger", "ratio-one", "ratio-range", "train-multiple")
@given(
    train=st.sampled_from([0, 8, 12, 16, 20, 24, 32, 40, 64, 96, 224, 320]),
    ratio=st.sampled_from([0.5, 0.999, 1.0, 1.01, 1.1, 1.15, 1.3, 1.6, 2.0, 3.7]),
    multiple=st.sampled_from([1, 4, 8, 16, 32]),
)
@example(train=224, ratio=1.0, multiple=32)
@example(train=96, ratio=1.6, multiple=16)
@example(train=64, ratio=1.01, multiple=4)
def test_fixres_test_size_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, train: int, ratio: float, multiple: int
) -> None:
    # the spec does not say how exact halves round (half up, half to even): skip them
    assume(not _is_half(Fraction(train) * Fraction(ratio) / multiple))
    diff.assert_same(
        impl.fixres_test_size,
        reference.fixres_test_size,
        train,
        ratio=ratio,
        multiple=multiple,
    )


def _exact_batch(size: int, base_size: int, base_batch: int, multiple: int) -> int:
    exact = Fraction(base_batch * base_size**2, size**2)
    return max(multiple, math.floor(exact / multiple) * multiple)


@pytest.mark.clause("pixels", "batch-min", "batch-positive")
@given(
    size=st.integers(-1, 300),
    base_size=st.sampled_from([0, 1, 11, 32, 64, 224]),
    base_batch=st.sampled_from([-4, 0, 1, 9, 64, 256, 1000]),
    multiple=st.sampled_from([1, 4, 8, 16]),
)
@example(size=3, base_size=11, base_batch=9, multiple=1)  # exactly 121: floor(121.0), not 120
@example(size=32, base_size=64, base_batch=64, multiple=16)
@example(size=300, base_size=32, base_batch=64, multiple=16)  # below the minimum
def test_scaled_batch_size_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    size: int,
    base_size: int,
    base_batch: int,
    multiple: int,
) -> None:
    exact = None
    if min(size, base_size, base_batch) > 0:
        exact = _exact_batch(size, base_size, base_batch, multiple)

    def compare(got: object, want: object) -> str | None:
        # exact arithmetic, or the float formula of the spec (which may land one ulp below a
        # multiple when the exact value is on it): both are right
        if got in (want, exact) and isinstance(got, int):
            return None
        return f"expected {want} (exact arithmetic: {exact}), got {got!r}"

    diff.assert_same(
        impl.scaled_batch_size,
        reference.scaled_batch_size,
        size,
        base_size=base_size,
        base_batch=base_batch,
        multiple=multiple,
        compare=compare,
    )


@pytest.mark.clause("antialias", "unchanged", "float-only")
@given(
    n=st.integers(1, 2),
    c=st.integers(1, 3),
    h=st.integers(1, 12),
    w=st.integers(1, 12),
    size=st.integers(1, 12),
    dtype=st.sampled_from([torch.float32, torch.float64, torch.uint8, torch.int64]),
)
@example(n=1, c=3, h=8, w=12, size=8, dtype=torch.float32)  # height matches, width does not
@example(n=2, c=1, h=12, w=8, size=8, dtype=torch.float64)  # width matches, height does not
@example(n=1, c=1, h=12, w=12, size=3, dtype=torch.float64)
def test_resize_batch_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    n: int,
    c: int,
    h: int,
    w: int,
    size: int,
    dtype: object,
) -> None:
    g = torch.Generator().manual_seed(h * 13 + w)
    images = (torch.rand(n, c, h, w, generator=g, dtype=torch.float64) * 255).to(dtype)
    # values up to 255; float32 rounding of a different (valid) summation order: ~1e-5 of that
    atol = 255 * (1e-5 if dtype == torch.float32 else 1e-12)
    diff.assert_same(
        lambda: impl.resize_batch(images.clone(), size).numpy(),
        lambda: reference.resize_batch(images.clone(), size).numpy(),
        rtol=0,
        atol=atol,
    )
