"""electoral's own CSV: round trip, and every kind of bad row named by line and field."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from electoral.errors import ValidationError
from electoral.io import Format, ReadOptions, Source, read_source
from electoral.io.native import read_native, write_native
from electoral.model import Candidate, Count, Election, Returns, Unit, UnitKind

HEADER = "election,unit,unit_kind,parent,candidate,party,votes\n"


def read(text: str) -> list[Returns]:
    return read_native(io.StringIO(text), "f.csv", ReadOptions())


def problems(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ValidationError) as caught:
        read(text)
    return [(p.line, p.field, p.code) for p in caught.value.problems]


def test_reads_units_under_their_parents() -> None:
    (returns,) = read(HEADER + "2004-CT-president,09001,county,CT,John Kerry,Democratic,205902\n"
                      "2004-CT-president,09001,county,CT,George W. Bush,Republican,189605\n")
    assert returns.election.id == "2004-CT-president"
    assert {u.id: u.kind for u in returns.units} == {"CT": UnitKind.STATE, "09001": UnitKind.COUNTY}
    assert sum(c.votes for c in returns.counts) == 395507


@pytest.mark.parametrize("row,expected", [
    ("2004-CT-president,09001,county,CT,John Kerry,Democratic,-5", (2, "votes", "bad-votes")),
    ("2004-CT-president,09001,county,CT,John Kerry,Democratic,12.5", (2, "votes", "bad-votes")),
    ("2004-CT-president,09001,shire,CT,John Kerry,Democratic,5", (2, "unit_kind", "unknown-level")),
    ("2004-XX-president,09001,county,XX,John Kerry,Democratic,5", (2, "election", "bad-election")),
    ("2004-CT-president,09001,county,CT,,Democratic,5", (2, "candidate", "missing-value")),
])
def test_bad_rows_are_named(row: str, expected: tuple[int, str, str]) -> None:
    assert problems(HEADER + row + "\n") == [expected]


def test_duplicate_row_is_an_error_and_every_problem_is_listed() -> None:
    row = "2004-CT-president,09001,county,CT,John Kerry,Democratic,5\n"
    bad = "2004-CT-president,09003,county,CT,John Kerry,Democratic,x\n"
    assert problems(HEADER + row + row + bad) == [(3, "votes", "duplicate-row"),
                                                  (4, "votes", "bad-votes")]


def test_missing_column() -> None:
    assert problems("election,unit,candidate\n2004-CT-president,CT,X\n") == [
        (1, "votes", "missing-column")]


def test_detected_by_header() -> None:
    text = HEADER + "2004-CT-president,CT,state,,John Kerry,Democratic,1\n"
    (returns,) = read_source(Source("any.csv", "0", text))
    assert returns.counts[0].votes == 1
    assert read_source(Source("any.csv", "0", text), Format.NATIVE)[0].counts == returns.counts


names = st.text(alphabet="abcdefghij XYZ", min_size=1, max_size=12).map(str.strip).filter(bool)


@st.composite
def elections(draw: st.DrawFn) -> Returns:
    candidates = draw(st.lists(names, min_size=1, max_size=4, unique_by=lambda n: n.lower()))
    from electoral.model import slug
    ids = list(dict.fromkeys(slug(n) for n in candidates))
    if len(ids) != len(candidates):
        candidates = candidates[: len(ids)]
    units = [Unit("CT", "Connecticut", UnitKind.STATE)] + [
        Unit(f"0900{i}", f"County {i}", UnitKind.COUNTY, "CT") for i in range(draw(st.integers(1, 3)))]
    counts = tuple(Count(u.id, slug(c), draw(st.integers(0, 10**7)))
                   for u in units[1:] for c in candidates)
    return Returns(Election(2004, "CT"), tuple(Candidate(slug(c), c) for c in candidates),
                   tuple(units), counts)


@settings(max_examples=50, deadline=None)
@given(elections())
def test_round_trip(returns: Returns) -> None:
    (again,) = read(write_native([returns]))
    assert again.counts == returns.counts
    assert [(u.id, u.kind, u.parent) for u in again.units] == [
        (u.id, u.kind, u.parent) for u in returns.units]
    assert [c.name for c in again.candidates] == [c.name for c in returns.candidates]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_garbage_gives_a_validation_error_or_reads(text: str) -> None:
    try:
        read(HEADER + text)
    except ValidationError as exc:
        assert all(p.source == "f.csv" for p in exc.problems)


def test_units_without_counts_and_candidate_marks_read_back() -> None:
    """F16: a town above its precincts has no count; its own row keeps it a town (not a county
    named by its id), and an unnamed candidate and a lump of others keep their id and marks."""
    units = (Unit("CT", "Connecticut", UnitKind.STATE),
             Unit("CT-town-andover", "Andover", UnitKind.TOWN, "CT"),
             Unit("CT-town-andover/hall", "Town Hall", UnitKind.PRECINCT, "CT-town-andover"))
    candidates = (Candidate("ada-marsh", "Ada Marsh", None, incumbent=True),
                  Candidate("unnamed-4", ""),
                  Candidate("various", "Various candidates", None, aggregate=True, write_in=True))
    counts = tuple(Count("CT-town-andover/hall", c.id, n)
                   for c, n in zip(candidates, (5, 2, 1), strict=True))
    original = Returns(Election(2016, "CT", "president"), candidates, units, counts)
    text = write_native([original])
    assert "CT-town-andover,Andover,town,CT,,,,,,,," in text
    (back,) = read(text)
    assert {u.id: (u.name, u.kind, u.parent) for u in back.units} == \
        {u.id: (u.name, u.kind, u.parent) for u in units}
    assert back.candidates == candidates
    assert sorted((c.unit, c.candidate, c.votes) for c in back.counts) == \
        sorted((c.unit, c.candidate, c.votes) for c in counts)
    # a parent named before its own row: the row says what it is
    late = text.splitlines()
    late = [late[0], *late[2:], late[1]]
    (back,) = read("\n".join(late) + "\n")
    assert back.unit("CT-town-andover").kind is UnitKind.TOWN
    assert problems(HEADER.strip() + ",candidate_flags\n"
                    "2004-CT-president,09001,county,CT,X,,1,odd\n") == \
        [(2, "candidate_flags", "bad-flag")]
