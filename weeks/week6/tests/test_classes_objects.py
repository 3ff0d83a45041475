"""Tests of week6.classes_objects: a Medication value object and a Catalogue container.

The judge checks the NDC validator, the dunder protocols (``==``/``hash`` consistency, ordering,
``repr``, container methods), read-only attributes and the alternate constructor.
Run: ``pytest weeks/week6/tests/test_classes_objects.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import ModuleType

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader import differential as diff

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
@pytest.mark.clause("ndc-formats", "ndc-strict", "staticmethod", "non-string")
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


@pytest.mark.clause("normalize", "normalize-invalid")
def test_normalize_pads_the_short_group(impl: ModuleType) -> None:
    for code, want in VALID.items():
        got = impl.Medication.normalize_ndc(code)
        assert got == want, f"normalize_ndc({code!r}) should be {want!r}, got {got!r}"
    with pytest.raises(ValueError):
        impl.Medication.normalize_ndc("0002143380")


# -- construction and attributes ---------------------------------------------------------------
@pytest.mark.clause("init-ndc", "init-name", "init-strength", "init-stores")
def test_constructor_validates_and_normalizes(impl: ModuleType) -> None:
    med = impl.Medication("50090-347-01", "  Amoxicillin ", 500)
    assert (med.ndc, med.name, med.strength_mg) == ("50090-0347-01", "Amoxicillin", 500.0), (
        f"expected the normalized code, the stripped name and a float strength, got "
        f"({med.ndc!r}, {med.name!r}, {med.strength_mg!r})"
    )
    assert isinstance(med.strength_mg, float), (
        "strength_mg should be stored as a float (500 -> 500.0), got "
        f"{type(med.strength_mg).__name__}"
    )
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


@pytest.mark.clause("read-only")
def test_attributes_are_read_only(impl: ModuleType) -> None:
    med = trulicity(impl)
    before = hash(med)
    for attr, value in (("ndc", "50090-0347-01"), ("name", "X"), ("strength_mg", 3.0)):
        with pytest.raises(AttributeError):
            setattr(med, attr, value)
            pytest.fail(f"assigning med.{attr} should raise AttributeError (read-only property)")
    assert hash(med) == before and med.ndc == "00002-1433-80", (
        "a refused assignment must leave the medication as it was: want ndc '00002-1433-80' and "
        f"the same hash, got ndc {med.ndc!r} and hash {hash(med)} (was {before})"
    )


# -- equality, hashing, ordering, repr ---------------------------------------------------------
@pytest.mark.clause("eq-ndc", "hash", "same-product")
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


@pytest.mark.clause("eq-other", "order-other")
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


@pytest.mark.clause("order-name", "order-ties", "order-all")
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
    assert amox <= amox and amox >= amox, (
        f"a medication is <= and >= itself, got {amox <= amox} and {amox >= amox} for {amox!r}"
    )


@pytest.mark.clause("repr")
def test_repr_round_trips_and_names_the_subclass(impl: ModuleType) -> None:
    med = impl.Medication("0002-1433-80", "Trulicity", 1.5)
    text = repr(med)
    assert text == "Medication(ndc='00002-1433-80', name='Trulicity', strength_mg=1.5)", (
        f"repr should look like Medication(ndc='00002-1433-80', name='Trulicity', "
        f"strength_mg=1.5), got {text}"
    )
    back = eval(text, {"Medication": impl.Medication})  # noqa: S307
    assert back == med and back.name == med.name and back.strength_mg == med.strength_mg, (
        f"eval(repr(med)) should rebuild an equal Medication with the same name and strength: "
        f"{text} gave {back!r}"
    )

    class Generic(impl.Medication):
        pass

    gen = Generic("0002-1433-80", "dulaglutide", 0.75)
    assert repr(gen).startswith("Generic("), f"use type(self).__name__, got {repr(gen)}"


# -- alternate constructor ---------------------------------------------------------------------
@pytest.mark.clause("record-strings", "record-cls", "record-errors")
def test_from_record_is_a_classmethod_alternate_constructor(impl: ModuleType) -> None:
    record = {"ndc": "50090-347-01", "name": "Amoxicillin", "strength_mg": "500", "form": "cap"}
    med = impl.Medication.from_record(record)
    assert (med.ndc, med.name, med.strength_mg) == ("50090-0347-01", "Amoxicillin", 500.0), (
        "from_record should build the same Medication as the constructor: want ('50090-0347-01', "
        f"'Amoxicillin', 500.0), got ({med.ndc!r}, {med.name!r}, {med.strength_mg!r})"
    )

    class Generic(impl.Medication):
        pass

    gen = Generic.from_record(record)
    assert type(gen) is Generic, (
        f"Generic.from_record(...) should build a Generic (return cls(...)), got "
        f"{type(gen).__name__}"
    )
    assert isinstance(inspect.getattr_static(impl.Medication, "from_record"), classmethod), (
        "from_record should be decorated with @classmethod, got a "
        f"{type(inspect.getattr_static(impl.Medication, 'from_record')).__name__}"
    )
    for field in ("ndc", "name", "strength_mg"):
        partial = {k: v for k, v in record.items() if k != field}
        with pytest.raises(ValueError, match=field):
            impl.Medication.from_record(partial)
    with pytest.raises(ValueError, match="strength_mg"):
        impl.Medication.from_record(record | {"strength_mg": "five hundred"})


# -- the catalogue container -------------------------------------------------------------------
@pytest.mark.clause(
    "catalogue-init",
    "add-type",
    "add-duplicate",
    "len",
    "iter",
    "contains",
    "getitem",
    "getitem-missing",
)
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
    unknown, nonsense, number = "99999-9999-99" in cat, "nonsense" in cat, 42 in cat
    assert not unknown and not nonsense and not number, (
        "`in` should be False, without raising, for a code not in the catalogue, an invalid "
        f"code and a non-string; got {unknown}, {nonsense} and {number} for '99999-9999-99', "
        "'nonsense' and 42"
    )
    assert cat["12345-6789-1"] is c and cat["12345-6789-01"] is c, (
        "cat[code] should find the medication by its code in any valid format"
    )
    with pytest.raises(KeyError):
        cat["99999-9999-99"]
    with pytest.raises(ValueError):
        cat.add(impl.Medication("00002-1433-80", "Dulaglutide", 0.75))
    with pytest.raises(TypeError):
        cat.add("0002-1433-80")
    size, items = len(impl.Catalogue()), list(impl.Catalogue())
    assert size == 0 and items == [], (
        f"Catalogue() with no argument should be empty, got len {size} and items {items}"
    )


# -- differential: judged against the reference on drawn inputs --------------------------------
DIGITS = "0123456789"
#: Codes near the valid ones: every grouping of 1-6 digits, other separators, junk around them.
groups = st.tuples(st.integers(1, 6), st.integers(1, 5), st.integers(0, 3)).flatmap(
    lambda sizes: st.tuples(*(st.text(DIGITS, min_size=n, max_size=n) for n in sizes))
)
codes = st.one_of(
    groups.map("-".join),
    st.tuples(groups, st.sampled_from(["", " ", "--", "_", "\n", "\u2013"])).map(
        lambda gs: gs[1].join(gs[0])
    ),
    st.tuples(groups.map("-".join), st.sampled_from(["", " ", "\n", "-", "0", "a"])).map(
        lambda cs: cs[0] + cs[1]
    ),
    st.sampled_from([*VALID, *INVALID, "1-2-3", "٠٠٠٠٢-١٤٣٣-٨٠"]),
    st.text(max_size=14),
)
non_strings = st.sampled_from([None, 2143380, 2.5, b"0002-1433-80", ("0002", "1433", "80")])
names = st.one_of(
    st.sampled_from(["Trulicity", "  amoxicillin ", "", "   ", "\t\n", None, 5, b"x"]),
    st.text(max_size=4),
)
strengths = st.one_of(
    st.sampled_from(
        [
            1,
            1.5,
            500,
            0,
            -0.0,
            -2,
            1e-300,
            1e300,
            True,
            False,
            None,
            "1.5",
            float("nan"),
            float("inf"),
            -float("inf"),
        ]
    ),  # fmt: skip
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-3, 10**20),
)


def fields(med: object) -> tuple[str, str, str, float]:
    """What a Medication holds, comparable across the learner's module and the reference's."""
    return (type(med).__name__, med.ndc, med.name, med.strength_mg)  # type: ignore[attr-defined]


@pytest.mark.clause("ndc-formats", "ndc-strict", "non-string")
@given(code=st.one_of(codes, non_strings))
@example(code="0002-1433-80\n")
@example(code="00002-1433-801")
def test_is_valid_ndc_agrees_with_the_reference(impl, reference, code) -> None:
    diff.assert_same(impl.Medication.is_valid_ndc, reference.Medication.is_valid_ndc, code)


@pytest.mark.clause("normalize", "normalize-invalid")
@given(code=codes)
@example(code="1-2-3")
@example(code="12345-6789-1")
def test_normalize_ndc_agrees_with_the_reference(impl, reference, code) -> None:
    diff.assert_same(impl.Medication.normalize_ndc, reference.Medication.normalize_ndc, code)


@pytest.mark.clause("init-ndc", "init-name", "init-strength", "init-stores")
@given(ndc=codes, name=names, strength=strengths)
@example(ndc="0002-1433-80", name="x", strength=True)
@example(ndc="0002-1433-80", name="x", strength=-float("inf"))
@example(ndc="0002-1433-80", name="x", strength=7)
def test_constructor_agrees_with_the_reference(impl, reference, ndc, name, strength) -> None:
    def build(module: ModuleType) -> Callable[[], tuple[str, str, str, float]]:
        return lambda: fields(module.Medication(ndc, name, strength))

    want = diff.assert_same(build(impl), build(reference), rtol=0.0)
    if want is not None:
        got = impl.Medication(ndc, name, strength).strength_mg
        assert type(got) is float, f"strength_mg should be stored as a float, got {got!r}"


records = st.fixed_dictionaries(
    {},
    optional={
        "ndc": st.one_of(
            st.sampled_from([*VALID, " 0002-1433-80 ", "50090-347-01\n", "nonsense"]), codes
        ),
        "name": st.sampled_from(["Trulicity", " amoxicillin ", "", "  "]),
        "strength_mg": st.one_of(
            st.sampled_from(["500", " 2.5 ", "1e3", "0", "-1", "nan", "inf", "five", "", None]),
            strengths,
        ),
        "form": st.just("capsule"),
    },
)


@pytest.mark.clause("record-strings", "record-strip", "record-cls", "record-errors")
@given(record=records)
@example(record={"ndc": " 0002-1433-80 ", "name": "Trulicity", "strength_mg": " 1.5 "})
@example(record={"ndc": "0002-1433-80", "name": "Trulicity", "strength_mg": None})
@example(record={"ndc": "0002-1433-80", "name": "Trulicity", "strength_mg": "True"})
def test_from_record_agrees_with_the_reference(impl, reference, record) -> None:
    def build(module: ModuleType) -> Callable[[], tuple[str, str, str, float]]:
        class Generic(module.Medication):  # type: ignore[name-defined,misc]
            pass

        return lambda: (
            (fields(module.Medication.from_record(record)),)
            + (fields(Generic.from_record(record)),)
        )

    diff.assert_same(build(impl), build(reference), rtol=0.0)


CASE_TRAPS = ["amoxicillin", "Amoxicillin", "AMOXICILLIN", "Straße", "STRASSE", "strasse", "b", "B"]


def orders(module: ModuleType, pairs: list[tuple[str, str]]) -> Callable[[], object]:
    """The sorted (name, ndc) list and every pairwise comparison, for one module."""

    def run() -> object:
        meds = [module.Medication(code, name, 1.0) for code, name in pairs]
        ranked = [(m.name, m.ndc) for m in sorted(meds)]
        table = [(a < b, a <= b, a > b, a >= b, a == b, a != b) for a in meds for b in meds]
        return ranked, table

    return run


@pytest.mark.clause("order-name", "order-ties", "order-all", "eq-ndc")
@given(
    pairs=st.lists(
        st.tuples(
            st.sampled_from([*VALID, "11111-2222-33", "99999-0001-1"]), st.sampled_from(CASE_TRAPS)
        ),
        max_size=6,
    )  # fmt: skip
)
@example(pairs=[("50090-347-01", "Straße"), ("0002-1433-80", "STRASSE")])
@example(pairs=[("50090-347-01", "b"), ("0002-1433-80", "B")])
def test_ordering_agrees_with_the_reference(impl, reference, pairs) -> None:
    diff.assert_same(orders(impl, pairs), orders(reference, pairs))


def ndc_hash_sets(module: ModuleType, codes_: list[str]) -> Callable[[], object]:
    def run() -> object:
        meds = [module.Medication(code, f"n{i}", 1.0) for i, code in enumerate(codes_)]
        for a in meds:
            for b in meds:
                if a == b:
                    assert hash(a) == hash(b), f"{a!r} == {b!r} but their hashes differ"
        return len(set(meds)), sorted(m.ndc for m in set(meds))

    return run


@pytest.mark.clause("hash", "same-product")
@given(codes_=st.lists(st.sampled_from([*VALID, "50090-0347-01", "12345-6789-01"]), max_size=6))
def test_sets_keep_one_medication_per_product(impl, reference, codes_) -> None:
    diff.assert_same(ndc_hash_sets(impl, codes_), ndc_hash_sets(reference, codes_))


#: One catalogue operation: ("add", code), ("add-str", code), ("in", x), ("get", x), ("len",),
#: ("iter",).
probes = st.one_of(codes, non_strings, st.sampled_from([*VALID, "50090-0347-01", "12345-6789-01"]))
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from([*VALID, "50090-0347-01", "11111-2222-33"])),
        st.tuples(st.just("add-str"), st.sampled_from(["0002-1433-80", "x"])),
        st.tuples(st.just("in"), probes),
        st.tuples(st.just("in-med"), st.sampled_from([*VALID, "11111-2222-33"])),
        st.tuples(st.just("get"), probes),
        st.tuples(st.just("len")),
        st.tuples(st.just("iter")),
    ),
    max_size=12,
)


def script(module: ModuleType, initial: list[str], ops: list[tuple]) -> Callable[[], object]:
    """Run ``ops`` on a catalogue; each op's outcome is its value or its exception type."""

    def med(code: str) -> object:
        return module.Medication(code, f"drug {code}", 1.0)

    def run() -> list[object]:
        outcomes: list[object] = []
        try:
            cat = module.Catalogue(med(code) for code in initial)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - the outcome is what we compare
            return [("constructor raised", type(exc).__name__)]
        for op, *args in ops:
            try:
                if op == "add":
                    outcomes.append(cat.add(med(args[0])))
                elif op == "add-str":
                    outcomes.append(cat.add(args[0]))
                elif op == "in":
                    outcomes.append(args[0] in cat)
                elif op == "in-med":
                    outcomes.append(med(args[0]) in cat)
                elif op == "get":
                    outcomes.append(fields(cat[args[0]]))
                elif op == "len":
                    outcomes.append(len(cat))
                else:
                    outcomes.append([fields(m) for m in cat] + [fields(m) for m in cat])
            except NotImplementedError:
                raise
            except Exception as exc:  # noqa: BLE001
                outcomes.append(("raised", type(exc).__name__))
        return outcomes

    return run


@pytest.mark.clause(
    "catalogue-init", "add-type", "add-duplicate", "len", "iter", "contains", "getitem",
    "getitem-missing",
)  # fmt: skip
@given(initial=st.lists(st.sampled_from([*VALID, "50090-0347-01"]), max_size=4), ops=operations)
@example(initial=["0002-1433-80"], ops=[("get", "nonsense"), ("get", 42), ("in", None)])
@example(initial=["0002-1433-80", "00002-1433-80"], ops=[("len",)])
def test_catalogue_agrees_with_the_reference(impl, reference, initial, ops) -> None:
    diff.assert_same(script(impl, initial, ops), script(reference, initial, ops))
