"""Progressive resizing with a FixRes test resolution.

Train on small images first (cheap epochs that learn coarse shape and colour), grow the size
linearly, finish at full size, then *test* a little larger than the last training size. The
last point comes from "Fixing the train-test resolution discrepancy" (Touvron et al., NeurIPS
2019, https://arxiv.org/abs/1906.06423): random-resized-crop training zooms in, so objects look
bigger at train time than in a plain resized test image; testing at ~1.15x the training size
brings their apparent size back in line. The 1.15 belongs to ImageNet's crops (8-100% of the
area); with milder crops the right ratio is smaller: ``rxvision train`` crops 80-100% and tests
at its last training size, which measured 12 points better on the field split than 1.15x.

You write, in this order (the tests follow it):

1. ``resize_schedule``: epoch -> training image size;
2. ``fixres_test_size``: the test resolution for a final training size;
3. ``scaled_batch_size``: a batch size that keeps the pixels per batch about constant;
4. ``resize_batch``: resize a float batch to the scheduled size.
"""

from __future__ import annotations

from torch import Tensor

__all__ = ["fixres_test_size", "resize_batch", "resize_schedule", "scaled_batch_size"]


def resize_schedule(
    epoch: int,
    epochs: int,
    *,
    min_size: int = 32,
    max_size: int = 64,
    multiple: int = 8,
    final_epochs: int = 1,
) -> int:
    """The training image size of ``epoch`` (0-based) out of ``epochs``.

    The first ``ramp = epochs - final_epochs`` epochs grow linearly from ``min_size``::

        size = min_size + (max_size - min_size) * epoch / ramp

    rounded *down* to a multiple of ``multiple`` (convolution strides like sizes divisible by 8
    or 32). [#ramp] The last ``final_epochs`` epochs use exactly ``max_size``. [#final] The
    schedule never decreases. [#monotone] Example: ``epochs=10, min_size=32, max_size=64,
    multiple=8, final_epochs=2`` gives ``32, 32, 40, 40, 48, 48, 56, 56, 64, 64``.

    Raises:
        ValueError: If ``epoch`` is outside ``[0, epochs)`` [#epoch-range], ``final_epochs`` is
            outside ``[1, epochs]`` [#final-range], ``min_size`` or ``max_size`` is not a
            positive multiple of ``multiple`` [#size-multiple], or ``min_size > max_size``.
            [#min-max]
    """
    # TODO: validate, return max_size for the final epochs, else interpolate and round down.
    raise NotImplementedError


def fixres_test_size(train_size: int, *, ratio: float = 1.15, multiple: int = 8) -> int:
    """The FixRes test resolution for a model whose last training size is ``train_size``.

    ``train_size * ratio`` rounded to the *nearest* multiple of ``multiple``. [#nearest] It is
    never below ``train_size + multiple`` when ``ratio > 1`` (the point is to test larger).
    [#larger] ``ratio == 1`` returns ``train_size``. [#ratio-one] Examples: 224 -> 256, 64 -> 72,
    48 -> 56, 32 -> 40.

    Raises:
        ValueError: If ``ratio < 1`` [#ratio-range] or ``train_size`` is not a positive multiple
            of ``multiple``. [#train-multiple]
    """
    # TODO
    raise NotImplementedError


def scaled_batch_size(size: int, *, base_size: int, base_batch: int, multiple: int = 8) -> int:
    """A batch size for ``size``-pixel images that keeps the pixels per batch about constant.

    Cost and memory grow with the number of pixels, ``size ** 2``, so the batch is
    ``base_batch * (base_size / size) ** 2`` rounded *down* to a multiple of ``multiple``.
    [#pixels] It is at least ``multiple``. [#batch-min] Example: ``base_batch=64`` at
    ``base_size=64``: 32 px -> 256, 48 px -> 112, 128 px -> 16.

    Raises:
        ValueError: If ``size``, ``base_size`` or ``base_batch`` is not positive. [#batch-positive]
    """
    # TODO
    raise NotImplementedError


def resize_batch(images: Tensor, size: int) -> Tensor:
    """Resize a float batch ``(N, C, H, W)`` to ``(N, C, size, size)``.

    Use bilinear interpolation *with antialiasing* (``torch.nn.functional.interpolate(...,
    mode="bilinear", antialias=True)``): without it, downsizing skips pixels and aliases fine
    detail such as imprint text. [#antialias] The grader compares with torchvision's
    ``transforms.v2.functional.resize(..., antialias=True)``. A batch that already has the size
    (both height and width) is returned unchanged. [#unchanged]

    Raises:
        TypeError: If ``images`` is not a floating-point tensor. [#float-only]
    """
    # TODO
    raise NotImplementedError
