"""Bug: preprocess_image resizes without converting to RGB (RGBA and greyscale stay as they are)."""

from pathlib import Path

from PIL import Image

from solutions.week6 import parallel_map as _solution
from solutions.week6.parallel_map import *  # noqa: F403
from solutions.week6.parallel_map import __all__  # noqa: F401


def preprocess_image(src: str | Path, dst_dir: str | Path, size: int) -> Path:
    src = Path(src)
    dst = Path(dst_dir) / f"{src.stem}.png"
    with Image.open(src) as image:
        image.resize((size, size), Image.Resampling.BILINEAR).save(dst, "PNG")
    return dst


_solution.preprocess_image = preprocess_image  # preprocess_folder looks it up there
