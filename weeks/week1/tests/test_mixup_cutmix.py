"""Tests of week1.mixup_cutmix: Beta draws, MixUp, the CutMix box and label correction, soft CE.

The grader reproduces your random draws from the same seed (``lam``, then the permutation, then
the box centre) and recomputes the batch by formula; ``scipy.stats`` checks the Beta
distribution; ``F.cross_entropy`` (which accepts class probabilities) checks the soft-target loss,
also on the outputs of ``torchvision.transforms.v2.MixUp`` and ``CutMix``.
Run: ``pytest weeks/week1/tests/test_mixup_cutmix.py``.
"""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import stats
from torchvision.transforms import v2

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


def test_sample_lambda_rejects_bad_alpha(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.sample_lambda(0.0, np.random.default_rng(0))


# -- MixUp -------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
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
