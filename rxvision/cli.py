"""``rxvision``: the reference system's command line (thin over the rxvision packages)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

__all__ = ["app"]

app = typer.Typer(help="RxVision25 reference system.", no_args_is_help=True)
data_app = typer.Typer(help="The synthetic pill-image data.", no_args_is_help=True)
app.add_typer(data_app, name="data")
console = Console(highlight=False)


@app.command()
def info() -> None:
    """Versions and the size of the medication catalogue."""
    import torch

    from rxvision import __version__
    from rxvision.data import CATALOGUE, SPLITS

    console.print(f"rxvision {__version__}, torch {torch.__version__}")
    console.print(f"{len(CATALOGUE)} medications; splits: {', '.join(SPLITS)}")


@data_app.command("preview")
def data_preview(
    out: Annotated[Path, typer.Argument(help="PNG file to write")] = Path("pills.png"),
    split: Annotated[str, typer.Option(help="studio or field")] = "studio",
    per_class: Annotated[int, typer.Option(min=1, max=16)] = 4,
    size: Annotated[int, typer.Option(min=32, max=256)] = 64,
    seed: int = 0,
) -> None:
    """Write a contact sheet: one row per medication, a few photographs each."""
    from rxvision.data import SPLITS
    from rxvision.data.preview import contact_sheet

    if split not in SPLITS:
        console.print(f"[red]--split must be one of {', '.join(SPLITS)}, not {split!r}[/red]")
        raise typer.Exit(2)
    contact_sheet(split, per_class=per_class, size=size, seed=seed).save(out)
    console.print(f"wrote {out}")


def _report_table(report: object) -> None:
    """Print an :class:`~rxvision.training.recipe.EvalReport` as a Rich table."""
    from rich.table import Table

    table = Table(title=f"test metrics (temperature {report.temperature:.3f})")  # type: ignore[attr-defined]
    for column in ("split", "n", "top-1", "NLL", "NLL (T)", "ECE", "ECE (T)"):
        table.add_column(column, justify="right")
    for split, m in report.per_split.items():  # type: ignore[attr-defined]
        table.add_row(
            split,
            f"{m['n']:.0f}",
            f"{m['accuracy']:.2%}",
            f"{m['nll']:.3f}",
            f"{m['nll_scaled']:.3f}",
            f"{m['ece']:.3f}",
            f"{m['ece_scaled']:.3f}",
        )
    console.print(table)


@app.command()
def train(
    out_dir: Annotated[Path, typer.Option(help="Where model.pt and metrics.json go")] = Path(
        "runs/reference"
    ),
    data_dir: Annotated[Path, typer.Option(help="Cache of generated images")] = Path("data"),
    epochs: Annotated[int | None, typer.Option(min=1, help="Default: the recipe's")] = None,
    train_per_class: Annotated[int | None, typer.Option(min=1)] = None,
    max_size: Annotated[int | None, typer.Option(min=16, help="Final training size (px)")] = None,
    threads: Annotated[int, typer.Option(min=1)] = 2,
    seed: int = 0,
) -> None:
    """Train the reference model (progressive resizing, augmentation, temperature scaling)."""
    import dataclasses

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from rxvision.training.recipe import TrainConfig
    from rxvision.training.recipe import train as run

    config = TrainConfig(out_dir=out_dir, data_dir=data_dir, threads=threads, seed=seed)
    overrides = {"epochs": epochs, "train_per_class": train_per_class, "max_size": max_size}
    config = dataclasses.replace(config, **{k: v for k, v in overrides.items() if v is not None})
    columns = (
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        "{task.fields[info]}",
    )
    with Progress(*columns, console=console) as bar:
        tasks: dict[str, object] = {}

        def progress(stage: str, done: int, total: int, info: dict[str, float]) -> None:
            if stage not in tasks:
                label = "generating data" if stage == "data" else "training"
                tasks[stage] = bar.add_task(label, total=total, info="")
            text = ""
            if stage == "epoch":
                text = (
                    f"{info['size']:.0f}px loss {info['train_loss']:.3f} "
                    f"val {info['val_loss']:.3f} / {info['val_accuracy']:.2%}"
                )
            bar.update(tasks[stage], completed=done, info=text)  # type: ignore[arg-type]

        result = run(config, progress=progress)
    _report_table(result.report)
    console.print(
        f"wall {result.wall_s:.0f}s (data {result.data_s:.0f}s), CPU {result.cpu_s:.0f}s; "
        f"wrote {result.model_path} and {result.metrics_path}"
    )


@app.command()
def evaluate(
    model_path: Annotated[Path, typer.Argument(help="model.pt written by `rxvision train`")],
    data_dir: Annotated[Path | None, typer.Option(help="Cache of generated images")] = None,
    refit_temperature: Annotated[
        bool, typer.Option(help="Fit the temperature again on the validation subsets")
    ] = False,
) -> None:
    """Report top-1, NLL and ECE on the test subsets of a trained model."""
    import dataclasses

    from rxvision.training.recipe import evaluate as run
    from rxvision.training.recipe import load_model

    if not model_path.exists():
        console.print(f"[red]no such file: {model_path}[/red]")
        raise typer.Exit(2)
    model, config, temperature = load_model(model_path)
    if data_dir is not None:
        config = dataclasses.replace(config, data_dir=data_dir)
    with console.status("evaluating"):
        report = run(model, config, temperature=None if refit_temperature else temperature)
    _report_table(report)


@app.command()
def export(
    model_path: Annotated[Path, typer.Argument(help="model.pt written by `rxvision train`")],
    out: Annotated[Path, typer.Argument(help="ONNX file to write")] = Path("model.onnx"),
) -> None:
    """Export a trained model to ONNX (dynamic batch) and check it against PyTorch."""
    from rxvision.export.onnx import export_onnx, verify_onnx
    from rxvision.training.recipe import load_model

    if not model_path.exists():
        console.print(f"[red]no such file: {model_path}[/red]")
        raise typer.Exit(2)
    model, config, _ = load_model(model_path)
    with console.status("exporting"):
        export_onnx(model, out, image_size=config.eval_size)
        diffs = verify_onnx(model, out, image_size=config.eval_size)
    worst = max(diffs.values())
    console.print(f"wrote {out} ({config.eval_size}px input); max |onnx - torch| = {worst:.2e}")
