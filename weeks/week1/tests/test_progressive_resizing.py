"""Tests of week1.progressive_resizing: the size schedule, FixRes, batch scaling, resizing.

Oracles: hand-computed schedules and torchvision's antialiased resize.
Run: ``pytest weeks/week1/tests/test_progressive_resizing.py``.
"""

from __future__ import annotations

from types import ModuleType

import pytest
import torch
from torchvision.transforms.v2 import functional as TF

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
@pytest.mark.parametrize(("train", "want"), [(224, 256), (64, 72), (48, 56), (32, 40), (128, 144)])
def test_fixres_tests_about_15_percent_larger(impl: ModuleType, train: int, want: int) -> None:
    got = impl.fixres_test_size(train)
    assert got == want, (
        f"fixres_test_size({train}) should be {want} ({train} * 1.15 = {train * 1.15:.1f}, "
        f"rounded to the nearest multiple of 8, and above {train}); got {got}. FixRes tests at "
        "a HIGHER resolution than the last training size."
    )


def test_fixres_ratio_and_multiple(impl: ModuleType) -> None:
    cases = {(224, 1.0, 8): 224, (224, 1.3, 32): 288, (64, 1.01, 8): 72, (96, 1.15, 16): 112}
    got = {k: impl.fixres_test_size(k[0], ratio=k[1], multiple=k[2]) for k in cases}
    assert got == cases, (
        "fixres_test_size(train, ratio=, multiple=) should give "
        f"{cases} for (train, ratio, multiple), got {got}. ratio 1 keeps the size; otherwise round "
        "train * ratio to the nearest multiple, but at least train + multiple."
    )


@pytest.mark.parametrize("kwargs", [{"train_size": 224, "ratio": 0.9}, {"train_size": 60}])
def test_fixres_rejects_bad_arguments(impl: ModuleType, kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        impl.fixres_test_size(**kwargs)


# -- batch size ------------------------------------------------------------------------------
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


def test_resize_batch_keeps_matching_batches_and_rejects_integers(impl: ModuleType) -> None:
    images = torch.rand(2, 3, 32, 32)
    same = impl.resize_batch(images, 32)
    assert torch.equal(same, images), "a batch that already has the size must come back unchanged"
    with pytest.raises(TypeError):
        impl.resize_batch(torch.zeros(2, 3, 32, 32, dtype=torch.uint8), 16)
