"""Per day vs per year: storage_per_year forgets the 365 days."""

from solutions.week6.capacity_estimation import *  # noqa: F403
from solutions.week6.capacity_estimation import __all__  # noqa: F401


def storage_per_year(items_per_day: float, bytes_per_item: float, replication: int = 1) -> float:
    if items_per_day < 0 or bytes_per_item < 0 or replication < 1:
        raise ValueError("bad input")
    return items_per_day * bytes_per_item * replication
