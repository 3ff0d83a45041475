# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Knowledge distillation experiment
#
# A pharmacy chain has a good pill classifier (the *teacher*), too big for the phones of its
# staff, and wants a tiny *student*. The student team has labelled only **one photograph per
# medication**, but it has plenty of unlabelled shelf photographs, and the teacher can label
# them, softly: Hinton's distillation (`weeks/week1/distillation.py`) trains the student to match
# the teacher's softened probabilities.
#
# 1. train the teacher (a wider CNN) briefly on its own labelled photographs;
# 2. train the student **alone** on the 26 labelled photographs (cross-entropy);
# 3. train the **same** student (same seed, same steps, same batch size) by **distillation** on
#    the labelled and unlabelled photographs, with the teacher's soft targets;
# 4. compare test accuracy and size.
#
# The grader runs this file headless and checks `results.json`: the distilled student must beat
# the student trained alone by at least 10 points of accuracy on held-out test photographs, and
# the teacher must beat the student alone too. [#kd-beats-alone]

# %%
import json
from pathlib import Path

import torch
import torch.nn.functional as F  # noqa: F401 (parts 1 and 2)
from torch import nn

from rxvision.data import CLASS_NAMES, generate
from weeks.week1.distillation import distillation_loss  # noqa: F401 (part 2)

torch.set_num_threads(1)  # these convolutions are tiny: one thread is faster than two
SEED = 0
SIZE = 32
NUM_CLASSES = len(CLASS_NAMES)
TEACHER_PER_CLASS, LABELLED_PER_CLASS, UNLABELLED_PER_CLASS, TEST_PER_CLASS = 10, 1, 8, 4
TEACHER_STEPS, STUDENT_STEPS, BATCH_SIZE = 100, 150, 32
TEACHER_LR, STUDENT_LR = 3e-3, 1e-2
TEMPERATURE, ALPHA = 2.0, 1.0  # alpha = 1: the unlabelled photographs have no hard label


def load(subset: str | None, per_class: int) -> tuple[torch.Tensor, torch.Tensor]:
    images, labels = generate(
        "studio", samples_per_class=per_class, size=SIZE, seed=SEED, subset=subset
    )
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255
    return x, torch.from_numpy(labels)


x_teacher, y_teacher = load("train", TEACHER_PER_CLASS)
x_labelled, y_labelled = x_teacher[:NUM_CLASSES], y_teacher[:NUM_CLASSES]  # one per class
x_unlabelled, _ = load(None, UNLABELLED_PER_CLASS)  # labels thrown away
x_transfer = torch.cat([x_labelled, x_unlabelled])
x_test, y_test = load("test", TEST_PER_CLASS)
print(
    f"teacher data {len(x_teacher)}, student labelled {len(x_labelled)}, transfer set "
    f"{len(x_transfer)}, test {len(x_test)} ({SIZE} px)"
)


def cnn(width: int) -> nn.Sequential:
    """Three stride-2 conv blocks on the image pooled to SIZE / 2, global pooling, a linear head."""
    layers: list[nn.Module] = [nn.AvgPool2d(2)]
    channels = 3
    for out in (width, 2 * width, 4 * width):
        layers += [nn.Conv2d(channels, out, 3, 2, 1), nn.BatchNorm2d(out), nn.ReLU()]
        channels = out
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, NUM_CLASSES)]
    return nn.Sequential(*layers)


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    return (model(x).argmax(1) == y).float().mean().item()


results: dict = {"seed": SEED, "image_size": SIZE, "temperature": TEMPERATURE, "alpha": ALPHA}

# %% [markdown]
# ## 1. The teacher
#
# The teacher is a CNN of width 12: 12-24-48 channels. [#teacher-width] It is trained for
# `TEACHER_STEPS` AdamW steps on its ten labelled photographs per class, with random quarter-turn
# rotations (pills lie in any orientation; a flip would mirror the imprint), and must end well
# above chance on the test photographs. [#teacher-trained] Then it is frozen: eval mode, no
# gradients.

# %%
# TODO: torch.manual_seed(SEED), teacher = cnn(12); AdamW(lr=TEACHER_LR, weight_decay=0.01);
# TEACHER_STEPS steps in train mode on batches of BATCH_SIZE random indices of x_teacher drawn
# with a torch.Generator seeded with SEED, each batch turned by a random number of quarter turns
# (torch.rot90(batch, k, (2, 3))), cross-entropy. Then freeze it: teacher.eval() and
# teacher.requires_grad_(False). Fill results["teacher"] = {"acc": accuracy on the test set,
# "params": count_params(teacher)}. [#teacher-results]
raise NotImplementedError("part 1: train the teacher")


# %% [markdown]
# ## 2. and 3. The student, alone and distilled
#
# One function trains a fresh student of width 8: 8-16-32 channels. [#student-width] Both runs
# start from the same seed and take the same number of steps of the same batch size.
# [#same-budget] Alone, the student sees only the 26 labelled photographs, with cross-entropy.
# [#alone-labelled] Distilled, it sees the transfer set (the labelled and the unlabelled
# photographs) and learns the teacher's softened probabilities with `distillation_loss`
# (`alpha = 1`: only the soft term; the targets argument gets the teacher's top-1, unused).
# [#kd-transfer]


# %%
def train_student(distill: bool) -> nn.Module:
    """A fresh cnn(8) trained from SEED for STUDENT_STEPS steps of BATCH_SIZE: on x_labelled with
    cross-entropy (distill=False), or on x_transfer with distillation_loss(student logits,
    teacher logits computed under no_grad, the teacher's argmax, TEMPERATURE, ALPHA). [#kd-loss]
    """
    # TODO: the same seed, generator, optimiser (AdamW, lr=STUDENT_LR, weight_decay=0.01) and
    # number of steps for both runs; only the data and the loss differ.
    raise NotImplementedError("part 2: train a student")


# TODO: for ("student_alone", False) and ("student_kd", True): train, then fill results[name] =
# {"acc": test accuracy, "params", "steps": STUDENT_STEPS, "batch_size": BATCH_SIZE,
#  "agreement": how often the student's top-1 equals the teacher's on x_unlabelled, i.e.
#  accuracy(student, x_unlabelled, the teacher's top-1 on x_unlabelled)}. [#student-results]
# The distilled student learnt from the teacher on exactly those photographs, so it agrees with
# it far more often than the student alone: at least 40 points more. [#agreement]
raise NotImplementedError("part 3: both students")

# %% [markdown]
# ## 4. Results
#
# The distilled student should close much of the gap to the teacher, with less than half of its
# parameters. [#smaller-student] The grader reads `results.json`; this cell checks that every
# part filled its entries.

# %%
required = ("teacher", "student_alone", "student_kd")
missing = [key for key in required if key not in results]
assert not missing, f"fill results[...] for {missing} in the cells above"
gain = results["student_kd"]["acc"] - results["student_alone"]["acc"]
print(f"distillation gain: {gain:+.1%} test accuracy")
Path("results.json").write_text(json.dumps(results, indent=2))
