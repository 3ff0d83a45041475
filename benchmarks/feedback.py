"""How long a learner waits for feedback, side by side with the floor: importing torch and timm.

Measures, in one run on the same machine, the median of ``--repeat`` runs of:

- ``python -c "import torch, timm"``: what any process that grades a week-1 exercise pays first;
- ``rxgrade check ID`` for each ID given (default: ``week1.efficientnet`` and ``week6.knn``), on
  the checkout as it is (the untouched stubs on a fresh clone), after one warm-up call: once
  with no resident worker (``RXGRADE_WORKER=off``: the CLI imports torch itself) and once served
  by the worker (:mod:`grader.worker`, started first and stopped at the end);
- ``rxgrade status`` (which shows the last grading; one warm-up call grades first if needed);

and prints each time and its ratio to the import floor. Nothing is asserted: run it on a quiet
machine (other processes make every figure worse) and compare ratios, not seconds.

    python benchmarks/feedback.py [--repeat 3] [ID ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=False)
    return time.perf_counter() - start


def median_of(command: list[str], repeat: int, env: dict[str, str]) -> tuple[float, list[float]]:
    timed(command, env)  # warm-up: file caches, and for rxgrade a first grading
    runs = [timed(command, env) for _ in range(repeat)]
    return statistics.median(runs), runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", default=["week1.efficientnet", "week6.knn"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "COLUMNS": "100"}
    off = {**env, "RXGRADE_WORKER": "off"}
    rxgrade = [sys.executable, "-m", "grader.cli"]
    floor, floor_runs = median_of([sys.executable, "-c", "import torch, timm"], args.repeat, env)
    rows = [("python -c 'import torch, timm'", floor, floor_runs)]
    for deliverable_id in args.ids:
        median, runs = median_of([*rxgrade, "check", deliverable_id], args.repeat, off)
        rows.append((f"rxgrade check {deliverable_id} (no worker)", median, runs))
    sys.path.insert(0, str(ROOT))
    from grader import worker

    worker.start(ROOT)
    try:
        if not worker.wait_until_ready(ROOT, timeout=180):
            raise SystemExit("the worker did not start: see " + str(worker.socket_path(ROOT)))
        for deliverable_id in args.ids:
            median, runs = median_of([*rxgrade, "check", deliverable_id], args.repeat, env)
            rows.append((f"rxgrade check {deliverable_id} (worker)", median, runs))
    finally:
        worker.stop(ROOT)
    median, runs = median_of([*rxgrade, "status"], args.repeat, env)
    rows.append(("rxgrade status", median, runs))
    print(f"median of {args.repeat} runs after one warm-up, on {os.cpu_count()} cores")
    print(f"{'command':<48} {'median':>8} {'vs import':>10}  runs")
    for name, median, runs in rows:
        shown = " ".join(f"{r:.2f}" for r in runs)
        print(f"{name:<48} {median:>7.2f}s {median / floor:>9.2f}x  {shown}")


if __name__ == "__main__":
    main()
