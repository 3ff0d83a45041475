"""Reference solution of ``week1.preprocessing``: re-exports the reference system."""

from rxvision.data.preprocess import MEAN, STD, otsu_threshold, pill_box, pill_mask, preprocess

__all__ = ["MEAN", "STD", "otsu_threshold", "pill_box", "pill_mask", "preprocess"]
