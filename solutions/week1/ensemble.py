"""Reference solution of ``week1.ensemble``: the reference system's deep ensemble."""

from rxvision.models.ensemble import Ensemble, mutual_information

__all__ = ["Ensemble", "mutual_information"]
