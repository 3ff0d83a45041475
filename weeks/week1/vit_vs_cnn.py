"""ViT vs CNN on a small data budget: an experiment harness that changes only the architecture.

Dosovitskiy et al., "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
ICLR 2021, https://arxiv.org/abs/2010.11929 (section 4.3, figure 3): trained on ImageNet alone a
ViT loses to a ResNet of similar size; it wins only after pre-training on 14-300 M images. A
convolution builds in *inductive biases* (locality: a pixel's neighbours matter most;
translation equivariance: the same filter everywhere), which self-attention has to learn from
data. So the question this harness answers is one of **data efficiency**: how does each
architecture's accuracy grow with the number of training images per class, and how well does it
hold up on the harder field photographs?

A comparison is only worth something if the architecture is the ONLY thing that changes. For
every cell (model, train size) you train a fresh model with the same optimiser, learning-rate
schedule, number of steps and sequence of batches, and evaluate it on images it never saw. The
grader checks each of these with spies (``weeks/week1/tests/test_vit_vs_cnn.py``).

Your ``week1.architecture_comparison`` report runs this harness on a small budget and analyses
the table it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from torch import Tensor, nn

__all__ = ["compare_architectures"]


def compare_architectures(
    models: Mapping[str, Callable[[], nn.Module]],
    train_sizes: Sequence[int],
    *,
    n_steps: int = 100,
    batch_size: int = 32,
    lr: float = 1e-3,
    weight_decay: float = 0.05,
    seed: int = 0,
    image_size: int = 32,
    eval_per_class: int = 20,
    data: Callable[[str, str, int, int], tuple[Tensor, Tensor]] | None = None,
) -> list[dict[str, Any]]:
    """Train every model on every training-set size under one budget; return a tidy table.

    **Data.** ``data(split, subset, per_class, size)`` returns ``(images, labels)``: uint8 images
    ``(N, 3, size, size)`` and int64 labels ``(N,)``. The default (``data=None``) renders the
    synthetic pills with data seed 0::

        from rxvision.data import generate
        images, labels = generate(split, samples_per_class=per_class, size=size, seed=0,
                                  subset=subset)  # NumPy (N, size, size, 3) uint8 and (N,)
        images = torch.from_numpy(images).permute(0, 3, 1, 2)  # -> (N, 3, size, size)

    (``rxvision.training.recipe.load_split(split, subset, per_class, size, None)`` does the same.)
    [#default-data]

    The ``"train"``, ``"val"`` and ``"test"`` subsets are disjoint sample streams. Ask for

    - training images with ``data("studio", "train", train_size, image_size)``, once per train
      size; [#train-data]
    - test images with ``data(split, "test", eval_per_class, image_size)`` for ``split`` in
      ``("studio", "field")``. [#test-data] Never evaluate on the ``"train"`` subset: a model
      that memorised its training images would look perfect. [#no-leak]

    Convert images to floats with ``x.float() / 255`` and normalise them with ImageNet's mean and
    std (``rxvision.data.preprocess.MEAN`` / ``STD``); [#normalise] feed them at ``image_size`` as
    they are, no resizing and no augmentation (the grader reads the images your models receive).
    [#as-is]

    **For every cell**, train sizes in the outer loop and models in mapping order: [#order]

    1. ``torch.manual_seed(seed)`` right before ``model = factory()``: a NEW model for every cell
       (never continue training a model from a smaller train size), [#fresh-model] initialised
       identically for a given architecture. [#seeded-init]
    2. ``params``: the number of trainable elements, ``sum(p.numel() for p in
       model.parameters() if p.requires_grad)`` (no buffers such as BatchNorm statistics, no
       frozen parameters). [#params]
    3. ``n_steps`` optimiser steps in train mode (``model.train()``): [#train-steps] AdamW over
       the trainable parameters with ``lr`` and ``weight_decay``, [#adamw] and the same
       learning-rate schedule for every model (the reference warms up linearly over
       ``n_steps // 10`` steps, then decays with a cosine:
       ``rxvision.training.optim.warmup_cosine_scheduler``). [#schedule] Each step takes a batch
       of ``batch_size`` training images, [#batch-size] cross-entropy loss, [#cross-entropy]
       ``zero_grad``, ``backward``, ``step``. [#zero-grad] The batch order comes from
       ``torch.Generator().manual_seed(seed)`` (e.g. concatenated ``torch.randperm(n,
       generator=g)`` passes cut into batches), NOT from torch's global generator, whose state
       depends on how many random numbers the model's initialisation drew: every model of a
       train size must see exactly the same batches. [#same-batches]
    4. Evaluation: ``model.eval()`` (dropout off, BatchNorm on its running statistics) and
       ``torch.no_grad()``, [#eval-mode] in batches of ``batch_size``; [#eval-batches] accuracy =
       correct images / all images of the split (not the mean of per-batch accuracies: the last
       batch may be smaller). [#accuracy]

    Args:
        models: name -> zero-argument factory that returns a fresh classifier for
            ``image_size`` images, e.g. ``{"vit": lambda: VisionTransformer(...)}``.
        train_sizes: studio training images per class, e.g. ``(5, 20, 80)``.
        n_steps: optimiser steps per cell.
        batch_size: images per training step and per evaluation batch.
        lr: peak AdamW learning rate.
        weight_decay: AdamW weight decay.
        seed: seeds every model's initialisation and the batch order. [#seed]
        image_size: side of the images asked from ``data``.
        eval_per_class: test images per class, for each split.
        data: the image source described above; ``None`` for the synthetic pills.

    Returns:
        One dict per (train size, model), ``len(train_sizes) * len(models)`` rows: [#rows]
        ::

            {"model": "vit", "train_size": 5, "params": 33082,
             "acc_studio": 0.31, "acc_field": 0.12, "train_seconds": 4.2}

        ``acc_studio`` / ``acc_field`` are fractions in ``[0, 1]`` on the test subsets;
        [#fractions] ``train_seconds`` is the wall time of the training steps. [#train-seconds]
        Two calls with the same arguments return the same rows (except ``train_seconds``).
        [#deterministic]

    Raises:
        ValueError: ``models`` or ``train_sizes`` empty, [#empty] or a train size, ``n_steps``,
            ``batch_size`` or ``eval_per_class`` that is not an int >= 1. [#counts]
    """
    # TODO: load the test subsets once, then for each train size load its training images and,
    # for each model, seed -> build -> count params -> train n_steps -> evaluate both splits.
    raise NotImplementedError
