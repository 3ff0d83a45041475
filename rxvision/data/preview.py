"""Contact sheets: every class at a glance, to eyeball the synthetic data."""

from __future__ import annotations

from PIL import Image, ImageDraw

from rxvision.data.catalogue import CLASS_NAMES
from rxvision.data.synthetic import generate

__all__ = ["contact_sheet"]


def contact_sheet(
    split: str = "studio",
    *,
    per_class: int = 4,
    size: int = 64,
    seed: int = 0,
    label_width: int = 0,
) -> Image.Image:
    """A grid of samples: one row per class (label order), ``per_class`` columns.

    Args:
        split: ``"studio"`` or ``"field"``.
        per_class: Samples shown per class (columns).
        size: Side length of each tile in pixels.
        seed: Seed passed to :func:`~rxvision.data.generate`.
        label_width: Width of a left margin that shows each row's class name; 0 for none.

    Returns:
        An RGB image of ``(label_width + per_class * size) x (len(CLASS_NAMES) * size)`` pixels.
    """
    if per_class < 1:
        raise ValueError(f"per_class must be >= 1, got {per_class}")
    images, labels = generate(split, samples_per_class=per_class, size=size, seed=seed)
    n_classes = len(CLASS_NAMES)
    sheet = Image.new("RGB", (label_width + per_class * size, n_classes * size), "white")
    draw = ImageDraw.Draw(sheet)
    for k, (image, label) in enumerate(zip(images, labels, strict=True)):
        column = k // n_classes
        sheet.paste(Image.fromarray(image), (label_width + column * size, int(label) * size))
    if label_width:
        for label, name in enumerate(CLASS_NAMES):
            draw.text((4, label * size + size // 2), name, fill="black", anchor="lm")
    return sheet
