"""The ``rxvision`` command line."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from rxvision.cli import app
from rxvision.data import CATALOGUE

runner = CliRunner()


def test_info_names_the_catalogue_size() -> None:
    result = runner.invoke(app, ["info"])
    assert result.exit_code == 0, result.output
    assert f"{len(CATALOGUE)} medications" in result.output


def test_data_preview_writes_a_contact_sheet(tmp_path: Path) -> None:
    out = tmp_path / "sheet.png"
    result = runner.invoke(
        app, ["data", "preview", str(out), "--split", "field", "--per-class", "2", "--size", "32"]
    )
    assert result.exit_code == 0, result.output
    assert Image.open(out).size == (2 * 32, len(CATALOGUE) * 32)


def test_data_preview_rejects_an_unknown_split(tmp_path: Path) -> None:
    result = runner.invoke(app, ["data", "preview", str(tmp_path / "x.png"), "--split", "lab"])
    assert result.exit_code == 2
    assert "studio, field" in result.output
    assert not (tmp_path / "x.png").exists()
