"""Bug: topk_accuracy ignores k and always scores the argmax (top-1 accuracy)."""

from torch import Tensor

from solutions.week1.tensor_ops import *  # noqa: F403
from solutions.week1.tensor_ops import __all__  # noqa: F401


def topk_accuracy(logits: Tensor, labels: Tensor, k: int = 1) -> float:
    return (logits.argmax(dim=1) == labels).float().mean().item()
