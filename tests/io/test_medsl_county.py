"""MEDSL county presidential file 2000–2020, read from the real file in ../shared."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import pytest

from electoral.errors import ValidationError
from electoral.io import Format, ReadOptions, detect_format, open_source, read_path
from electoral.io.medsl_county import read_medsl_county
from electoral.io.stage import validate
from electoral.model import Returns, UnitKind, VoteType
from electoral.tabulate.rollup import roll_up

FILE = "data/county_presidential/countypres_2000-2020.csv.gz"
HEADER = ("year,state,state_po,county_name,county_fips,office,candidate,party,candidatevotes,"
          "totalvotes,version,mode\n")


@cache
def _all(path: Path) -> dict[str, Returns]:
    return {r.election.id: r for r in read_path(path)}


@pytest.fixture
def county(shared: Path) -> dict[str, Returns]:
    return _all(shared / FILE)


def test_detected_and_every_state_year_read(shared: Path, county: dict[str, Returns]) -> None:
    assert detect_format(open_source(shared / FILE)) is Format.MEDSL_COUNTY
    assert len(county) == 6 * 51
    for returns in county.values():
        validate(returns)


def test_fips_are_padded_and_counties_named(county: dict[str, Returns]) -> None:
    alabama = county["2000-AL-president"]
    autauga = alabama.unit("01001")
    assert (autauga.name, autauga.kind, autauga.parent, autauga.fips) == \
        ("Autauga County", UnitKind.COUNTY, "AL", "01001")
    assert county["2020-DC-president"].unit("11001").kind is UnitKind.COUNTY


def test_kansas_city_is_part_of_jackson_county(county: dict[str, Returns]) -> None:
    missouri = county["2004-MO-president"]
    assert missouri.unit("MO-town-kansas-city").parent == "29095"
    jackson = roll_up(missouri, "county").row("29095")
    # Jackson County's board (Bush 94,439; Kerry 79,029) plus Kansas City's (36,061; 104,625).
    assert jackson.votes["george-w-bush"] == 94_439 + 36_061
    assert jackson.votes["john-kerry"] == 79_029 + 104_625
    state = roll_up(missouri, "state").total
    # The MEDSL state file's Missouri 2004 figures.
    assert (state.votes["george-w-bush"], state.votes["john-kerry"]) == (1_455_713, 1_259_171)


def test_statewide_pseudo_units_belong_to_the_state(county: dict[str, Returns]) -> None:
    maine = county["2012-ME-president"]
    uocava = maine.unit("ME/maine-uocava")
    assert (uocava.kind, uocava.parent) == (UnitKind.PRECINCT, "ME")
    counties = roll_up(maine, "county")
    assert "ME/maine-uocava" not in {row.unit.id for row in counties.rows}
    state = roll_up(maine, "state").total
    assert state.votes["barack-obama"] == sum(r.of("barack-obama") for r in counties.rows) + 2_071
    connecticut = county["2000-CT-president"]
    reasons = {(e.unit[-1][1], e.label): (e.reason, e.kind) for e in connecticut.exclusions}
    assert reasons[("Statewide Writein", "AL GORE")] == ("no vote count given (NA)", "no_count")


def test_mode_states_sum_their_modes(county: dict[str, Returns]) -> None:
    carolina = county["2020-NC-president"]
    assert {c.vote_type for c in carolina.counts} >= {VoteType.ELECTION_DAY, VoteType.EARLY}
    assert VoteType.TOTAL not in {c.vote_type for c in carolina.counts}
    # Certified North Carolina 2020 (and the MEDSL state file): Biden 2,684,292; Trump 2,758,773.
    state = roll_up(carolina, "state").total
    assert (state.votes["joseph-r-biden-jr"], state.votes["donald-j-trump"]) == \
        (2_684_292, 2_758_773)


def _line(state: str, po: str, county: str, fips: str, votes: str) -> str:
    return (f'2000,"{state}","{po}","{county}","{fips}","PRESIDENT","AL GORE","DEMOCRAT",'
            f'{votes},20,1,"TOTAL"\n')


def test_bad_rows_are_located() -> None:
    text = (HEADER + _line("MISSOURI", "MO", "BOONE", "29019", "10")
            + _line("MISSOURI", "MO", "BOONE", "1001", "10")
            + _line("MISSOURI", "MO", "CLAY", "29047", "1.5")
            + _line("NOWHERE", "NA", "X", "29047", "1"))
    with pytest.raises(ValidationError) as caught:
        read_medsl_county(io.StringIO(text), "bad.csv", ReadOptions())
    assert {(p.line, p.field) for p in caught.value.problems} == \
        {(3, "county_fips"), (4, "candidatevotes"), (5, "state_po")}


def test_a_withheld_count_is_unknown_never_zero() -> None:
    """'*' in candidatevotes is a count MEDSL withholds: kept as unknown (votes None), so the
    totals it enters are lower bounds; 'NA' (no count given) stays a listed exclusion."""
    text = (HEADER + _line("MISSOURI", "MO", "BOONE", "29019", "10")
            + _line("MISSOURI", "MO", "CLAY", "29047", "*")
            + _line("MISSOURI", "MO", "COLE", "29051", "NA"))
    (returns,) = read_medsl_county(io.StringIO(text), "withheld.csv", ReadOptions())
    votes = {c.unit: c.votes for c in returns.counts}
    assert votes == {"29019": 10, "29047": None}
    assert [e.line for e in returns.exclusions] == [4]
    from electoral.tabulate.rollup import roll_up
    total = roll_up(returns, UnitKind.STATE).total
    (gore,) = total.votes
    assert total.votes[gore] == 10 and total.suppressed[gore] == 1


@pytest.mark.parametrize("name", ["TOTAL", "STATEWIDE TOTAL", "Missouri Total"])
def test_a_total_county_is_the_state_row_checked_and_left_out(name: str) -> None:
    """A row with no FIPS whose county names a total is the state's own figure: never one more
    unit (it would double the state); equal to its counties, left out; unequal, a problem."""
    rows = (HEADER + _line("MISSOURI", "MO", "BOONE", "29019", "10")
            + _line("MISSOURI", "MO", "CLAY", "29047", "5"))
    (returns,) = read_medsl_county(io.StringIO(rows + _line("MISSOURI", "MO", name, "", "15")),
                                   "total.csv", ReadOptions())
    assert {c.unit: c.votes for c in returns.counts} == {"29019": 10, "29047": 5}
    assert [(e.line, e.kind) for e in returns.exclusions] == [(4, "total")]
    with pytest.raises(ValidationError) as caught:
        read_medsl_county(io.StringIO(rows + _line("MISSOURI", "MO", name, "", "16")),
                          "total.csv", ReadOptions())
    assert [(p.code, p.line) for p in caught.value.problems] == [("county_total_mismatch", 4)]
