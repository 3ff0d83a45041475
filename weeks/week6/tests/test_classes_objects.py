"""Tests of week6.classes_objects: a Medication value object and a Catalogue container.

The judge checks the NDC validator, the dunder protocols (``==``/``hash`` consistency, ordering,
``repr``, container methods), read-only attributes and the alternate constructor.
Run: ``pytest weeks/week6/tests/test_classes_objects.py``.
"""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

VALID = {
    "0002-1433-80": "00002-1433-80",  # 4-4-2
    "50090-347-01": "50090-0347-01",  # 5-3-2
    "12345-6789-1": "12345-6789-01",  # 5-4-1
    "00002-1433-80": "00002-1433-80",  # 5-4-2
}
INVALID = [
    "0002143380",  # no hyphens
    "002-1433-80",  # 3-4-2
    "0002-1433-8",  # 4-4-1 (9 digits)
    "00002-1433-801",  # 5-4-3
    "12345-678-9",  # 5-3-1
    "abcd-1433-80",
    " 0002-1433-80",
    "0002-1433-80\n",  # `$` would accept this: use fullmatch
    "0002-1433-80-1",
    "٠٠٠٢-١٤٣٣-٨٠",  # Arabic-Indic digits match \d but are not an NDC
    "",
]


def trulicity(impl: ModuleType) -> object:
    return impl.Medication("0002-1433-80", "Trulicity", 1.5)


# -- the NDC validator (staticmethods) ---------------------------------------------------------
def test_ndc_validator_accepts_exactly_the_four_formats(impl: ModuleType) -> None:
    for code in VALID:
        assert impl.Medication.is_valid_ndc(code) is True, f"{code!r} is a valid NDC"
    for code in INVALID:
        assert impl.Medication.is_valid_ndc(code) is False, (
            f"{code!r} is not a valid NDC (formats 4-4-2, 5-3-2, 5-4-1, 5-4-2; ASCII digits; "
            "nothing before or after)"
        )
    for thing in (None, 2143380, b"0002-1433-80"):
        assert impl.Medication.is_valid_ndc(thing) is False, f"{thing!r} is not a string"
    assert trulicity(impl).is_valid_ndc("0002-1433-80") is True, "callable on an instance too"
    assert isinstance(inspect.getattr_static(impl.Medication, "is_valid_ndc"), staticmethod), (
        "is_valid_ndc needs neither the class nor an instance: make it a @staticmethod"
    )


def test_normalize_pads_the_short_group(impl: ModuleType) -> None:
    for code, want in VALID.items():
        got = impl.Medication.normalize_ndc(code)
        assert got == want, f"normalize_ndc({code!r}) should be {want!r}, got {got!r}"
    with pytest.raises(ValueError):
        impl.Medication.normalize_ndc("0002143380")


# -- construction and attributes ---------------------------------------------------------------
def test_constructor_validates_and_normalizes(impl: ModuleType) -> None:
    med = impl.Medication("50090-347-01", "  Amoxicillin ", 500)
    assert (med.ndc, med.name, med.strength_mg) == ("50090-0347-01", "Amoxicillin", 500.0), (
        f"expected the normalized code, the stripped name and a float strength, got "
        f"({med.ndc!r}, {med.name!r}, {med.strength_mg!r})"
    )
    assert isinstance(med.strength_mg, float)
    bad_args = [
        ("0002143380", "Trulicity", 1.5),
        ("0002-1433-80", "", 1.5),
        ("0002-1433-80", "   ", 1.5),
        ("0002-1433-80", None, 1.5),
        ("0002-1433-80", "Trulicity", 0),
        ("0002-1433-80", "Trulicity", -2.0),
        ("0002-1433-80", "Trulicity", float("nan")),
        ("0002-1433-80", "Trulicity", float("inf")),
        ("0002-1433-80", "Trulicity", True),
        ("0002-1433-80", "Trulicity", "1.5"),
    ]
    for args in bad_args:
        with pytest.raises(ValueError):
            impl.Medication(*args)
            pytest.fail(f"Medication{args!r} should raise ValueError")


def test_attributes_are_read_only(impl: ModuleType) -> None:
    med = trulicity(impl)
    before = hash(med)
    for attr, value in (("ndc", "50090-0347-01"), ("name", "X"), ("strength_mg", 3.0)):
        with pytest.raises(AttributeError):
            setattr(med, attr, value)
            pytest.fail(f"assigning med.{attr} should raise AttributeError (read-only property)")
    assert hash(med) == before and med.ndc == "00002-1433-80"


# -- equality, hashing, ordering, repr ---------------------------------------------------------
def test_equality_and_hash_follow_the_ndc_code(impl: ModuleType) -> None:
    a = impl.Medication("0002-1433-80", "Trulicity", 1.5)
    b = impl.Medication("00002-1433-80", "dulaglutide", 0.75)  # same product, other format
    c = impl.Medication("50090-347-01", "Trulicity", 1.5)  # same name, other product
    assert a == b, "same NDC (after normalizing) means equal"
    assert (a != b) is False, "!= must agree with =="
    assert hash(a) == hash(b), (
        f"equal objects must have equal hashes: hash(a)={hash(a)}, hash(b)={hash(b)}; hash "
        "the same field that __eq__ compares (the normalized NDC)"
    )
    assert a != c, "different NDC codes are different medications, whatever the name"
    assert len({a, b, c}) == 2, f"a set should keep one of a and b: {len({a, b, c})} items"
    assert {a: "x"}[b] == "x", "b should find a's entry in a dict"


def test_comparing_with_other_types_returns_not_implemented(impl: ModuleType) -> None:
    med = trulicity(impl)
    assert (med == "00002-1433-80") is False and med != 3, "a Medication never equals a string"

    class Wildcard:
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = None  # type: ignore[assignment]

    assert med == Wildcard(), (
        "for a non-Medication, __eq__ must return NotImplemented (not False) so that Python "
        "asks the other object; here Wildcard() says it equals everything"
    )
    with pytest.raises(TypeError):
        med < 3  # noqa: B015 - ordering against an int must raise TypeError


def test_ordering_is_by_name_case_insensitively(impl: ModuleType) -> None:
    meds = [
        impl.Medication("0002-1433-80", "trulicity", 1.5),
        impl.Medication("50090-347-01", "Amoxicillin", 500),
        impl.Medication("12345-6789-1", "ibuprofen", 200),
        impl.Medication("00093-7180-56", "Metformin", 850),
        impl.Medication("11111-2222-33", "amoxicillin", 250),
    ]
    got = [(m.name, m.ndc) for m in sorted(meds)]
    want = [
        ("amoxicillin", "11111-2222-33"),
        ("Amoxicillin", "50090-0347-01"),
        ("ibuprofen", "12345-6789-01"),
        ("Metformin", "00093-7180-56"),
        ("trulicity", "00002-1433-80"),
    ]
    assert got == want, (
        f"sorted() should order by name.casefold() (ties by NDC): expected {want}, got {got}"
    )
    amox, ibu = meds[1], meds[2]
    assert amox < ibu and amox <= ibu and ibu > amox and ibu >= amox and not ibu < amox, (
        "all four comparisons should follow the same order (functools.total_ordering)"
    )
    assert amox <= amox and amox >= amox


def test_repr_round_trips_and_names_the_subclass(impl: ModuleType) -> None:
    med = impl.Medication("0002-1433-80", "Trulicity", 1.5)
    text = repr(med)
    assert text == "Medication(ndc='00002-1433-80', name='Trulicity', strength_mg=1.5)", (
        f"repr should look like Medication(ndc='00002-1433-80', name='Trulicity', "
        f"strength_mg=1.5), got {text}"
    )
    back = eval(text, {"Medication": impl.Medication})  # noqa: S307
    assert back == med and back.name == med.name and back.strength_mg == med.strength_mg

    class Generic(impl.Medication):
        pass

    gen = Generic("0002-1433-80", "dulaglutide", 0.75)
    assert repr(gen).startswith("Generic("), f"use type(self).__name__, got {repr(gen)}"


# -- alternate constructor ---------------------------------------------------------------------
def test_from_record_is_a_classmethod_alternate_constructor(impl: ModuleType) -> None:
    record = {"ndc": "50090-347-01", "name": "Amoxicillin", "strength_mg": "500", "form": "cap"}
    med = impl.Medication.from_record(record)
    assert (med.ndc, med.name, med.strength_mg) == ("50090-0347-01", "Amoxicillin", 500.0)

    class Generic(impl.Medication):
        pass

    gen = Generic.from_record(record)
    assert type(gen) is Generic, (
        f"Generic.from_record(...) should build a Generic (return cls(...)), got "
        f"{type(gen).__name__}"
    )
    assert isinstance(inspect.getattr_static(impl.Medication, "from_record"), classmethod)
    for field in ("ndc", "name", "strength_mg"):
        partial = {k: v for k, v in record.items() if k != field}
        with pytest.raises(ValueError, match=field):
            impl.Medication.from_record(partial)
    with pytest.raises(ValueError, match="strength_mg"):
        impl.Medication.from_record(record | {"strength_mg": "five hundred"})


# -- the catalogue container -------------------------------------------------------------------
def test_catalogue_container_protocol(impl: ModuleType) -> None:
    a = impl.Medication("0002-1433-80", "Trulicity", 1.5)
    b = impl.Medication("50090-347-01", "Amoxicillin", 500)
    c = impl.Medication("12345-6789-1", "Ibuprofen", 200)
    cat = impl.Catalogue([a, b])
    cat.add(c)
    assert len(cat) == 3, f"len should be 3, got {len(cat)}"
    first, second = list(cat), list(cat)
    assert first == [a, b, c] and second == [a, b, c], (
        f"iterating twice should give the insertion order both times, got {first} then "
        f"{second}: __iter__ must return a new iterator each call"
    )
    assert a in cat and "00002-1433-80" in cat and "0002-1433-80" in cat, (
        "`in` should accept a Medication or its code in any valid format"
    )
    assert "99999-9999-99" not in cat and "nonsense" not in cat and 42 not in cat
    assert cat["12345-6789-1"] is c and cat["12345-6789-01"] is c, (
        "cat[code] should find the medication by its code in any valid format"
    )
    with pytest.raises(KeyError):
        cat["99999-9999-99"]
    with pytest.raises(ValueError):
        cat.add(impl.Medication("00002-1433-80", "Dulaglutide", 0.75))
    with pytest.raises(TypeError):
        cat.add("0002-1433-80")
    assert len(impl.Catalogue()) == 0 and list(impl.Catalogue()) == []
