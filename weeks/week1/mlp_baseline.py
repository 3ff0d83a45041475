"""A feed-forward baseline on hand-made colour and shape features of pill photographs.

Before deep networks, a classifier saw *features* an engineer designed. Pills differ by colour
and outline, so a few numbers per photograph already say a lot: the colour of the pill (mean and
spread, in RGB and in HSV), how much of the frame it covers, and how elongated it is. You write:

1. ``foreground_mask``: which pixels belong to the pill (a simple rule, no learning);
2. ``extract_features``: the 14 numbers of :data:`FEATURE_NAMES` per image;
3. ``make_mlp``: a configurable stack of ``nn.Linear`` layers;
4. ``train_baseline``: features + MLP trained on the studio split, returning the model and its
   accuracy on held-out test images.

This is the baseline of week 1: the capstone asks your EfficientNet and ViT to beat the accuracy
``train_baseline`` returns. With the defaults a correct solution reaches about 95% on the studio
test images in a few seconds; the grader asks for at least 80%.

Given (do not change): ``FEATURE_NAMES``, ``rgb_to_hsv`` and ``Standardize``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

__all__ = [
    "FEATURE_NAMES",
    "Standardize",
    "extract_features",
    "foreground_mask",
    "make_mlp",
    "rgb_to_hsv",
    "train_baseline",
]

#: The columns of :func:`extract_features`, in order.
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
    """Pixels that differ from the background colour: a boolean mask of the pill.

    The photographs have a fairly plain background, so:

    1. scale to ``[0, 1]`` (``images.float() / 255``); [#mask-scale]
    2. the background colour of each image is the per-channel **median** of its border pixels
       (the outer 1-pixel frame: first and last row, first and last column, each border pixel
       counted once, ``2 * H + 2 * W - 4`` pixels); use ``Tensor.median(dim=...)``, which
       returns the lower of the two middle values for an even count; [#border-median]
    3. a pixel is foreground when its largest absolute channel difference from that colour is
       greater than ``threshold`` (strictly: equal is background):
       ``(x - bg).abs().amax(-1) > threshold``. [#mask-threshold]

    Args:
        images: uint8 tensor ``(N, H, W, 3)``.
        threshold: in ``[0, 1]`` units.

    Returns:
        bool tensor ``(N, H, W)``. [#mask-returns]
    """
    # TODO: border pixels -> median colour -> distance -> threshold, for the whole batch.
    raise NotImplementedError


def extract_features(images: Tensor, threshold: float = 0.12) -> Tensor:
    """The 14 features of :data:`FEATURE_NAMES` for every image, computed inside the mask.

    With ``mask = foreground_mask(images, threshold)`` (if an image's mask is empty, use all of
    its pixels instead) [#empty-mask] and ``x = images / 255``, per image:

    - ``mean_r, mean_g, mean_b, std_r, std_g, std_b``: mean and *population* standard deviation
      (divide by the number of mask pixels) of each RGB channel over the mask pixels; [#rgb]
    - ``mean_h, mean_s, mean_v, std_h, std_s, std_v``: the same for ``rgb_to_hsv(x)``; [#hsv]
    - ``area``: number of mask pixels divided by ``H * W``; [#area]
    - ``elongation``: ``sqrt((l1 + 1e-6) / (l0 + 1e-6))`` where ``l0 <= l1`` are the eigenvalues
      (``torch.linalg.eigvalsh``) of the 2x2 population covariance matrix of the (row, column)
      coordinates of the mask pixels. It is 1 for a disc and about 2 for a 2:1 rectangle, and
      does not change when the pill is rotated. [#elongation]

    No Python loop over images or pixels: masked means are sums of ``values * mask`` divided by
    the mask's pixel count: the number of tensor operations does not grow with ``N``.
    [#vectorised]

    Args:
        images: uint8 tensor ``(N, H, W, 3)``.
        threshold: passed to :func:`foreground_mask`. [#features-threshold]

    Returns:
        float32 tensor ``(N, 14)``, columns in the order of :data:`FEATURE_NAMES`.
        [#features-returns]
    """
    # TODO: mask, masked mean/std for RGB and HSV, area, covariance of coordinates.
    raise NotImplementedError


def make_mlp(
    in_features: int,
    num_classes: int,
    hidden: Sequence[int] = (64,),
    dropout: float = 0.0,
) -> nn.Sequential:
    """A multi-layer perceptron as one flat ``nn.Sequential``.

    For each width in ``hidden``: ``nn.Linear(previous, width)``, ``nn.ReLU()``, then
    ``nn.Dropout(dropout)`` only if ``dropout > 0``. [#mlp-dropout] Last:
    ``nn.Linear(previous, num_classes)`` with **no** activation after it (``cross_entropy`` wants
    raw logits); an empty ``hidden`` gives that one layer. [#mlp-layers]

    Example: ``make_mlp(14, 26, (32, 16), 0.5)`` is ``Linear(14, 32), ReLU, Dropout(0.5),
    Linear(32, 16), ReLU, Dropout(0.5), Linear(16, 26)``.

    Returns:
        The ``nn.Sequential`` (freshly initialised by PyTorch's defaults, layers created in
        order). [#mlp-init]
    """
    # TODO: build the list of layers in a loop over hidden.
    raise NotImplementedError


def train_baseline(
    split: str = "studio",
    samples_per_class: int = 12,
    test_samples_per_class: int = 6,
    size: int = 32,
    steps: int = 300,
    lr: float = 1e-2,
    seed: int = 0,
) -> tuple[nn.Sequential, float]:
    """Train the feature + MLP baseline and measure it on held-out test images.

    1. ``torch.manual_seed(seed)``; [#seeded]
    2. training images: ``rxvision.data.generate(split, samples_per_class=samples_per_class,
       size=size, seed=seed, subset="train")``; test images: the same with
       ``test_samples_per_class`` and ``subset="test"`` (a disjoint stream); [#data]
    3. features with :func:`extract_features`; standardise them with the *training* mean and
       standard deviation (``Standardize(x.mean(0), x.std(0).clamp_min(1e-6))``); [#standardize]
    4. ``model = nn.Sequential(standardize, make_mlp(14, 26, (64,)))``; train it full-batch
       with ``torch.optim.Adam(model.parameters(), lr=lr)`` and ``cross_entropy`` for ``steps``
       steps (zero the gradients at every step); [#training]
    5. in eval mode and without gradients, the accuracy of ``argmax`` predictions on the test
       features. [#test-accuracy]

    Returns:
        ``(model, test_accuracy)``: the model maps ``extract_features(images)`` to 26 logits
        and is in eval mode [#returns-eval]; the accuracy is a Python float in ``[0, 1]``
        measured on the test images only (never on the training ones). [#test-accuracy]
    """
    # TODO: data, features, standardise, train, evaluate.
    raise NotImplementedError
