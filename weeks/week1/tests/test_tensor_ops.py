"""Tests of week1.tensor_ops: image-batch manipulations without Python loops.

Oracles: ``F.unfold``/``F.fold`` (patches), ``torch.gather``, ``F.one_hot``, ``torchmetrics``
(top-k accuracy), ``torch.cdist``, NumPy (dataset statistics) and a slow loop (crops), on random
shapes drawn by hypothesis (derandomised, so every run is the same). A last check parses your
source and rejects ``for``/``while`` loops and comprehensions.
Run: ``pytest weeks/week1/tests/test_tensor_ops.py``.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torchmetrics.functional.classification import multiclass_accuracy

from rxvision.data import generate

FAST = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.fixture(scope="module")
def pills() -> torch.Tensor:
    """uint8 (26, 32, 32, 3): one studio pill photograph per class."""
    images, _ = generate("studio", samples_per_class=1, size=32, seed=0)
    return torch.from_numpy(images)


# -- layout and normalisation ------------------------------------------------------------------
def test_to_float_nchw_moves_channels_and_scales(impl: ModuleType, pills: torch.Tensor) -> None:
    got = impl.to_float_nchw(pills)
    want = torch.from_numpy(pills.numpy().transpose(0, 3, 1, 2).astype(np.float32) / 255)
    assert got.dtype == torch.float32, f"to_float_nchw should return float32, got {got.dtype}"
    assert got.shape == want.shape, (
        f"to_float_nchw of (N, H, W, C) = {tuple(pills.shape)} should be (N, C, H, W) = "
        f"{tuple(want.shape)}, got {tuple(got.shape)}"
    )
    err = (got - want).abs().max().item()
    assert err < 1e-6, (
        f"to_float_nchw differs from images.transpose(0, 3, 1, 2) / 255 by up to {err:.3g}. "
        "A reshape to (N, C, H, W) keeps the memory order and scrambles pixels: use permute."
    )
    assert got.is_contiguous(), "to_float_nchw must return a contiguous tensor: add .contiguous()"


def test_to_float_nchw_rejects_non_uint8(impl: ModuleType, pills: torch.Tensor) -> None:
    with pytest.raises(ValueError):
        impl.to_float_nchw(pills.float())
    with pytest.raises(ValueError):
        impl.to_float_nchw(pills[0])


def test_normalize_and_denormalize_are_per_channel_inverses(impl: ModuleType) -> None:
    x = torch.rand(2, 3, 5, 7, generator=_gen(0), dtype=torch.float64).requires_grad_()
    got = impl.normalize(x, MEAN, STD)
    want = (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
    assert got.shape == x.shape and got.dtype == x.dtype, (
        f"normalize should keep shape {tuple(x.shape)} and dtype {x.dtype}, "
        f"got {tuple(got.shape)} {got.dtype}"
    )
    assert torch.allclose(got, want, atol=1e-6), (
        "normalize(x, mean, std) should compute (x - mean[c]) / std[c] for channel c (axis 1 of "
        "an NCHW batch): reshape mean and std to (1, C, 1, 1)"
    )
    assert got.requires_grad, "normalize must stay differentiable (use tensor ops, not NumPy)"
    back = impl.denormalize(got.detach(), torch.tensor(MEAN), torch.tensor(STD))
    assert torch.allclose(back, x.detach(), atol=1e-6), (
        "denormalize(normalize(x, mean, std), mean, std) should give back x: x * std + mean"
    )


def test_channel_stats_match_numpy(impl: ModuleType, pills: torch.Tensor) -> None:
    mean, std = impl.channel_stats(pills)
    pixels = pills.numpy().astype(np.float64).reshape(-1, 3) / 255
    for name, got, want in (("mean", mean, pixels.mean(0)), ("std", std, pixels.std(0))):
        assert tuple(got.shape) == (3,), f"channel_stats {name} should have shape (3,), got {got}"
        assert got.dtype == torch.float64, f"channel_stats {name} should be float64, got {got}"
        assert np.allclose(got.numpy(), want, atol=1e-6), (
            f"channel_stats {name} should be {np.round(want, 6)} (NumPy, population std over all "
            f"pixels, in [0, 1] units), got {got.numpy().round(6)}"
        )


# -- patches -----------------------------------------------------------------------------------
@FAST
@given(
    n=st.integers(1, 3),
    c=st.integers(1, 4),
    p=st.integers(1, 4),
    rows=st.integers(1, 4),
    cols=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_patchify_matches_unfold(
    impl: ModuleType, n: int, c: int, p: int, rows: int, cols: int, seed: int
) -> None:
    x = torch.randn(n, c, rows * p, cols * p, generator=_gen(seed))
    got = impl.patchify(x, p)
    want = F.unfold(x, p, stride=p).transpose(1, 2)
    assert got.shape == want.shape, (
        f"patchify of {tuple(x.shape)} with patch_size {p} should have shape "
        f"{tuple(want.shape)}, got {tuple(got.shape)}"
    )
    assert torch.equal(got, want), (
        f"patchify(x of shape {tuple(x.shape)}, {p}) has the right shape but values in the wrong "
        "order; each patch flattens as (channel, row, column) like F.unfold(x, p, stride=p)"
        ".transpose(1, 2), and patches run row by row"
    )
    back = impl.unpatchify(got, p, rows * p, cols * p)
    folded = F.fold(want.transpose(1, 2), (rows * p, cols * p), p, stride=p)
    assert back.shape == x.shape and torch.equal(back, folded), (
        f"unpatchify(patchify(x, {p}), {p}, {rows * p}, {cols * p}) should give back x of shape "
        f"{tuple(x.shape)} (same as F.fold), got shape {tuple(back.shape)} with other values"
    )


def test_patchify_rejects_indivisible_sizes(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.patchify(torch.zeros(1, 3, 10, 12), 4)
    with pytest.raises(ValueError):
        impl.unpatchify(torch.zeros(1, 5, 48), 4, 8, 8)


# -- labels and scores -------------------------------------------------------------------------
def test_one_hot_matches_torch_without_calling_it(
    impl: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = torch.tensor([3, 0, 25, 7, 7])
    want = F.one_hot(labels, 26).float()

    def forbidden(*args: Any, **kwargs: Any) -> torch.Tensor:
        raise AssertionError("one_hot must be written without torch.nn.functional.one_hot")

    monkeypatch.setattr(F, "one_hot", forbidden)
    got = impl.one_hot(labels, 26)
    assert got.dtype == torch.float32, f"one_hot should return float32, got {got.dtype}"
    assert got.shape == want.shape and torch.equal(got, want), (
        f"one_hot({labels.tolist()}, 26) should have a single 1.0 per row at the label, shape "
        f"(5, 26); got shape {tuple(got.shape)}, ones at {got.nonzero().tolist()}"
    )
    for bad in (torch.tensor([0, 26]), torch.tensor([-1, 2])):
        with pytest.raises(ValueError):
            impl.one_hot(bad, 26)


@FAST
@given(n=st.integers(1, 9), k=st.integers(1, 30), seed=st.integers(0, 2**16))
def test_pick_matches_gather(impl: ModuleType, n: int, k: int, seed: int) -> None:
    g = _gen(seed)
    scores = torch.randn(n, k, generator=g)
    index = torch.randint(0, k, (n,), generator=g)
    got = impl.pick(scores, index)
    want = scores.gather(1, index[:, None])[:, 0]
    assert got.shape == want.shape and torch.equal(got, want), (
        f"pick(scores {tuple(scores.shape)}, index {index.tolist()}) should be scores[i, index[i]]"
        f" of shape ({n},); got shape {tuple(got.shape)} (scores[:, index] is (N, N))"
    )


@pytest.mark.parametrize("k", [1, 3, 5])
def test_topk_accuracy_matches_torchmetrics(impl: ModuleType, k: int) -> None:
    g = _gen(k)
    logits = torch.randn(64, 10, generator=g)
    labels = torch.randint(0, 10, (64,), generator=g)
    got = impl.topk_accuracy(logits, labels, k)
    want = multiclass_accuracy(logits, labels, 10, top_k=k, average="micro").item()
    assert isinstance(got, float), f"topk_accuracy should return a Python float, got {type(got)}"
    assert abs(got - want) < 1e-6, (
        f"topk_accuracy(logits (64, 10), labels, k={k}) should be {want:.4f} (torchmetrics), "
        f"got {got:.4f}. Take the top k along the class axis (dim=1) of each row."
    )


# -- crops and distances -----------------------------------------------------------------------
@FAST
@given(n=st.integers(1, 4), size=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_crop_matches_a_loop(impl: ModuleType, n: int, size: int, seed: int) -> None:
    g = _gen(seed)
    images = torch.randn(n, 3, 9, 11, generator=g)
    corners = torch.stack(
        [
            torch.randint(0, 10 - size, (n,), generator=g),
            torch.randint(0, 12 - size, (n,), generator=g),
        ],
        dim=1,
    )
    got = impl.crop(images, corners, size)
    want = torch.stack(
        [images[i, :, t : t + size, s : s + size] for i, (t, s) in enumerate(corners.tolist())]
    )
    assert got.shape == want.shape, (
        f"crop of images {tuple(images.shape)} with size {size} should have shape "
        f"{tuple(want.shape)}, got {tuple(got.shape)}"
    )
    assert torch.equal(got, want), (
        f"crop(images, corners={corners.tolist()}, size={size}) should be images[i, :, top:top+"
        "size, left:left+size] with (top, left) = corners[i] (row first)"
    )


def test_crop_rejects_windows_outside_the_image(impl: ModuleType) -> None:
    images = torch.zeros(2, 3, 8, 8)
    for corners in ([[0, 0], [5, 0]], [[0, -1], [0, 0]]):
        with pytest.raises(ValueError):
            impl.crop(images, torch.tensor(corners), 4)


def test_pairwise_sq_distances_match_cdist(impl: ModuleType) -> None:
    g = _gen(3)
    a = torch.randn(7, 5, generator=g, dtype=torch.float64) * 10
    b = torch.cat([a[:2], torch.randn(4, 5, generator=g, dtype=torch.float64)])
    got = impl.pairwise_sq_distances(a, b)
    want = torch.cdist(a, b) ** 2
    assert got.shape == (7, 6), f"pairwise_sq_distances of (7, 5) and (6, 5) is (7, 6), got {got}"
    assert torch.allclose(got, want, rtol=1e-6, atol=1e-8), (
        "pairwise_sq_distances should equal torch.cdist(a, b) ** 2 = |a|^2 + |b|^2 - 2 a.b; "
        f"largest difference {(got - want).abs().max().item():.3g}"
    )
    assert (got >= 0).all(), "squared distances cannot be negative: clamp_min(0) the result"


# -- no loops ----------------------------------------------------------------------------------
_SAMPLE_CALLS: dict[str, Callable[[ModuleType], object]] = {
    "to_float_nchw": lambda m: m.to_float_nchw(torch.zeros(1, 4, 4, 3, dtype=torch.uint8)),
    "normalize": lambda m: m.normalize(torch.zeros(1, 3, 2, 2), MEAN, STD),
    "denormalize": lambda m: m.denormalize(torch.zeros(1, 3, 2, 2), MEAN, STD),
    "channel_stats": lambda m: m.channel_stats(torch.zeros(1, 4, 4, 3, dtype=torch.uint8)),
    "patchify": lambda m: m.patchify(torch.zeros(1, 3, 4, 4), 2),
    "unpatchify": lambda m: m.unpatchify(torch.zeros(1, 4, 12), 2, 4, 4),
    "one_hot": lambda m: m.one_hot(torch.tensor([1, 0]), 3),
    "pick": lambda m: m.pick(torch.zeros(2, 3), torch.tensor([1, 0])),
    "topk_accuracy": lambda m: m.topk_accuracy(torch.eye(3), torch.arange(3), 1),
    "crop": lambda m: m.crop(torch.zeros(2, 3, 4, 4), torch.tensor([[0, 0], [1, 1]]), 2),
    "pairwise_sq_distances": lambda m: m.pairwise_sq_distances(torch.eye(3), torch.eye(2, 3)),
}
_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp)


@pytest.mark.parametrize("name", sorted(_SAMPLE_CALLS))
def test_functions_have_no_python_loops(impl: ModuleType, name: str) -> None:
    _SAMPLE_CALLS[name](impl)  # it must run before its source is judged
    source = textwrap.dedent(inspect.getsource(getattr(impl, name)))
    found = [
        f"{type(node).__name__} at line {node.lineno}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (*_LOOPS, ast.GeneratorExp))
    ]
    assert not found, (
        f"{name} contains Python loops ({', '.join(found)}, counted from its def line). A loop "
        "over images or pixels runs at Python speed, thousands of times slower than one tensor "
        "operation; rewrite it with reshape/permute, broadcasting, gather or advanced indexing."
    )
