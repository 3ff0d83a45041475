"""Capstone: system design interview readiness (week6.capstone_design_interview).

This capstone reads the week's design work together:

- your three designs (``portfolio/design_image_classification.md``, ``design_recommendation.md``,
  ``design_realtime_pipeline.md``) must each follow the template end to end: the same checks as
  their own tests (sections, a diagram that parses and names the components, the concepts,
  estimates that hold, three explicit trade-offs), all at once; [#template]
- every estimate stated in a design must be *reproduced* by your ``week6.capacity_estimation``
  functions, through :func:`reproduce_estimates` below; [#reproduced]
- every diagram of ``portfolio/design_diagrams.md`` must match the diagram of its design
  document; [#diagrams]
- ``portfolio/failure_plans.md`` must have a row for every kind of component your designs draw.
  [#failure-plan]

The one function to write is :func:`reproduce_estimates`; :data:`PORTFOLIO` tells the grader where
your documents are (leave it as it is).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from weeks.week6 import capacity_estimation as estimation  # noqa: F401 - yours to use

__all__ = ["PORTFOLIO", "reproduce_estimates"]

#: The folder holding your written week-6 deliverables.
PORTFOLIO: Path = Path(__file__).resolve().parent / "portfolio"


def reproduce_estimates(stated: Mapping[str, float]) -> dict[str, float]:
    """Recompute a design's derived estimates from its stated inputs with your estimation drills.

    The grader parses the estimates of each design (``grader.estimates.parse_estimates``),
    converts them to the units below and calls this function with every stated value; then it
    compares each quantity you return with the value the design states (within 5 %; ``replicas``
    exactly). Use the functions of ``week6.capacity_estimation`` (imported above as
    ``estimation``), chaining your own results, never the stated intermediate values. [#chain]
    An input out of range (a negative count, ``peak_factor`` below 1, a rate outside 0-1, a
    ``replication`` or ``concurrency_per_replica`` below 1) raises the ``ValueError`` of the
    estimation function it is passed to, when the quantity it feeds is computed. [#invalid]

    Args:
        stated: the stated inputs, any subset of:

            ============================ ==========================================
            ``dau``                      daily active users
            ``requests_per_user``        requests per user per day
            ``daily_requests``           requests per day
            ``peak_factor``              peak / average (default 3 when absent) [#peak-default]
            ``cache_hit_rate``           share of requests served by the cache, 0-1
            ``latency``                  seconds per request in the model server
            ``concurrency_per_replica``  requests one replica serves at once
            ``utilisation``              target utilisation, 0-1 (default 1) [#util-default]
            ``items_per_day``            items stored per day
            ``item_size``                bytes per stored item
            ``retention``                days items are kept (default 365) [#retention-default]
            ``replication``              copies kept (default 1) [#replication-default]
            ``payload_size``             bytes per request on the network
            ============================ ==========================================

            It may also hold the stated outputs (``peak_qps``, ``replicas`` ...): ignore them.
            [#ignore-outputs]

    Returns:
        The quantities whose inputs are present, keyed by name:

        - ``daily_requests`` (per day) = ``dau x requests_per_user``, only when ``dau`` and
          ``requests_per_user`` are stated; otherwise use the stated ``daily_requests`` (and
          leave ``daily_requests`` out of the result); [#daily]
        - ``avg_qps`` and ``peak_qps`` (requests/s) from the daily requests; [#qps]
        - ``backend_qps`` (requests/s reaching the model) when ``cache_hit_rate`` is stated;
          [#backend]
        - ``replicas`` (an int) from ``latency`` and ``concurrency_per_replica`` by Little's law,
          for the load that reaches the model (``backend_qps`` if there is a cache, else
          ``peak_qps``); [#replicas]
        - ``storage`` (bytes) from ``items_per_day``, ``item_size``, ``retention`` and
          ``replication`` (scale a year's storage by ``retention / 365``); [#storage]
        - ``bandwidth`` (**bits**/s) at peak, from ``payload_size``. [#bandwidth]

        Leave out a quantity whose inputs are missing. [#missing]

    Example:
        ``reproduce_estimates({"daily_requests": 8_640_000, "peak_factor": 2, "latency": 0.05,
        "concurrency_per_replica": 4, "utilisation": 0.5})`` gives ``avg_qps`` 100, ``peak_qps``
        200 and ``replicas`` ``ceil(200 x 0.05 / (4 x 0.5))`` = 5.
    """
    # TODO: call estimation.average_qps, peak_qps, qps_from_dau, backend_qps, servers_needed,
    # storage_per_year and bandwidth, and return what the inputs allow.
    raise NotImplementedError
