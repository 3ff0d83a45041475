"""Week 1 benchmark: eager vs TorchScript/torch.compile vs ONNX Runtime fp32/int8 vs pruned.

Usage::

    python benchmarks/week1.py            # full run (a few minutes on 2 cores)
    python benchmarks/week1.py --quick    # fewer repeats, smaller matmul (under a minute)
    python benchmarks/week1.py --model runs/reference/model.pt   # a trained reference model
    python benchmarks/week1.py --train    # train the reference recipe first (time-to-accuracy)

Measures, in one process and side by side: the machine's fp32 matmul peak (GFLOP/s), then for one
model the p50/p95 latency at batch 1 and the throughput at batch 32 of each configuration, as a
ratio to eager and as achieved GFLOP/s over the peak. The model is the trained reference model
(``--model`` or ``--train``; then every configuration's top-1 accuracy on the studio and field
test subsets is measured too, at the model's evaluation size) or, without either, an untrained
``efficientnet_b0(num_classes=26)`` at 64 px (speed only). Writes a Markdown table to
``docs/benchmarks/week1.md`` and prints it.
This is a measurement script, not a test: nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import copy
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
NUM_CLASSES = 26
TIME_TO_ACCURACY = (0.90, 0.95)  # validation accuracies whose first epoch is reported


@dataclass
class Row:
    name: str
    p50_ms: float
    p95_ms: float
    throughput: float  # images per second at batch 32
    size_mb: float
    accuracy: dict[str, float] | None = None  # test split -> top-1
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


def model_flops(model: nn.Module, size: int) -> float:
    """Forward FLOPs of one ``size`` px image (2 x multiply-accumulates), via torch's counter."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    return float(counter.get_total_flops())


def measure(
    name: str,
    run: Callable[[np.ndarray], np.ndarray],
    size_mb: float,
    args: argparse.Namespace,
    note: str = "",
) -> Row:
    size = args.image_size
    one = np.random.default_rng(0).random((1, 3, size, size), dtype=np.float32)
    batch = np.random.default_rng(1).random((32, 3, size, size), dtype=np.float32)
    latencies = time_call(lambda: run(one), args.warmup, args.runs)
    batch_times = time_call(lambda: run(batch), 1, args.batch_runs)
    return Row(
        name=name,
        p50_ms=1e3 * statistics.median(latencies),
        p95_ms=1e3 * float(np.percentile(latencies, 95)),
        throughput=32 / statistics.median(batch_times),
        size_mb=size_mb,
        accuracy=None if args.test_sets is None else top1(run, args.test_sets),
        note=note,
    )


def top1(run: Callable[[np.ndarray], np.ndarray], test_sets: dict[str, tuple]) -> dict[str, float]:
    """Top-1 accuracy of ``run`` on each normalised test set, in batches of 32."""
    out = {}
    for split, (x, y) in test_sets.items():
        preds = np.concatenate([run(x[i : i + 32]).argmax(1) for i in range(0, len(x), 32)])
        out[split] = float((preds == y).mean())
    return out


def load_test_sets(config: object) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The recipe's test subsets as normalised float32 NCHW arrays and int labels."""
    from rxvision.training.recipe import TensorLoader, load_split

    sets = {}
    for split in config.splits:
        x, y = load_split(split, "test", config.test_per_class, config.eval_size, config.data_dir)
        loader = TensorLoader(x, y, batch_size=len(y), size=config.eval_size)
        images, labels = next(iter(loader))
        sets[split] = (np.ascontiguousarray(images.numpy()), labels.numpy())
    return sets


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
                compiled(torch.zeros(1, 3, args.image_size, args.image_size))
            return measure("torch.compile", torch_runner(compiled), state_dict_mb(model), args)
        except Exception as exc:  # noqa: BLE001 - any backend failure means "fall back"
            print(
                f"torch.compile unavailable ({type(exc).__name__}: {str(exc)[:120]}); "
                "falling back to TorchScript"
            )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scripted = torch.jit.optimize_for_inference(
            torch.jit.trace(model, torch.zeros(1, 3, args.image_size, args.image_size))
        )
    return measure(
        "TorchScript (traced, frozen)", torch_runner(scripted), state_dict_mb(model), args
    )


def train_reference(args: argparse.Namespace) -> tuple[Path, list[str]]:
    """Train the reference recipe; its ``model.pt`` and time-to-accuracy lines."""
    from rxvision.training import recipe

    config = recipe.TrainConfig(threads=args.threads)
    result = recipe.train(config)
    lines = [
        f"Reference recipe (`rxvision train`): trained in {result.wall_s:.0f} s wall "
        f"({result.cpu_s:.0f} s CPU; generating the data took {result.data_s:.0f} s of the wall "
        "time).",
        "",
        "| validation accuracy | first reached after | at epoch |",
        "|---|---|---|",
    ]
    for target in TIME_TO_ACCURACY:
        first = next((r for r in result.history if r.val_accuracy >= target), None)
        lines.append(
            f"| {target:.0%} | {first.elapsed_s:.0f} s | {first.epoch + 1} |"
            if first
            else f"| {target:.0%} | not reached | |"
        )
    lines += [
        "",
        "| test split | top-1 | ECE | ECE after temperature scaling |",
        "|---|---|---|---|",
    ]
    for split, m in result.report.per_split.items():
        lines.append(f"| {split} | {m['accuracy']:.2%} | {m['ece']:.4f} | {m['ece_scaled']:.4f} |")
    lines.append(f"\nTemperature fitted on validation: {result.report.temperature:.3f}.")
    assert result.model_path is not None
    return result.model_path, lines


def reference_model(args: argparse.Namespace) -> tuple[nn.Module, str, list[str]]:
    """The model to measure, its description, and the training lines (``--train`` only)."""
    from rxvision.models.efficientnet import efficientnet_b0

    trained: list[str] = []
    path = args.model
    if args.train:
        path, trained = train_reference(args)
    if path is None:
        args.image_size, args.test_sets, args.calibration = 64, None, None
        model = efficientnet_b0(num_classes=NUM_CLASSES).eval()
        return model, "untrained efficientnet_b0 (26 classes, speed only)", trained

    from rxvision.training.recipe import TensorLoader, load_model, load_split

    model, config, _ = load_model(path)
    model = model.to(memory_format=torch.contiguous_format)  # the layout every runner gets
    args.image_size = config.eval_size
    args.test_sets = load_test_sets(config)
    x, y = load_split("studio", "val", 4, config.eval_size, config.data_dir)
    fx, fy = load_split("field", "val", 4, config.eval_size, config.data_dir)
    n, size = len(y) + len(fy), config.eval_size
    loader = TensorLoader(torch.cat([x, fx]), torch.cat([y, fy]), batch_size=n, size=size)
    args.calibration = np.ascontiguousarray(next(iter(loader))[0].numpy())
    params = sum(p.numel() for p in model.parameters())
    described = (
        f"trained reference model `{path}` (EfficientNet width {config.width_mult}, depth "
        f"{config.depth_mult}, {params / 1e6:.2f} M parameters)"
    )
    return model, described, trained


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (< ~60 s)")
    parser.add_argument("--model", type=Path, help="a model.pt of `rxvision train`")
    parser.add_argument("--train", action="store_true", help="train the reference recipe first")
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

    model, described, trained = reference_model(args)
    peak = matmul_peak(1024 if args.quick else 2048, 3 if args.quick else 10)
    print(f"matmul peak: {peak:.1f} GFLOP/s ({args.threads} threads)")
    flops = model_flops(model, args.image_size)

    # a discarded first pass: the first configuration measured would also pay the process's
    # warm-up (allocator, oneDNN primitive caches), which made eager look slower than it is
    eager = torch_runner(model)
    time_call(lambda: eager(np.zeros((32, 3, args.image_size, args.image_size), np.float32)), 2, 10)
    rows = [measure("fp32 eager PyTorch", eager, state_dict_mb(model), args)]
    rows.append(compiled_row(model, args))
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = export_onnx(model, Path(tmp) / "fp32.onnx", args.image_size)
        rows.append(
            measure(
                "ONNX Runtime fp32", ort_runner(fp32, args.threads), fp32.stat().st_size / 1e6, args
            )
        )
        calibration = args.calibration
        if calibration is None:
            from rxvision.data import generate

            images, _ = generate(split="studio", samples_per_class=2, size=args.image_size)
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
    pruned = make_permanent(prune_model(copy.deepcopy(model), 0.5))
    rows.append(
        measure(
            "pruned 50% (global L1, no fine-tuning), eager",
            torch_runner(pruned),
            state_dict_mb(pruned),
            args,
            note="dense kernels: zeros are not skipped",
        )
    )

    base = rows[0]
    splits = list(base.accuracy or {})
    lines = [
        f"Machine: {platform.processor() or platform.machine()}, {args.threads} threads, "
        f"torch {torch.__version__}; matmul peak {peak:.1f} GFLOP/s; model: {described}, at "
        f"{args.image_size} px, {flops / 1e6:.0f} MFLOP per image; {args.runs} timed runs after "
        f"{args.warmup} warm-up, side by side in one process.",
        "",
        "| Configuration | p50 latency b=1 (ms) | p95 latency b=1 (ms) | Speedup vs eager | "
        "Throughput b=32 (img/s) | Throughput vs eager | GFLOP/s b=32 | % of peak | Size (MB) |"
        + "".join(f" Top-1 {split} |" for split in splits),
        "|---|---|---|---|---|---|---|---|---|" + "---|" * len(splits),
    ]
    for row in rows:
        achieved = row.throughput * flops / 1e9
        lines.append(
            f"| {row.name} | {row.p50_ms:.2f} | {row.p95_ms:.2f} | "
            f"{base.p50_ms / row.p50_ms:.2f}x | {row.throughput:.0f} | "
            f"{row.throughput / base.throughput:.2f}x | {achieved:.1f} | "
            f"{100 * achieved / peak:.1f}% | {row.size_mb:.2f} |"
            + "".join(f" {row.accuracy[split]:.2%} |" for split in splits)
        )
    if trained:
        lines += ["", "## Time to accuracy", "", *trained]
    table = "\n".join(lines)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("# Week 1 benchmark\n\n" + table + "\n", encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
