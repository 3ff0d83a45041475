"""The synthetic pill data: catalogue, renderer, splits, dataset and contact sheets."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from PIL import Image

from rxvision.data import (
    CATALOGUE,
    CLASS_NAMES,
    SPLITS,
    Medication,
    PillDataset,
    contact_sheet,
    generate,
    render_pill,
)
from rxvision.data.catalogue import SHAPES

N_CLASSES = len(CATALOGUE)


@pytest.fixture(scope="module")
def studio() -> tuple[np.ndarray, np.ndarray]:
    return generate("studio", samples_per_class=4, size=64, seed=0)


@pytest.fixture(scope="module")
def field() -> tuple[np.ndarray, np.ndarray]:
    return generate("field", samples_per_class=4, size=64, seed=0)


# --------------------------------------------------------------------------- catalogue


def test_catalogue_has_at_least_20_uniquely_named_classes() -> None:
    names = [m.name for m in CATALOGUE]
    assert len(CATALOGUE) >= 20
    assert len(set(names)) == len(names), "medication names must be unique"
    assert names == list(CLASS_NAMES), "CLASS_NAMES[i] must be CATALOGUE[i].name"
    assert SPLITS == ("studio", "field")


def test_catalogue_entries_are_well_formed() -> None:
    for med in CATALOGUE:
        assert isinstance(med, Medication)
        assert med.shape in SHAPES, med
        assert len(med.colors) in (1, 2), med
        assert all(len(c) == 3 and all(0 <= v <= 255 for v in c) for c in med.colors), med
        assert med.imprint.strip(), med
        assert 0.5 <= med.size <= 0.8, med


def test_no_two_classes_differ_only_by_imprint_or_a_similar_colour() -> None:
    """Classes with the same outline must have clearly different colours (casts shift ~10%)."""
    for a, b in itertools.combinations(CATALOGUE, 2):
        if a.shape != b.shape or len(a.colors) != len(b.colors):
            continue
        distance = max(
            float(np.linalg.norm(np.subtract(ca, cb)))
            for ca, cb in zip(a.colors, b.colors, strict=True)
        )
        assert distance >= 80, f"{a.name} and {b.name} share a shape and look alike ({distance})"


# --------------------------------------------------------------------------- generator


def test_generate_returns_balanced_uint8_images_and_int64_labels(studio) -> None:
    images, labels = studio
    assert images.shape == (4 * N_CLASSES, 64, 64, 3)
    assert images.dtype == np.uint8
    assert labels.shape == (4 * N_CLASSES,)
    assert labels.dtype == np.int64
    assert np.array_equal(np.bincount(labels, minlength=N_CLASSES), np.full(N_CLASSES, 4))
    assert 0 < images.min() < images.max() <= 255  # not blank, not clipped to one value


def test_generate_is_deterministic_and_seed_dependent(studio) -> None:
    images, labels = studio
    again, labels_again = generate("studio", samples_per_class=4, size=64, seed=0)
    assert images.tobytes() == again.tobytes()
    assert np.array_equal(labels, labels_again)
    other, _ = generate("studio", samples_per_class=4, size=64, seed=1)
    assert not np.array_equal(images, other)


def test_generate_prefix_does_not_depend_on_the_sample_count(studio) -> None:
    images, labels = studio
    fewer, fewer_labels = generate("studio", samples_per_class=2, size=64, seed=0)
    assert np.array_equal(images[: len(fewer)], fewer)
    assert np.array_equal(labels[: len(fewer)], fewer_labels)


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("size", [32, 96])
def test_render_pill_returns_an_rgb_image_of_the_requested_size(split: str, size: int) -> None:
    rng = np.random.default_rng(0)
    image = render_pill(CATALOGUE[0], rng=rng, split=split, size=size)
    assert isinstance(image, Image.Image)
    assert image.mode == "RGB"
    assert image.size == (size, size)


def test_render_pill_depends_only_on_the_generator_state() -> None:
    med = CATALOGUE[16]  # a two-tone capsule
    first = render_pill(med, rng=np.random.default_rng(7), split="field")
    second = render_pill(med, rng=np.random.default_rng(7), split="field")
    assert first.tobytes() == second.tobytes()


def test_bad_arguments_are_rejected_with_value_error() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="split"):
        render_pill(CATALOGUE[0], rng=rng, split="lab")
    with pytest.raises(ValueError, match="split"):
        generate("lab", samples_per_class=1)
    with pytest.raises(ValueError, match="seed"):
        generate("studio", samples_per_class=1, seed=-1)
    with pytest.raises(ValueError, match="subset"):
        PillDataset("studio", "holdout", samples_per_class=1)


# --------------------------------------------------------------------------- realism


def _border(images: np.ndarray, width: int = 8) -> np.ndarray:
    """The frame's outer ring (mostly background), as (N, pixels, 3) floats."""
    mask = np.ones(images.shape[1:3], bool)
    mask[width:-width, width:-width] = False
    return images[:, mask].astype(np.float64)


def _edge_energy(images: np.ndarray) -> float:
    grey = images.astype(np.float64).mean(axis=3)
    return float(np.abs(np.diff(grey, axis=1)).mean() + np.abs(np.diff(grey, axis=2)).mean())


def test_field_backgrounds_are_busier_than_studio(studio, field) -> None:
    studio_var = _border(studio[0]).std(axis=1).mean()
    field_var = _border(field[0]).std(axis=1).mean()
    assert field_var > 2 * studio_var, (studio_var, field_var)
    assert _edge_energy(field[0]) > 1.5 * _edge_energy(studio[0])


def test_pill_stands_out_from_the_studio_background(studio) -> None:
    images, _ = studio
    x = images.astype(np.float64)
    centre = x[:, 26:38, 26:38].reshape(len(x), -1, 3).mean(axis=1)
    border = _border(images).mean(axis=1)
    contrast = np.linalg.norm(centre - border, axis=1)
    assert np.median(contrast) > 40, f"median centre/background contrast {np.median(contrast)}"


def _colour_histogram(images: np.ndarray, bins: int = 4) -> np.ndarray:
    """Normalised joint RGB histogram of the central half of each image."""
    n, h, w, _ = images.shape
    centre = images[:, h // 4 : 3 * h // 4, w // 4 : 3 * w // 4].astype(np.int64) * bins // 256
    codes = (centre[..., 0] * bins + centre[..., 1]) * bins + centre[..., 2]
    hist = np.stack([np.bincount(c.ravel(), minlength=bins**3) for c in codes])
    return hist / hist.sum(axis=1, keepdims=True)


def test_studio_is_learnable_by_a_nearest_centroid_on_colour_histograms() -> None:
    train_x, train_y = generate("studio", samples_per_class=12, subset="train")
    test_x, test_y = generate("studio", samples_per_class=6, subset="test")
    train_f, test_f = _colour_histogram(train_x), _colour_histogram(test_x)
    centroids = np.stack([train_f[train_y == k].mean(axis=0) for k in range(N_CLASSES)])
    pred = ((test_f[:, None] - centroids[None]) ** 2).sum(axis=2).argmin(axis=1)
    accuracy = float((pred == test_y).mean())
    assert accuracy > 0.6, f"nearest-centroid accuracy {accuracy:.2f} (chance {1 / N_CLASSES:.2f})"


# --------------------------------------------------------------------------- dataset


def test_pill_dataset_yields_float_tensors_in_unit_range() -> None:
    ds = PillDataset("studio", "val", samples_per_class=2, image_size=32)
    assert len(ds) == 2 * N_CLASSES
    assert ds.classes == CLASS_NAMES
    assert (ds.split, ds.subset) == ("studio", "val")
    assert ds.labels.shape == (len(ds),)
    image, label = ds[3]
    assert isinstance(image, torch.Tensor)
    assert image.dtype == torch.float32
    assert image.shape == (3, 32, 32)
    assert float(image.min()) >= 0.0 and float(image.max()) <= 1.0
    assert isinstance(label, int)
    assert label == int(ds.labels[3])
    assert torch.equal(image, torch.from_numpy(ds.images[3]).permute(2, 0, 1).float() / 255)


def test_pill_dataset_applies_the_transform_to_a_pil_image() -> None:
    seen: list[Image.Image] = []

    def transform(image: Image.Image) -> tuple[int, int]:
        seen.append(image)
        return image.size

    ds = PillDataset("field", "test", samples_per_class=1, image_size=32, transform=transform)
    item, label = ds[0]
    assert item == (32, 32)
    assert label == 0
    assert isinstance(seen[0], Image.Image) and seen[0].mode == "RGB"
    assert np.array_equal(np.asarray(seen[0]), ds.images[0])


def test_pill_dataset_is_reproducible() -> None:
    a = PillDataset("field", "train", samples_per_class=1, image_size=32, seed=3)
    b = PillDataset("field", "train", samples_per_class=1, image_size=32, seed=3)
    assert a.images.tobytes() == b.images.tobytes()


def test_subsets_never_share_an_image() -> None:
    seen: dict[bytes, str] = {}
    for subset in ("train", "val", "test"):
        ds = PillDataset("studio", subset, samples_per_class=3, image_size=32)
        for image in ds.images:
            key = image.tobytes()
            assert key not in seen, f"an image of {subset!r} also appears in {seen.get(key)!r}"
            seen[key] = subset
    assert len(seen) == 3 * 3 * N_CLASSES


# --------------------------------------------------------------------------- preview


def test_contact_sheet_has_one_row_per_class() -> None:
    sheet = contact_sheet("studio", per_class=3, size=32)
    assert sheet.mode == "RGB"
    assert sheet.size == (3 * 32, N_CLASSES * 32)
    tile = np.asarray(sheet)[32:64, 0:32]  # row 1, column 0: first sample of class 1
    want = generate("studio", samples_per_class=1, size=32)[0][1]
    assert np.array_equal(tile, want)
    labelled = contact_sheet("field", per_class=2, size=32, label_width=100)
    assert labelled.size == (100 + 2 * 32, N_CLASSES * 32)
