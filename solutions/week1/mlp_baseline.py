"""A feed-forward baseline on hand-made colour and shape features of pill photographs.

Reference solution of ``week1.mlp_baseline`` (the spec is the stub's docstrings). It is the
baseline the week-1 capstone asks the deep models to beat.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from rxvision.data import CLASS_NAMES, generate

__all__ = [
    "FEATURE_NAMES",
    "Standardize",
    "extract_features",
    "foreground_mask",
    "make_mlp",
    "rgb_to_hsv",
    "train_baseline",
]

FEATURE_NAMES: tuple[str, ...] = (
    *(f"{stat}_{c}" for stat in ("mean", "std") for c in "rgb"),
    *(f"{stat}_{c}" for stat in ("mean", "std") for c in "hsv"),
    "area",
    "elongation",
)


def rgb_to_hsv(rgb: Tensor) -> Tensor:
    """``(..., 3)`` RGB in ``[0, 1]`` to HSV in ``[0, 1]`` (hue as a fraction of a turn)."""
    r, g, b = rgb.unbind(-1)
    v, _ = rgb.max(-1)
    c = v - rgb.min(-1).values
    safe = torch.where(c > 0, c, torch.ones_like(c))
    h = torch.where(
        v == r, (g - b) / safe, torch.where(v == g, 2 + (b - r) / safe, 4 + (r - g) / safe)
    )
    h = torch.where(c > 0, (h / 6) % 1.0, torch.zeros_like(h))
    s = torch.where(v > 0, c / torch.where(v > 0, v, torch.ones_like(v)), torch.zeros_like(v))
    return torch.stack([h, s, v], dim=-1)


class Standardize(nn.Module):
    """``(x - mean) / std`` with fixed statistics stored as buffers."""

    def __init__(self, mean: Tensor, std: Tensor) -> None:
        super().__init__()
        self.register_buffer("mean", mean.detach().clone().float())
        self.register_buffer("std", std.detach().clone().float())

    def forward(self, x: Tensor) -> Tensor:
        return (x - self.mean) / self.std


def foreground_mask(images: Tensor, threshold: float = 0.12) -> Tensor:
    x = images.float() / 255
    border = torch.cat([x[:, 0], x[:, -1], x[:, 1:-1, 0], x[:, 1:-1, -1]], dim=1)
    background = border.median(dim=1).values  # (N, 3)
    distance = (x - background[:, None, None, :]).abs().amax(dim=-1)
    return distance > threshold


def extract_features(images: Tensor, threshold: float = 0.12) -> Tensor:
    x = images.float() / 255
    _, h, w, _ = x.shape
    mask = foreground_mask(images, threshold)
    empty = mask.flatten(1).sum(1) == 0
    mask = mask | empty[:, None, None]  # an empty mask means: use the whole image
    weights = mask.float().flatten(1)  # (N, HW)
    count = weights.sum(1, keepdim=True)

    def mean_std(values: Tensor) -> tuple[Tensor, Tensor]:
        flat = values.flatten(1, 2)  # (N, HW, 3)
        mean = (flat * weights[..., None]).sum(1) / count
        var = ((flat - mean[:, None]) ** 2 * weights[..., None]).sum(1) / count
        return mean, var.sqrt()

    rgb_mean, rgb_std = mean_std(x)
    hsv_mean, hsv_std = mean_std(rgb_to_hsv(x))
    area = count[:, 0] / (h * w)

    rows = torch.arange(h, dtype=torch.float32).repeat_interleave(w)
    cols = torch.arange(w, dtype=torch.float32).repeat(h)
    coords = torch.stack([rows, cols], dim=-1)  # (HW, 2)
    centre = (weights @ coords) / count  # (N, 2)
    centred = coords[None] - centre[:, None]  # (N, HW, 2)
    cov = torch.einsum("np,npi,npj->nij", weights, centred, centred) / count[..., None]
    eig = torch.linalg.eigvalsh(cov)  # ascending
    elongation = torch.sqrt((eig[:, 1] + 1e-6) / (eig[:, 0] + 1e-6))
    return torch.cat(
        [rgb_mean, rgb_std, hsv_mean, hsv_std, area[:, None], elongation[:, None]], dim=1
    )


def make_mlp(
    in_features: int,
    num_classes: int,
    hidden: Sequence[int] = (64,),
    dropout: float = 0.0,
) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = in_features
    for size in hidden:
        layers += [nn.Linear(width, size), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = size
    layers.append(nn.Linear(width, num_classes))
    return nn.Sequential(*layers)


def train_baseline(
    split: str = "studio",
    samples_per_class: int = 12,
    test_samples_per_class: int = 6,
    size: int = 32,
    steps: int = 300,
    lr: float = 1e-2,
    seed: int = 0,
) -> tuple[nn.Sequential, float]:
    torch.manual_seed(seed)
    images, labels = generate(
        split, samples_per_class=samples_per_class, size=size, seed=seed, subset="train"
    )
    test_images, test_labels = generate(
        split, samples_per_class=test_samples_per_class, size=size, seed=seed, subset="test"
    )
    x = extract_features(torch.from_numpy(images))
    y = torch.from_numpy(labels)
    scale = Standardize(x.mean(0), x.std(0).clamp_min(1e-6))
    model = nn.Sequential(scale, make_mlp(x.shape[1], len(CLASS_NAMES), (64,)))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        predictions = model(extract_features(torch.from_numpy(test_images))).argmax(1)
    accuracy = (predictions == torch.from_numpy(test_labels)).float().mean().item()
    return model, accuracy
