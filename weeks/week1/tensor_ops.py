"""Tensors and computational graphs: image batches without Python loops.

Warm-up drill in PyTorch tensor operations on pill photographs. A data pipeline runs these on
every batch, so each must be a handful of vectorised tensor operations: **no ``for`` or
``while`` loop and no comprehension** anywhere in your function bodies (the grader parses your
source with :mod:`ast` and rejects them). [#no-loops] Reshape, ``permute``, broadcasting,
``gather`` and advanced indexing are the tools.

Try it on real images::

    import torch
    from rxvision.data import generate

    images, labels = generate("studio", samples_per_class=2, size=32)
    batch = torch.from_numpy(images)          # uint8 (52, 32, 32, 3)

The grader compares every function with a PyTorch or NumPy reference (``F.unfold``/``F.fold``
for patches, ``torch.gather``, ``torchmetrics`` accuracy, ``torch.cdist``, a slow loop for
``crop``) on random shapes, and checks dtypes, shapes and contiguity where the spec names them.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor

__all__ = [
    "channel_stats",
    "crop",
    "denormalize",
    "normalize",
    "one_hot",
    "pairwise_sq_distances",
    "patchify",
    "pick",
    "to_float_nchw",
    "topk_accuracy",
    "unpatchify",
]


def to_float_nchw(images: Tensor) -> Tensor:
    """Convert a uint8 image batch in NHWC layout to float32 NCHW in ``[0, 1]``.

    Args:
        images: uint8 tensor ``(N, H, W, C)``, as produced by
            ``torch.from_numpy(rxvision.data.generate(...)[0])``.

    Returns:
        float32 tensor ``(N, C, H, W)`` equal to ``images / 255`` with the channel axis moved.
        [#nchw-values] It is **contiguous** in memory (``.is_contiguous()`` is True: convolutions
        and ``.view`` want that). [#nchw-contiguous]

    Raises:
        ValueError: if ``images`` is not uint8 or not 4-dimensional. [#nchw-validation]
    """
    # TODO: permute the axes, convert, scale, make contiguous.
    raise NotImplementedError


def normalize(x: Tensor, mean: Sequence[float] | Tensor, std: Sequence[float] | Tensor) -> Tensor:
    """Per-channel normalisation ``(x - mean[c]) / std[c]`` of an NCHW batch.

    Args:
        x: float tensor ``(N, C, H, W)``.
        mean: ``C`` values (a list, tuple or 1-D tensor), one per channel.
        std: ``C`` positive values, one per channel.

    Returns:
        ``(x - mean[c]) / std[c]`` for channel ``c``. [#normalize-values] A tensor of the shape and
        dtype of ``x`` (float64 in, float64 out; float32 in, float32 out whatever the dtype of a
        tensor ``mean`` or ``std``). [#normalize-dtype] Differentiable: if ``x`` requires grad,
        so does the result. [#normalize-grad]
    """
    # TODO: turn mean/std into tensors that broadcast against (N, C, H, W).
    raise NotImplementedError


def denormalize(x: Tensor, mean: Sequence[float] | Tensor, std: Sequence[float] | Tensor) -> Tensor:
    """Undo :func:`normalize`: ``denormalize(normalize(x, m, s), m, s) == x`` (to rounding).
    [#denormalize]

    Args and returns as in :func:`normalize` (the same shape and dtype rules). [#denormalize-dtype]
    """
    # TODO: the inverse of normalize.
    raise NotImplementedError


def channel_stats(images: Tensor) -> tuple[Tensor, Tensor]:
    """Per-channel mean and standard deviation of a uint8 NHWC dataset, in ``[0, 1]`` units.

    These are the numbers you pass to :func:`normalize` (ImageNet's are
    ``(0.485, 0.456, 0.406)`` and ``(0.229, 0.224, 0.225)``).

    Args:
        images: uint8 tensor ``(N, H, W, C)``.

    Returns:
        ``(mean, std)``: two float64 tensors of shape ``(C,)``. [#stats-shape] ``std`` is the
        *population* standard deviation (divide by the number of pixels, like ``numpy.std``);
        the grader compares with NumPy to 1e-6. [#stats-values]
    """
    # TODO: one reshape to (pixels, C), then statistics over the pixel axis in float64.
    raise NotImplementedError


def patchify(x: Tensor, patch_size: int) -> Tensor:
    """Cut each image into non-overlapping ``patch_size`` squares, flattened (ViT's input).

    Patches are numbered row by row (left to right, then top to bottom). Each patch is
    flattened channel first, then row, then column: value ``[n, l, c * p * p + i * p + j]`` is
    pixel ``x[n, c, r * p + i, s * p + j]`` of patch ``l = r * (W // p) + s``. This is exactly
    ``F.unfold(x, p, stride=p).transpose(1, 2)``, and the order in which a
    ``Conv2d(C, D, p, stride=p)`` weight of shape ``(D, C, p, p)`` flattens. [#patch-order]

    Args:
        x: tensor ``(N, C, H, W)`` with ``H`` and ``W`` multiples of ``patch_size``.
        patch_size: side ``p`` of the square patches.

    Returns:
        Tensor ``(N, (H // p) * (W // p), C * p * p)``. [#patch-shape]

    Raises:
        ValueError: if ``H`` or ``W`` is not a multiple of ``patch_size``. [#patch-validation]
    """
    # TODO: reshape to (N, C, H/p, p, W/p, p), permute, reshape.
    raise NotImplementedError


def unpatchify(patches: Tensor, patch_size: int, height: int, width: int) -> Tensor:
    """Inverse of :func:`patchify`: ``unpatchify(patchify(x, p), p, H, W)`` equals ``x``.
    [#unpatchify]

    Args:
        patches: tensor ``(N, L, C * p * p)`` in :func:`patchify`'s order.
        patch_size: side ``p`` of the patches.
        height: ``H`` of the image to rebuild.
        width: ``W`` of the image to rebuild.

    Returns:
        Tensor ``(N, C, H, W)`` (the same as ``F.fold``).

    Raises:
        ValueError: if the patches cannot tile an ``H x W`` image (``L != (H // p) * (W // p)``,
            or ``H``, ``W``, or the last dimension not divisible as needed).
            [#unpatchify-validation]
    """
    # TODO: the same reshape/permute as patchify, in reverse.
    raise NotImplementedError


def one_hot(labels: Tensor, num_classes: int) -> Tensor:
    """One-hot encode integer labels, without ``torch.nn.functional.one_hot``.

    Args:
        labels: int64 tensor ``(N,)`` with values in ``[0, num_classes)``.
        num_classes: number of classes ``K``.

    Returns:
        float32 tensor ``(N, K)``: row ``i`` is all zeros except a 1.0 at ``labels[i]``; empty
        labels give ``(0, K)``. [#one-hot]

    Raises:
        ValueError: if a label is negative or ``>= num_classes``. [#one-hot-validation]
    """
    # TODO: compare labels with torch.arange(num_classes), or scatter ones into zeros.
    raise NotImplementedError


def pick(scores: Tensor, index: Tensor) -> Tensor:
    """Pick one score per row: ``out[i] = scores[i, index[i]]`` (the true-class logit).

    Args:
        scores: tensor ``(N, K)``.
        index: int64 tensor ``(N,)`` with values in ``[0, K)``.

    Returns:
        Tensor ``(N,)``. Beware: ``scores[:, index]`` is ``(N, N)``, not this. [#pick]
    """
    # TODO: torch.gather, or advanced indexing with torch.arange(N).
    raise NotImplementedError


def topk_accuracy(logits: Tensor, labels: Tensor, k: int = 1) -> float:
    """Fraction of rows whose label is among the ``k`` largest logits of the row.

    Args:
        logits: tensor ``(N, K)`` of class scores.
        labels: int64 tensor ``(N,)``.
        k: how many top classes count as a hit (``k=1`` is plain accuracy).

    Returns:
        A Python float in ``[0, 1]`` (the grader compares with ``torchmetrics``' multiclass
        accuracy, ``top_k=k``, ``average="micro"``). [#topk]
    """
    # TODO: Tensor.topk along the class axis, compare with the labels, average.
    raise NotImplementedError


def crop(images: Tensor, corners: Tensor, size: int) -> Tensor:
    """Crop one ``size x size`` window per image, at a different position in every image.

    ``out[i] = images[i, :, top_i : top_i + size, left_i : left_i + size]`` where
    ``(top_i, left_i) = corners[i]``, computed for the whole batch with advanced indexing
    (index tensors that broadcast to ``(N, C, size, size)``). [#crop]

    Args:
        images: tensor ``(N, C, H, W)``.
        corners: int64 tensor ``(N, 2)`` of ``(top, left)`` pixel coordinates (row first).
        size: side of the square windows.

    Returns:
        Tensor ``(N, C, size, size)`` with the dtype of ``images``. [#crop-dtype]

    Raises:
        ValueError: if any window does not lie entirely inside its image (a window that touches
            the last row or column is inside). [#crop-validation]
    """
    # TODO: build row and column index tensors from corners + torch.arange(size).
    raise NotImplementedError


def pairwise_sq_distances(a: Tensor, b: Tensor) -> Tensor:
    """Squared Euclidean distance between every row of ``a`` and every row of ``b``.

    Use ``|a - b|^2 = |a|^2 + |b|^2 - 2 a.b`` with one matrix product (no ``(N, M, D)``
    intermediate). [#distances-memory] Clamp tiny negative rounding errors to 0.

    Args:
        a: tensor ``(N, D)``.
        b: tensor ``(M, D)``.

    Returns:
        Tensor ``(N, M)``, all values ``>= 0``, equal to ``torch.cdist(a, b) ** 2`` (to 1e-6
        relative, in float64, plus the rounding of the formula: about ``1e-12 (|a|^2 + |b|^2)``
        absolute where the distance is near 0). [#distances]
    """
    # TODO: squared norms with broadcasting, minus twice a @ b.T, clamp_min(0).
    raise NotImplementedError
