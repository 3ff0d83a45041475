"""RxVision25: the reference medication-image classification system."""

__version__ = "0.1.0"
