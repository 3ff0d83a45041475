"""Reference solution of ``week1.temperature_scaling``: re-exports the reference system."""

from rxvision.evaluation.calibration import TemperatureScaler, fit_temperature

__all__ = ["TemperatureScaler", "fit_temperature"]
