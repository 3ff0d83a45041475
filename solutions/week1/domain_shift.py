"""Reference solution of ``week1.domain_shift``: re-exports the reference system."""

from rxvision.evaluation.domain import adapt_batchnorm, domain_gap, split_metrics

__all__ = ["adapt_batchnorm", "domain_gap", "split_metrics"]
