"""Tests of week1.mixup_cutmix: Beta draws, MixUp, the CutMix box and label correction, soft CE.

The grader reproduces your random draws from the same seed (``lam``, then the permutation, then
the box centre) and recomputes the batch by formula; ``scipy.stats`` checks the Beta
distribution; ``F.cross_entropy`` (which accepts class probabilities) checks the soft-target loss,
also on the outputs of ``torchvision.transforms.v2.MixUp`` and ``CutMix``.
Run: ``pytest weeks/week1/tests/test_mixup_cutmix.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import stats
from torchvision.transforms import v2

from grader import differential as diff

N, C, H, W = 8, 3, 24, 40  # non-square on purpose: rows go with H, columns with W
K = 10


def _batch(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(N, C, H, W, generator=g), torch.randint(0, K, (N,), generator=g)


def _constant_batch() -> tuple[torch.Tensor, torch.Tensor]:
    """Sample i is the constant image i + 1 with label i: every pixel tells its source."""
    images = (torch.arange(N, dtype=torch.float32) + 1).view(N, 1, 1, 1).expand(N, C, H, W)
    return images.clone(), torch.arange(N)


def _box(height: int, width: int, lam: float, rng: np.random.Generator) -> tuple[int, ...]:
    """The spec of rand_box, written out."""
    ratio = math.sqrt(1 - lam)
    cut_h, cut_w = int(height * ratio), int(width * ratio)
    cy, cx = int(rng.integers(height)), int(rng.integers(width))
    return (
        max(cy - cut_h // 2, 0),
        min(cy + cut_h // 2, height),
        max(cx - cut_w // 2, 0),
        min(cx + cut_w // 2, width),
    )


def _onehot_mix(labels: torch.Tensor, perm: torch.Tensor, lam: float) -> torch.Tensor:
    onehot = F.one_hot(labels, K).float()
    return lam * onehot + (1 - lam) * onehot[perm]


def _check_targets(targets: torch.Tensor, what: str) -> None:
    assert isinstance(targets, torch.Tensor) and targets.shape == (N, K), (
        f"{what}: targets should be a ({N}, {K}) tensor (one row of class probabilities per "
        f"image), got {getattr(targets, 'shape', type(targets).__name__)}"
    )
    sums = targets.sum(dim=1)
    assert torch.allclose(sums, torch.ones(N), atol=1e-5), (
        f"{what}: every row of the soft targets must sum to 1, got {sums.tolist()}"
    )


# -- lambda ------------------------------------------------------------------------------------
@pytest.mark.clause("one-beta", "lam-float")
def test_sample_lambda_is_one_beta_draw(impl: ModuleType) -> None:
    rng, ref = np.random.default_rng(3), np.random.default_rng(3)
    got = impl.sample_lambda(0.4, rng)
    want = ref.beta(0.4, 0.4)
    assert isinstance(got, float) and math.isclose(got, want), (
        f"sample_lambda(0.4, np.random.default_rng(3)) should be one rng.beta(0.4, 0.4) draw, "
        f"{want!r} as a Python float; got {got!r}"
    )
    assert rng.random() == ref.random(), (
        "sample_lambda must draw exactly once from rng (one rng.beta call), nothing more"
    )


@pytest.mark.parametrize("alpha", [0.2, 1.0, 4.0])
@pytest.mark.clause("one-beta", "lam-float")
def test_sample_lambda_follows_beta(impl: ModuleType, alpha: float) -> None:
    rng = np.random.default_rng(7)
    draws = np.array([impl.sample_lambda(alpha, rng) for _ in range(2000)])
    assert draws.min() >= 0 and draws.max() <= 1, "lam must lie in [0, 1]"
    p = stats.kstest(draws, stats.beta(alpha, alpha).cdf).pvalue
    assert p > 1e-3, (
        f"2000 draws of sample_lambda({alpha}) do not look like Beta({alpha}, {alpha}) "
        f"(Kolmogorov-Smirnov p = {p:.2g}, mean {draws.mean():.3f}, std {draws.std():.3f}; "
        f"expected std {stats.beta(alpha, alpha).std():.3f})"
    )


@pytest.mark.clause("alpha-positive")
def test_sample_lambda_rejects_bad_alpha(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.sample_lambda(0.0, np.random.default_rng(0))


# -- MixUp -------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.clause("draw-order", "mixup-images", "mixup-targets", "mixup-copy", "targets-shape")
def test_mixup_matches_formula(impl: ModuleType, seed: int) -> None:
    images, labels = _batch(seed)
    original = images.clone()
    mixed, targets = impl.mixup(images, labels, K, alpha=0.4, rng=np.random.default_rng(seed))
    ref = np.random.default_rng(seed)
    lam = ref.beta(0.4, 0.4)
    perm = torch.from_numpy(ref.permutation(N))
    assert torch.equal(images, original), "mixup must not modify its input images in place"
    _check_targets(targets, "mixup")
    want = lam * images + (1 - lam) * images[perm]
    assert torch.allclose(mixed, want, atol=1e-6), (
        f"mixup with rng=default_rng({seed}): expected lam = {lam:.4f} (first draw) and "
        f"perm = {perm.tolist()} (second draw), mixed = lam * x + (1 - lam) * x[perm]; "
        f"your images differ by up to {(mixed - want).abs().max():.4f}"
    )
    want_targets = _onehot_mix(labels, perm, lam)
    assert torch.allclose(targets, want_targets, atol=1e-6), (
        "mixup targets should be lam * onehot(y) + (1 - lam) * onehot(y[perm]) with the same "
        f"lam ({lam:.4f}) and perm as the images; row 0: expected "
        f"{want_targets[0].tolist()}, got {targets[0].tolist()}"
    )


@pytest.mark.clause("mixup-images", "mixup-targets")
def test_mixup_mixes_with_other_samples(impl: ModuleType) -> None:
    images, labels = _constant_batch()
    mixed, targets = impl.mixup(images, labels, K, alpha=1.0, rng=np.random.default_rng(5))
    partners = (targets[:, :N] > 0).sum(dim=1)
    assert not torch.equal(mixed, images) and (partners == 2).sum() >= N // 2, (
        "mixup left (almost) every sample unmixed: pair sample i with x[perm[i]] for a random "
        f"permutation, not with itself. Classes per target row: {partners.tolist()}"
    )


# -- CutMix ------------------------------------------------------------------------------------
@pytest.mark.parametrize("lam", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.clause("box-size", "box-centre", "box-clip")
def test_rand_box_matches_spec(impl: ModuleType, lam: float, seed: int) -> None:
    got = impl.rand_box(H, W, lam, np.random.default_rng(seed))
    want = _box(H, W, lam, np.random.default_rng(seed))
    assert tuple(got) == want, (
        f"rand_box(height={H}, width={W}, lam={lam}, default_rng({seed})) should be "
        f"(y1, y2, x1, x2) = {want}, got {tuple(got)}. cut_h = int(height * sqrt(1 - lam)), "
        "cut_w = int(width * sqrt(1 - lam)); cy = rng.integers(height) then "
        "cx = rng.integers(width); clip the edges to the image."
    )


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
@pytest.mark.clause("draw-order", "cutmix-paste", "cutmix-copy", "cutmix-targets", "targets-shape")
def test_cutmix_matches_formula(impl: ModuleType, seed: int) -> None:
    images, labels = _batch(10 + seed)
    original = images.clone()
    mixed, targets = impl.cutmix(images, labels, K, alpha=1.0, rng=np.random.default_rng(seed))
    ref = np.random.default_rng(seed)
    lam = ref.beta(1.0, 1.0)
    perm = torch.from_numpy(ref.permutation(N))
    y1, y2, x1, x2 = _box(H, W, lam, ref)
    assert torch.equal(images, original), "cutmix must not modify its input images in place"
    _check_targets(targets, "cutmix")
    want = images.clone()
    want[:, :, y1:y2, x1:x2] = images[perm][:, :, y1:y2, x1:x2]
    assert torch.equal(mixed, want), (
        f"cutmix with rng=default_rng({seed}): expected lam = {lam:.4f}, perm = {perm.tolist()} "
        f"and the box rows {y1}:{y2}, columns {x1}:{x2} pasted from x[perm]; "
        f"{int((mixed != want).any(dim=1).sum())} pixels differ"
    )
    lam_real = 1 - (y2 - y1) * (x2 - x1) / (H * W)
    want_targets = _onehot_mix(labels, perm, lam_real)
    assert torch.allclose(targets, want_targets, atol=1e-6), (
        f"cutmix targets should use the corrected lam = 1 - box area / image area = "
        f"{lam_real:.4f} (drawn lam was {lam:.4f}); row 0: expected "
        f"{want_targets[0].tolist()}, got {targets[0].tolist()}"
    )


@pytest.mark.clause("cutmix-targets")
def test_cutmix_label_weight_equals_pasted_area(impl: ModuleType) -> None:
    images, labels = _constant_batch()
    for seed in range(12):
        mixed, targets = impl.cutmix(images, labels, K, alpha=1.0, rng=np.random.default_rng(seed))
        _check_targets(targets, "cutmix")
        for i in range(N):
            own = (mixed[i] == i + 1).float().mean().item()
            assert math.isclose(targets[i, i].item(), own, abs_tol=1e-6) or (
                own == 1.0 and targets[i, i].item() == 1.0
            ), (
                f"seed {seed}, image {i}: {own:.4f} of its pixels are its own but its label "
                f"weight is {targets[i, i].item():.4f}. After clipping the box at the border, "
                "recompute lam = 1 - (y2 - y1) * (x2 - x1) / (H * W)."
            )


@pytest.mark.clause("cutmix-targets")
def test_cutmix_with_torchvision_semantics(impl: ModuleType) -> None:
    """torchvision's CutMix: the label weight of the pasted partner equals its pixel share."""
    images, labels = _constant_batch()
    torch.manual_seed(0)
    tv_images, tv_targets = v2.CutMix(num_classes=K, alpha=1.0)(images, labels)
    mine, targets = impl.cutmix(images, labels, K, alpha=1.0, rng=np.random.default_rng(0))
    for name, out, soft in (("torchvision", tv_images, tv_targets), ("yours", mine, targets)):
        shares = torch.stack([(out == v + 1).float().mean(dim=(1, 2, 3)) for v in range(N)], 1)
        assert torch.allclose(shares, soft[:, :N], atol=1e-6), (
            f"{name}: each target row must give every source image its share of the pixels; "
            f"shares {shares[0].tolist()}, targets {soft[0, :N].tolist()}"
        )


# -- loss --------------------------------------------------------------------------------------
@pytest.mark.clause("soft-ce", "soft-ce-mean")
def test_soft_target_cross_entropy_matches_torch(impl: ModuleType) -> None:
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(N, K, generator=g) * 3
    labels = torch.randint(0, K, (N,), generator=g)
    got = impl.soft_target_cross_entropy(logits, F.one_hot(labels, K).float())
    want = F.cross_entropy(logits, labels)
    assert torch.allclose(got, want, atol=1e-5), (
        f"with one-hot targets soft_target_cross_entropy should equal F.cross_entropy: "
        f"expected {want.item():.5f}, got {float(got):.5f}"
    )
    images, _ = _batch(0)
    for transform in (v2.MixUp(num_classes=K, alpha=0.4), v2.CutMix(num_classes=K)):
        torch.manual_seed(1)
        _, soft = transform(images, labels)
        got = impl.soft_target_cross_entropy(logits, soft)
        want = F.cross_entropy(logits, soft)
        assert torch.allclose(got, want, atol=1e-5), (
            f"on the soft targets of torchvision's {type(transform).__name__}, expected "
            f"F.cross_entropy(logits, targets) = {want.item():.5f} (mean over the batch of "
            f"-sum(targets * log_softmax(logits))), got {float(got):.5f}"
        )


# -- judged against the reference --------------------------------------------------------------
def _eps(dtype: torch.dtype) -> float:
    return float(torch.finfo(dtype).eps)


def _with_rng_after(fn: Callable, kind: str) -> Callable:
    """``fn(..., rng=np.random.default_rng(seed))``'s result as arrays (with dtype names), plus
    the generator's next draw: the same draws in the same order leave the same state."""

    def wrapped(*args: object, seed: int, **kwargs: object) -> tuple:
        rng = np.random.default_rng(seed)
        out = fn(*args, rng=rng, **kwargs)
        if kind == "batch":
            mixed, targets = out
            out = (
                mixed.numpy(), str(mixed.dtype), tuple(mixed.shape),
                targets.numpy(), str(targets.dtype),
            )  # fmt: skip
        return out, float(rng.random())

    return wrapped


ALPHAS = [0.2, 1.0, 4.0, 0.05, 0.0, -1.0, float("nan")]


@st.composite
def _batches(draw: st.DrawFn) -> dict:
    n = draw(st.integers(1, 5))
    c = draw(st.sampled_from([1, 3, 4, 2]))  # grey, RGB, RGBA, other
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    g = torch.Generator().manual_seed(draw(st.integers(0, 99)))
    scale = draw(st.sampled_from([1.0, 255.0, 1e-3]))
    images = (torch.rand(n, c, h, w, generator=g, dtype=torch.float64) * scale).to(dtype)
    k = draw(st.integers(1, 5))
    labels = torch.randint(0, k, (n,), generator=g)
    shape = draw(
        st.sampled_from(["ok", "ok", "ok", "images_3d", "images_5d", "labels_2d", "short_labels"])
    )
    if shape == "images_3d":
        images = images[0]
    elif shape == "images_5d":
        images = images[None]
    elif shape == "labels_2d":
        labels = labels[:, None]
    elif shape == "short_labels":
        labels = labels[1:]
    return {"images": images, "labels": labels, "num_classes": k}


def _batch_tolerance(images: torch.Tensor) -> dict:
    # lam * x + (1 - lam) * x[perm] and x[perm] + lam * (x - x[perm]) differ by a few ulps of
    # max |x|; targets are in [0, 1].
    eps = _eps(images.dtype)
    return {"rtol": 8 * eps, "atol": 8 * eps * max(1.0, float(images.abs().max()))}


@pytest.mark.clause(
    "draw-order", "no-extra-draws", "targets-shape", "alpha-positive", "mixup-images",
    "mixup-targets", "mixup-checks",
)  # fmt: skip
@given(batch=_batches(), alpha=st.sampled_from(ALPHAS), seed=st.integers(0, 2**16))
def test_mixup_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, batch: dict, alpha: float, seed: int
) -> None:
    diff.assert_same(
        _with_rng_after(impl.mixup, "batch"), _with_rng_after(reference.mixup, "batch"),
        alpha=alpha, seed=seed, **_batch_tolerance(batch["images"]), **batch,
    )  # fmt: skip


@pytest.mark.clause(
    "draw-order", "no-extra-draws", "targets-shape", "alpha-positive", "cutmix-paste",
    "cutmix-targets", "cutmix-checks",
)  # fmt: skip
@given(batch=_batches(), alpha=st.sampled_from(ALPHAS), seed=st.integers(0, 2**16))
def test_cutmix_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, batch: dict, alpha: float, seed: int
) -> None:
    diff.assert_same(
        _with_rng_after(impl.cutmix, "batch"), _with_rng_after(reference.cutmix, "batch"),
        alpha=alpha, seed=seed, **_batch_tolerance(batch["images"]), **batch,
    )  # fmt: skip


@pytest.mark.clause("box-size", "box-centre", "box-clip", "box-ints", "no-extra-draws")
@given(
    height=st.integers(1, 40), width=st.integers(1, 40),
    lam=st.sampled_from([0.0, 1.0, 0.5, 0.75, 1e-9, 1 - 1e-9]) | st.floats(0, 1),
    seed=st.integers(0, 2**16),
)  # fmt: skip
@example(height=24, width=40, lam=0.19, seed=0)
@example(height=1, width=1, lam=0.0, seed=0)
def test_rand_box_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, height: int, width: int, lam: float, seed: int
) -> None:
    want = diff.assert_same(
        _with_rng_after(lambda *a, rng: impl.rand_box(*a, rng), "box"),
        _with_rng_after(lambda *a, rng: reference.rand_box(*a, rng), "box"),
        height, width, lam, seed=seed,
    )  # fmt: skip
    got = impl.rand_box(height, width, lam, np.random.default_rng(seed))
    assert all(type(v) is int for v in got) and len(want[0]) == 4, (
        f"rand_box must return four Python ints (y1, y2, x1, x2), got {got!r}"
    )


@pytest.mark.clause("one-beta", "lam-float", "alpha-positive")
@given(alpha=st.sampled_from(ALPHAS) | st.floats(1e-3, 50), seed=st.integers(0, 2**16))
def test_sample_lambda_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, alpha: float, seed: int
) -> None:
    diff.assert_same(
        _with_rng_after(lambda a, rng: impl.sample_lambda(a, rng), "lam"),
        _with_rng_after(lambda a, rng: reference.sample_lambda(a, rng), "lam"),
        alpha, seed=seed, rtol=1e-12,
    )  # fmt: skip
    lam = impl.sample_lambda(alpha, np.random.default_rng(seed)) if alpha > 0 else 0.5
    assert type(lam) is float and 0.0 <= lam <= 1.0, (
        f"sample_lambda must return a Python float in [0, 1], got {lam!r}"
    )


@pytest.mark.clause("mixup-copy", "cutmix-copy")
@pytest.mark.parametrize("name", ["mixup", "cutmix"])
def test_inputs_are_not_modified(impl: ModuleType, name: str) -> None:
    images, labels = _constant_batch()
    before_images, before_labels = images.clone(), labels.clone()
    for seed in range(6):
        mixed, _ = getattr(impl, name)(
            images, labels, K, alpha=1.0, rng=np.random.default_rng(seed)
        )
        assert mixed.data_ptr() != images.data_ptr(), f"{name} must return a new tensor, not images"
    assert torch.equal(images, before_images) and torch.equal(labels, before_labels), (
        f"{name} modified its input images or labels in place: work on a copy (images.clone())"
    )


@pytest.mark.clause("rng-none", "targets-shape")
@pytest.mark.parametrize("name", ["mixup", "cutmix"])
def test_rng_none_uses_a_fresh_generator(impl: ModuleType, name: str) -> None:
    images, labels = _constant_batch()
    for _ in range(3):
        mixed, targets = getattr(impl, name)(images.double(), labels, K)
        assert mixed.shape == images.shape and mixed.dtype == torch.float64, (
            f"{name}(..., rng=None) must still return the mixed batch (use np.random.default_rng())"
        )
        assert targets.shape == (N, K) and targets.dtype == torch.float64, (
            f"{name}: targets must be (N, num_classes) in the images' dtype, got "
            f"{tuple(targets.shape)} {targets.dtype}"
        )
        assert torch.allclose(targets.sum(1), torch.ones(N, dtype=torch.float64)), (
            f"{name}: every target row must sum to 1"
        )


@st.composite
def _soft_ce_cases(draw: st.DrawFn) -> tuple[torch.Tensor, torch.Tensor]:
    logits = draw(diff.float_arrays(min_dims=2, max_dims=2, min_side=1, magnitude=300.0))
    n, k = logits.shape
    kind = draw(st.sampled_from(["onehot", "soft", "uniform"]))
    g = torch.Generator().manual_seed(draw(st.integers(0, 99)))
    if kind == "onehot":
        targets = F.one_hot(torch.randint(0, k, (n,), generator=g), k).double()
    elif kind == "soft":
        targets = torch.rand(n, k, generator=g, dtype=torch.float64)
        targets = targets / targets.sum(1, keepdim=True)
    else:
        targets = torch.full((n, k), 1.0 / k, dtype=torch.float64)
    dtype = draw(st.sampled_from([torch.float64, torch.float32]))
    return torch.from_numpy(logits).to(dtype), targets.to(dtype)


def _loss_and_grad(fn: Callable) -> Callable:
    def wrapped(logits: torch.Tensor, targets: torch.Tensor) -> tuple:
        logits = logits.clone().requires_grad_(True)
        loss = fn(logits, targets)
        loss.backward()
        return loss.detach().numpy(), tuple(loss.shape), logits.grad.numpy()

    return wrapped


@pytest.mark.clause("soft-ce", "soft-ce-stable", "soft-ce-mean")
@given(case=_soft_ce_cases())
@example(case=(torch.tensor([[300.0, -300.0, 0.0]]), torch.tensor([[0.0, 1.0, 0.0]])))
@example(
    case=(torch.tensor([[5.0]] * 3, dtype=torch.float64), torch.ones(3, 1, dtype=torch.float64))
)
def test_soft_target_cross_entropy_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: tuple[torch.Tensor, torch.Tensor]
) -> None:
    logits, targets = case
    # log-softmax of logits up to |x| loses ~eps * |x| per term (x - logsumexp(x) is as right
    # as log(softmax(x)) where the latter is finite); sums over K terms.
    eps, k = _eps(logits.dtype), logits.shape[1]
    scale = 1.0 + float(logits.abs().max())
    diff.assert_same(
        _loss_and_grad(impl.soft_target_cross_entropy),
        _loss_and_grad(reference.soft_target_cross_entropy),
        logits, targets, rtol=16 * eps * k, atol=16 * eps * k * scale,
    )  # fmt: skip
