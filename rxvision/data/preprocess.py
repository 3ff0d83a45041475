"""Pill-photo preprocessing: orientation, segmentation, square crop, resize, normalise.

Real pill photos arrive rotated by the camera's EXIF tag, in any colour mode, with the pill
anywhere in a larger frame. :func:`preprocess` turns one into the tensor a model expects:

1. apply the EXIF orientation and convert to RGB;
2. find the pill (:func:`pill_box`): a background colour model (the median colour of the image
   border), each pixel's distance to it, Otsu's threshold on that distance
   (:func:`otsu_threshold`), a little morphology, and the largest connected component;
3. enlarge the box by a margin, make it square around its centre, crop (padding outside the image
   with the background colour), resize and normalise with ``mean``/``std``.

NumPy and ``scipy.ndimage`` only; deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image, ImageOps
from scipy import ndimage
from torch import Tensor

__all__ = ["MEAN", "STD", "otsu_threshold", "pill_box", "pill_mask", "preprocess"]

#: Channel statistics used by timm's EfficientNet and ViT (ImageNet).
MEAN: tuple[float, float, float] = (0.485, 0.456, 0.406)
STD: tuple[float, float, float] = (0.229, 0.224, 0.225)

_MIN_CONTRAST = 16  # foreground and background closer than this (grey levels): nothing to find
_MIN_AREA = 0.005  # the pill covers at least 0.5% of the frame ...
_MAX_AREA = 0.9  # ... and not all of it

Box = tuple[int, int, int, int]


def otsu_threshold(values: np.ndarray) -> int:
    """Otsu's threshold of uint8 ``values``: the ``t`` maximising the between-class variance.

    The two classes are ``values <= t`` and ``values > t``.
    """
    hist = np.bincount(np.asarray(values, dtype=np.uint8).ravel(), minlength=256).astype(float)
    p = hist / hist.sum()
    w0 = np.cumsum(p)
    mu = np.cumsum(p * np.arange(256))
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mu[-1] * w0 - mu) ** 2 / (w0 * (1 - w0))
    return int(np.argmax(np.nan_to_num(between, nan=0.0, posinf=0.0)))


def _border_colour(a: np.ndarray) -> np.ndarray:
    border = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    return np.median(border, axis=0)


def pill_mask(image: np.ndarray) -> np.ndarray:
    """Boolean ``(H, W)`` mask of the pill in an RGB uint8 ``(H, W, 3)`` image.

    Raises:
        ValueError: No pill found (the image is uniform, or the mask is tiny or covers it all).
    """
    a = np.asarray(image, dtype=np.float32)
    if a.ndim != 3 or a.shape[2] != 3:
        raise ValueError(f"image must be an RGB array (H, W, 3), got shape {a.shape}")
    distance = np.sqrt(((a - _border_colour(a)) ** 2).sum(axis=-1))
    distance = np.clip(distance + 0.5, 0, 255).astype(np.uint8)
    foreground = distance > otsu_threshold(distance)
    if not foreground.any() or (
        distance[foreground].mean() - distance[~foreground].mean() < _MIN_CONTRAST
    ):
        raise ValueError("no pill found: nothing in the image stands out from the background")
    mask = ndimage.binary_opening(foreground)
    mask = ndimage.binary_closing(mask, iterations=2)
    mask = ndimage.binary_fill_holes(mask)
    labels, n = ndimage.label(mask)
    if n:
        sizes = ndimage.sum_labels(mask, labels, index=np.arange(1, n + 1))
        mask = labels == 1 + int(np.argmax(sizes))
    area = mask.mean()
    if not _MIN_AREA <= area <= _MAX_AREA:
        raise ValueError(f"no pill found: the foreground covers {area:.1%} of the image")
    return mask


def pill_box(image: np.ndarray) -> Box:
    """The pill's bounding box ``(left, top, right, bottom)``, right/bottom exclusive (PIL's)."""
    ys, xs = np.nonzero(pill_mask(image))
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _square(box: Box, margin: float) -> Box:
    left, top, right, bottom = box
    side = max(right - left, bottom - top)
    side = int(round(side * (1 + 2 * margin)))
    cx2, cy2 = left + right, top + bottom  # twice the centre, to stay in integers
    left, top = (cx2 - side) // 2, (cy2 - side) // 2
    return left, top, left + side, top + side


def preprocess(
    image: Image.Image | np.ndarray,
    size: int = 64,
    margin: float = 0.1,
    mean: Sequence[float] = MEAN,
    std: Sequence[float] = STD,
) -> tuple[Tensor, Box]:
    """Orient, segment, crop to a square around the pill, resize and normalise one photo.

    Args:
        image: A PIL image (any mode; its EXIF orientation is applied) or an RGB uint8 array.
        size: Output side length in pixels.
        margin: Extra space on each side, as a fraction of the pill box's longer side.
        mean: Per-channel mean subtracted after scaling to ``[0, 1]``.
        std: Per-channel standard deviation divided by.

    Returns:
        ``(tensor, box)``: float32 ``(3, size, size)`` and the square crop box
        ``(left, top, right, bottom)`` in the oriented image (it may extend past the edges;
        that part is filled with the background colour).

    Raises:
        ValueError: No pill found.
    """
    if isinstance(image, np.ndarray):
        image = Image.fromarray(np.asarray(image, dtype=np.uint8))
    image = ImageOps.exif_transpose(image)
    if image.mode != "RGB":
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            image = image.convert("RGBA")
            matte = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(matte, image)
        image = image.convert("RGB")
    a = np.asarray(image)
    box = _square(pill_box(a), margin)
    fill = tuple(int(v) for v in np.round(_border_colour(a.astype(np.float32))))
    side = box[2] - box[0]
    canvas = Image.new("RGB", (side, side), fill)
    canvas.paste(image, (-box[0], -box[1]))
    canvas = canvas.resize((size, size), Image.Resampling.BILINEAR)
    x = torch.from_numpy(np.asarray(canvas, dtype=np.float32) / 255.0).permute(2, 0, 1)
    m = torch.tensor(mean, dtype=torch.float32)[:, None, None]
    s = torch.tensor(std, dtype=torch.float32)[:, None, None]
    return ((x - m) / s).contiguous(), box
