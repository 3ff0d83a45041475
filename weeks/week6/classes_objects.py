"""Drill (20 min): classes, objects and methods for a medication catalogue.

RxVision's labels are medications. Write a small *value object* for one medication and a
*container* for many, with the dunder methods that make them behave like built-in types.

**NDC codes.** A US National Drug Code is three groups of digits joined by hyphens:
labeler-product-package, grouped ``4-4-2``, ``5-3-2`` or ``5-4-1`` (10 digits), or ``5-4-2``
(the 11-digit billing form). [#ndc-formats] Nothing else is valid: no spaces, no missing hyphens,
no trailing newline, ASCII digits ``0-9`` only. [#ndc-strict] The 11-digit form of a 10-digit
code pads the short group with a leading zero: ``0002-1433-80 -> 00002-1433-80``,
``50090-347-01 -> 50090-0347-01``, ``12345-6789-1 -> 12345-6789-01``. [#normalize] Two codes
name the same product if their 11-digit forms match. [#same-product]

``Medication(ndc, name, strength_mg)``:

- ``is_valid_ndc(code) -> bool``: a **staticmethod** (callable on the class or an instance).
  [#staticmethod] Any non-string gives ``False``. [#non-string] ``normalize_ndc(code) -> str``: a
  staticmethod returning the 11-digit form, ``ValueError`` for an invalid code. [#normalize-invalid]
- ``__init__`` validates and raises ``ValueError`` for an invalid NDC [#init-ndc], a name that is
  not a non-empty string (after ``strip()``) [#init-name], or a ``strength_mg`` that is not a
  finite number > 0 (``bool`` is not a number here). [#init-strength] It stores the
  **normalized** code, the stripped name and ``float(strength_mg)``. [#init-stores]
- ``ndc``, ``name``, ``strength_mg``: **read-only** properties (assigning raises
  ``AttributeError``): the hash of a value object must never change. [#read-only]
- ``from_record(record)``: a **classmethod** alternate constructor from a mapping with keys
  ``"ndc"``, ``"name"``, ``"strength_mg"`` (values may be strings, as read from a CSV; extra keys
  are ignored). [#record-strings] Whitespace around the code is stripped, as for the name.
  [#record-strip] It returns an instance of ``cls``, so ``Subclass.from_record(...)`` builds a
  ``Subclass``. [#record-cls] A missing key or a non-numeric strength (``None`` included) raises
  ``ValueError`` naming the field. [#record-errors]
- Equality and hashing **by NDC code** only (normalized): ``==`` is True for the same product
  even with another name. [#eq-ndc] Equal objects have equal hashes, so a ``set`` keeps one of
  them. [#hash] Comparing with a non-Medication returns ``NotImplemented`` (so Python can ask the
  other side; ``med == "x"`` is then simply False). [#eq-other]
- Ordering **by name, case-insensitively** (``str.casefold``) [#order-name], ties by NDC code, so
  ``sorted`` works. [#order-ties] All of ``<``, ``<=``, ``>``, ``>=`` work
  (``functools.total_ordering`` helps). [#order-all] Ordering against a non-Medication returns
  ``NotImplemented`` (so ``med < 3`` raises TypeError). [#order-other]
- ``repr(med)``: ``Medication(ndc='00002-1433-80', name='Trulicity', strength_mg=1.5)``, with
  ``type(self).__name__`` as the class name, so that ``eval(repr(med)) == med``. [#repr]

``Catalogue(medications=())``: medications by code, in insertion order (the constructor adds
each one, so it raises as ``add`` does). [#catalogue-init]

- ``add(med)``: ``TypeError`` if not a Medication [#add-type], ``ValueError`` if its code is
  already there. [#add-duplicate]
- ``len(cat)`` [#len]; ``iter(cat)`` yields the medications in insertion order and a *new*
  iterator every time (iterating twice works). [#iter] ``x in cat`` is True for a Medication
  whose code is present or for a code string in any valid format, False for anything else.
  [#contains] ``cat[code]`` looks up by a code in any valid format [#getitem] and raises
  ``KeyError`` when absent (or invalid). [#getitem-missing]

Example::

    >>> a = Medication("0002-1433-80", "Trulicity", 1.5)
    >>> a.ndc, a == Medication("00002-1433-80", "dulaglutide", 0.75)
    ('00002-1433-80', True)
    >>> cat = Catalogue([a, Medication("50090-347-01", "amoxicillin", 500)])
    >>> [m.name for m in sorted(cat)], "00002-1433-80" in cat, cat["0002-1433-80"] is a
    (['amoxicillin', 'Trulicity'], True, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Self

__all__ = ["Catalogue", "Medication"]


class Medication:
    """An immutable medication identified by its NDC code, sorted by name."""

    def __init__(self, ndc: str, name: str, strength_mg: float) -> None:
        """Validate and store the normalized code, the stripped name and the strength.

        Raises:
            ValueError: invalid NDC, empty name, or strength not a finite number > 0.
        """
        # TODO
        raise NotImplementedError

    @property
    def ndc(self) -> str:
        """The NDC code in the 11-digit 5-4-2 form, e.g. ``'00002-1433-80'``."""
        # TODO: read-only
        raise NotImplementedError

    @property
    def name(self) -> str:
        # TODO: read-only
        raise NotImplementedError

    @property
    def strength_mg(self) -> float:
        # TODO: read-only
        raise NotImplementedError

    @staticmethod
    def is_valid_ndc(code: object) -> bool:
        """Whether ``code`` is an NDC string grouped 4-4-2, 5-3-2, 5-4-1 or 5-4-2."""
        # TODO: re.fullmatch with explicit [0-9] groups (\\d also matches non-ASCII digits)
        raise NotImplementedError

    @staticmethod
    def normalize_ndc(code: str) -> str:
        """The 11-digit 5-4-2 form of a valid code; ``ValueError`` if invalid."""
        # TODO
        raise NotImplementedError

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Self:
        """Build a ``cls`` from a mapping with keys ``ndc``, ``name``, ``strength_mg``."""
        # TODO: return cls(...), not Medication(...)
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        # TODO: by NDC; NotImplemented for non-Medications
        raise NotImplementedError

    def __hash__(self) -> int:
        # TODO: consistent with __eq__
        raise NotImplementedError

    def __lt__(self, other: object) -> bool:
        # TODO: by (casefolded name, ndc); NotImplemented for non-Medications
        raise NotImplementedError

    def __repr__(self) -> str:
        # TODO
        raise NotImplementedError


class Catalogue:
    """Medications by NDC code, in insertion order: ``len``, iteration, ``in`` and ``[code]``."""

    def __init__(self, medications: Iterable[Medication] = ()) -> None:
        # TODO: a dict from normalized code to Medication; add each one
        raise NotImplementedError

    def add(self, medication: Medication) -> None:
        """Add ``medication``.

        Raises:
            TypeError: not a Medication.
            ValueError: a medication with the same code is already there.
        """
        # TODO
        raise NotImplementedError

    def __len__(self) -> int:
        # TODO
        raise NotImplementedError

    def __iter__(self) -> Iterator[Medication]:
        # TODO: a fresh iterator every call
        raise NotImplementedError

    def __contains__(self, item: object) -> bool:
        # TODO: a Medication, or a code string in any valid format
        raise NotImplementedError

    def __getitem__(self, code: str) -> Medication:
        # TODO: KeyError when absent
        raise NotImplementedError
