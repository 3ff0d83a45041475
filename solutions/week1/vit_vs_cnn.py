"""Reference solution of ``week1.vit_vs_cnn``: the reference system's comparison harness."""

from rxvision.training.compare import compare_architectures

__all__ = ["compare_architectures"]
