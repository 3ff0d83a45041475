"""gpu_batch_throughput forgets the fixed launch overhead (batching looks useless)."""

from solutions.week6.capacity_estimation import *  # noqa: F403
from solutions.week6.capacity_estimation import __all__  # noqa: F401


def gpu_batch_throughput(
    batch_size: int, overhead_s: float, per_item_s: float, gpus: int = 1
) -> float:
    if batch_size <= 0 or gpus <= 0 or overhead_s < 0 or per_item_s <= 0:
        raise ValueError("bad input")
    return gpus * batch_size / (batch_size * per_item_s)
