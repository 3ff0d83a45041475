"""A medication value object and a catalogue container: dunder protocols done right.

Reference solution of the drill ``week6.classes_objects`` (the prompt is the stub's docstring).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from numbers import Real
from typing import Any, Self

__all__ = ["Catalogue", "Medication"]

_NDC = re.compile(
    r"[0-9]{4}-[0-9]{4}-[0-9]{2}"  # 4-4-2
    r"|[0-9]{5}-[0-9]{3}-[0-9]{2}"  # 5-3-2
    r"|[0-9]{5}-[0-9]{4}-[0-9]{1,2}"  # 5-4-1 and 5-4-2
)


@functools.total_ordering
class Medication:
    """An immutable medication identified by its NDC code, sorted by name."""

    __slots__ = ("_name", "_ndc", "_strength_mg")

    def __init__(self, ndc: str, name: str, strength_mg: float) -> None:
        if not self.is_valid_ndc(ndc):
            raise ValueError(
                f"invalid NDC code {ndc!r}: expected digits grouped 4-4-2, 5-3-2, 5-4-1 or 5-4-2"
            )
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        if (
            isinstance(strength_mg, bool)
            or not isinstance(strength_mg, Real)
            or not math.isfinite(strength_mg)
            or strength_mg <= 0
        ):
            raise ValueError(f"strength_mg must be a finite number > 0, got {strength_mg!r}")
        self._ndc = self.normalize_ndc(ndc)
        self._name = name.strip()
        self._strength_mg = float(strength_mg)

    @property
    def ndc(self) -> str:
        """The NDC code in the 11-digit 5-4-2 form, e.g. ``'00002-1433-80'``."""
        return self._ndc

    @property
    def name(self) -> str:
        return self._name

    @property
    def strength_mg(self) -> float:
        return self._strength_mg

    @staticmethod
    def is_valid_ndc(code: object) -> bool:
        """Whether ``code`` is an NDC string grouped 4-4-2, 5-3-2, 5-4-1 or 5-4-2."""
        return isinstance(code, str) and _NDC.fullmatch(code) is not None

    @staticmethod
    def normalize_ndc(code: str) -> str:
        """The 11-digit 5-4-2 form: pad the short group with a leading zero."""
        if not Medication.is_valid_ndc(code):
            raise ValueError(f"invalid NDC code {code!r}")
        labeler, product, package = code.split("-")
        return f"{labeler:0>5}-{product:0>4}-{package:0>2}"

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Self:
        """Build from a mapping with keys ``ndc``, ``name``, ``strength_mg`` (strings are fine)."""
        missing = [key for key in ("ndc", "name", "strength_mg") if key not in record]
        if missing:
            raise ValueError(f"record is missing {', '.join(missing)}: {dict(record)!r}")
        try:
            strength = float(record["strength_mg"])
        except (TypeError, ValueError):
            raise ValueError(f"strength_mg is not a number: {record['strength_mg']!r}") from None
        return cls(str(record["ndc"]).strip(), str(record["name"]), strength)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Medication):
            return NotImplemented
        return self._ndc == other._ndc

    def __hash__(self) -> int:
        return hash(self._ndc)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Medication):
            return NotImplemented
        return (self._name.casefold(), self._ndc) < (other._name.casefold(), other._ndc)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(ndc={self._ndc!r}, name={self._name!r}, "
            f"strength_mg={self._strength_mg!r})"
        )


class Catalogue:
    """Medications by NDC code, in insertion order: ``len``, iteration, ``in`` and ``[code]``."""

    def __init__(self, medications: Iterable[Medication] = ()) -> None:
        self._items: dict[str, Medication] = {}
        for medication in medications:
            self.add(medication)

    def add(self, medication: Medication) -> None:
        """Add ``medication``; ``TypeError`` if not a Medication, ``ValueError`` if code taken."""
        if not isinstance(medication, Medication):
            kind = type(medication).__name__
            raise TypeError(f"a Catalogue holds Medication objects, got {kind}")
        if medication.ndc in self._items:
            raise ValueError(f"NDC {medication.ndc} is already in the catalogue")
        self._items[medication.ndc] = medication

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Medication]:
        return iter(self._items.values())

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Medication):
            return item.ndc in self._items
        if Medication.is_valid_ndc(item):
            return Medication.normalize_ndc(item) in self._items  # type: ignore[arg-type]
        return False

    def __getitem__(self, code: str) -> Medication:
        if Medication.is_valid_ndc(code):
            normalized = Medication.normalize_ndc(code)
            if normalized in self._items:
                return self._items[normalized]
        raise KeyError(f"no medication with NDC {code!r}")
