"""How long a learner waits for feedback, side by side with the floor: importing torch and timm.

Measures, in one run on the same machine, the median of ``--repeat`` runs of:

- ``python -c "import torch, timm"``: what any process that grades a week-1 exercise pays first;
- ``rxgrade check ID`` for each ID given (default: ``week1.efficientnet`` and ``week6.knn``), on
  the checkout as it is (the untouched stubs on a fresh clone), after one warm-up call: once
  with no resident worker (``RXGRADE_WORKER=off``: the CLI imports torch itself) and once served
  by the worker (:mod:`grader.worker`, started first and stopped at the end);
- ``rxgrade status`` (which shows the last grading; one warm-up call grades first if needed);

and prints each time and its ratio to the import floor. With ``--per-exercise`` it also grades
every ready exercise once, each in its own forked child as ``rxgrade status --regrade`` does
(torch and timm imported once first), and prints the time per exercise: on the untouched stubs
that is what a "not started" costs, which should be well under a second per test file. Nothing
is asserted: run it on a quiet machine (other processes make every figure worse) and compare
ratios, not seconds.

    python benchmarks/feedback.py [--repeat 3] [--per-exercise] [ID ...]
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
    parser.add_argument("--per-exercise", action="store_true", help="time every exercise too")
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
    if args.per_exercise:
        per_exercise()


def per_exercise() -> None:
    """Grade every ready exercise once, one forked child each, and print the times."""
    from grader import isolate, manifest

    curriculum = manifest.load(ROOT)
    ready = [d for d in curriculum if not d.planned]
    warm = isolate.warm((*isolate.WARM_MODULES, *isolate.WARM_MORE))
    start = time.perf_counter()
    runs = isolate.run_exercises(
        ROOT, ready, args=["--target=learner", "-q", "--rxgrade-summary=no", "--color=no"]
    )
    total = time.perf_counter() - start
    by_time = sorted(runs, key=lambda r: r.seconds, reverse=True)
    outcomes = {o for r in runs for o in (t.outcome for t in r.tests)}
    print(
        f"\nevery ready exercise, one child each after a {warm:.1f} s warm-up: {len(runs)} "
        f"exercises in {total:.1f} s, median {statistics.median(r.seconds for r in runs):.2f} s "
        f"(test outcomes seen: {', '.join(sorted(outcomes))})"
    )
    print("slowest:")
    for run in by_time[:10]:
        print(f"  {run.id:<40} {run.seconds:>6.2f}s  {len(run.tests)} tests")


if __name__ == "__main__":
    main()
