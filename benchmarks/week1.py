"""Week 1 benchmark: eager vs TorchScript/torch.compile vs ONNX Runtime fp32/int8 vs pruned.

Usage::

    python benchmarks/week1.py            # full run (a few minutes on 2 cores)
    python benchmarks/week1.py --quick    # fewer repeats, smaller matmul (under a minute)
    python benchmarks/week1.py --train    # also time-to-accuracy of rxvision.training.recipe

Measures, in one process and side by side: the machine's fp32 matmul peak (GFLOP/s), then for the
reference model (``efficientnet_b0(num_classes=26)`` at 64 px) the p50/p95 latency at batch 1 and
the throughput at batch 32 of each configuration, as a ratio to eager and as achieved GFLOP/s
over the peak. Writes a Markdown table to ``docs/benchmarks/week1.md`` and prints it.
This is a measurement script, not a test: nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "benchmarks" / "week1.md"
IMAGE_SIZE = 64
NUM_CLASSES = 26


@dataclass
class Row:
    name: str
    p50_ms: float
    p95_ms: float
    throughput: float  # images per second at batch 32
    size_mb: float
    accuracy: float | None = None
    note: str = ""


def matmul_peak(n: int, repeats: int) -> float:
    """Best fp32 GFLOP/s of ``torch.matmul`` on two ``n x n`` matrices."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.matmul(a, b)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        torch.matmul(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def time_call(fn: Callable[[], object], warmup: int, runs: int) -> list[float]:
    """Wall seconds of ``runs`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def model_flops(model: nn.Module) -> float:
    """Forward FLOPs of one 64 px image (2 x multiply-accumulates), via torch's counter."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE))
    return float(counter.get_total_flops())


def measure(
    name: str,
    run: Callable[[np.ndarray], np.ndarray],
    size_mb: float,
    args: argparse.Namespace,
    note: str = "",
) -> Row:
    one = np.random.default_rng(0).random((1, 3, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    batch = np.random.default_rng(1).random((32, 3, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    latencies = time_call(lambda: run(one), args.warmup, args.runs)
    batch_times = time_call(lambda: run(batch), 1, args.batch_runs)
    return Row(
        name=name,
        p50_ms=1e3 * statistics.median(latencies),
        p95_ms=1e3 * float(np.percentile(latencies, 95)),
        throughput=32 / statistics.median(batch_times),
        size_mb=size_mb,
        note=note,
    )


def torch_runner(model: nn.Module) -> Callable[[np.ndarray], np.ndarray]:
    def run(x: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return model(torch.from_numpy(x)).numpy()

    return run


def ort_runner(path: Path, threads: int) -> Callable[[np.ndarray], np.ndarray]:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda x: session.run(None, {name: x})[0]


def state_dict_mb(model: nn.Module) -> float:
    return sum(t.numel() * t.element_size() for t in model.state_dict().values()) / 1e6


def compiled_row(model: nn.Module, args: argparse.Namespace) -> Row:
    """torch.compile when it works here, else TorchScript (the reason is printed)."""
    if args.quick and not args.no_compile:
        print(
            "--quick: skipping torch.compile (its first compilation alone takes 30-60 s on two "
            "cores); using TorchScript. Run without --quick to try torch.compile."
        )
    elif not args.no_compile:
        try:
            compiled = torch.compile(model)
            with torch.inference_mode():
                compiled(torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE))
            return measure("torch.compile", torch_runner(compiled), state_dict_mb(model), args)
        except Exception as exc:  # noqa: BLE001 - any backend failure means "fall back"
            print(
                f"torch.compile unavailable ({type(exc).__name__}: {str(exc)[:120]}); "
                "falling back to TorchScript"
            )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scripted = torch.jit.optimize_for_inference(
            torch.jit.trace(model, torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE))
        )
    return measure(
        "TorchScript (traced, frozen)", torch_runner(scripted), state_dict_mb(model), args
    )


def train_hook(args: argparse.Namespace) -> str:
    """Time-to-accuracy of the reference recipe, when ``rxvision.training.recipe`` exists."""
    if importlib.util.find_spec("rxvision.training") is None or (
        importlib.util.find_spec("rxvision.training.recipe") is None
    ):
        return "--train skipped: rxvision.training.recipe does not exist yet."
    from rxvision.training import recipe

    result = recipe.train()
    lines = ["| epoch | elapsed (s) | val accuracy |", "|---|---|---|"]
    for record in result.history:
        lines.append(f"| {record.epoch + 1} | {record.elapsed_s:.1f} | {record.val_accuracy:.3f} |")
    lines += ["", f"Trained in {result.wall_s:.0f} s wall, {result.cpu_s:.0f} s CPU.", ""]
    lines += ["| test split | metric | value |", "|---|---|---|"]
    for split, metrics in result.report.per_split.items():
        lines += [f"| {split} | {name} | {value:.4f} |" for name, value in metrics.items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (< ~60 s)")
    parser.add_argument("--train", action="store_true", help="time-to-accuracy of the recipe")
    parser.add_argument("--no-compile", action="store_true", help="skip torch.compile")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    args.warmup, args.runs, args.batch_runs = (3, 20, 3) if args.quick else (10, 200, 10)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    from rxvision.export.onnx import export_onnx
    from rxvision.export.prune import make_permanent, prune_model
    from rxvision.export.quantize import PillCalibrationReader, quantize_static_onnx
    from rxvision.models.efficientnet import efficientnet_b0

    peak = matmul_peak(1024 if args.quick else 2048, 3 if args.quick else 10)
    print(f"matmul peak: {peak:.1f} GFLOP/s ({args.threads} threads)")
    model = efficientnet_b0(num_classes=NUM_CLASSES).eval()
    flops = model_flops(model)

    rows = [measure("fp32 eager PyTorch", torch_runner(model), state_dict_mb(model), args)]
    rows.append(compiled_row(model, args))
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = export_onnx(model, Path(tmp) / "fp32.onnx", IMAGE_SIZE)
        rows.append(
            measure(
                "ONNX Runtime fp32", ort_runner(fp32, args.threads), fp32.stat().st_size / 1e6, args
            )
        )
        from rxvision.data import generate

        images, _ = generate(split="studio", samples_per_class=2, size=IMAGE_SIZE, seed=0)
        calibration = np.ascontiguousarray(images.transpose(0, 3, 1, 2) / np.float32(255))
        int8 = quantize_static_onnx(
            fp32, Path(tmp) / "int8.onnx", PillCalibrationReader(calibration, batch_size=16)
        )
        rows.append(
            measure(
                "ONNX Runtime int8 (static QDQ)",
                ort_runner(int8, args.threads),
                int8.stat().st_size / 1e6,
                args,
            )
        )
    pruned = make_permanent(prune_model(efficientnet_b0(num_classes=NUM_CLASSES).eval(), 0.5))
    rows.append(
        measure(
            "pruned 50% (global L1), eager",
            torch_runner(pruned),
            state_dict_mb(pruned),
            args,
            note="dense kernels: zeros are not skipped",
        )
    )

    base = rows[0]
    lines = [
        f"Machine: {platform.processor() or platform.machine()}, {args.threads} threads, "
        f"torch {torch.__version__}; matmul peak {peak:.1f} GFLOP/s; model efficientnet_b0 "
        f"(26 classes) at {IMAGE_SIZE} px, {flops / 1e6:.0f} MFLOP per image; "
        f"{args.runs} timed runs after {args.warmup} warm-up, side by side in one process.",
        "",
        "| Configuration | p50 latency b=1 (ms) | p95 latency b=1 (ms) | Speedup vs eager | "
        "Throughput b=32 (img/s) | Throughput vs eager | GFLOP/s b=32 | % of peak | Size (MB) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        achieved = row.throughput * flops / 1e9
        lines.append(
            f"| {row.name} | {row.p50_ms:.2f} | {row.p95_ms:.2f} | "
            f"{base.p50_ms / row.p50_ms:.2f}x | {row.throughput:.0f} | "
            f"{row.throughput / base.throughput:.2f}x | {achieved:.1f} | "
            f"{100 * achieved / peak:.1f}% | {row.size_mb:.2f} |"
        )
    if args.train:
        lines += ["", "Time to accuracy:", "", train_hook(args)]
    table = "\n".join(lines)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("# Week 1 benchmark\n\n" + table + "\n", encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
