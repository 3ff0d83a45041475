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
