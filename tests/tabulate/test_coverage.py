"""Coverage: which of a state's county-equivalents an election's returns have."""

from __future__ import annotations

import pyarrow as pa

from electoral.columns import SCHEMA, CountTable, ReturnsTable
from electoral.geography import state_units
from electoral.io.rules_units import units_of_state
from electoral.io.stage import stage
from electoral.model import Candidate, Count, Election, Returns, Unit, UnitKind
from electoral.tabulate.coverage import area_title, coverage, missing_name, precinct_coverage

RI = Unit("RI", "Rhode Island", UnitKind.STATE)
CANDIDATES = (Candidate("m", "Ada Q. Marsh", "democratic"), Candidate("d", "Cole R. Dunmore", "republican"))


def _ri(*counties: str, state_count: bool = False) -> Returns:
    units = (RI, *(Unit(f"ri-{c.lower()}", c, UnitKind.COUNTY, "RI") for c in counties))
    counts = tuple(Count(f"ri-{c.lower()}", cand.id, 10 + i)
                   for i, c in enumerate(counties) for cand in CANDIDATES)
    if state_count:
        counts += (Count("RI", "m", 1000), Count("RI", "d", 900))
    return Returns(Election(2020, "RI"), CANDIDATES, units, counts)


def test_three_of_five_counties_name_the_missing_ones() -> None:
    found = coverage(_ri("Bristol", "Newport", "Washington"))
    assert (found.level, found.reporting, found.expected) == ("county", 3, 5)
    assert found.missing == ("Kent", "Providence") and not found.complete
    assert found.line() == "3 of 5 counties reporting; missing: Kent, Providence"
    assert found.as_json() == {"level": "county", "reporting": 3, "expected": 5,
                               "missing": ["Kent", "Providence"]}


def test_every_county_is_complete_whatever_the_spelling() -> None:
    found = coverage(_ri("BRISTOL", "Kent County", "newport", "Providence", "Washington"))
    assert found.complete and (found.reporting, found.expected, found.missing) == (5, 5, ())
    assert found.line() == ""


def test_a_misspelt_county_reports_nothing_and_its_county_is_missing() -> None:
    found = coverage(_ri("Bristol", "Kent", "Newport", "Providance", "Washington"))
    assert (found.reporting, found.missing) == (4, ("Providence",))


def test_a_listed_county_without_counts_is_missing() -> None:
    returns = _ri("Bristol", "Kent", "Newport", "Providence", "Washington")
    returns = Returns(returns.election, returns.candidates, returns.units,
                      tuple(c for c in returns.counts if c.unit != "ri-kent"))
    assert coverage(returns).missing == ("Kent",)


def test_statewide_only_returns_cover_the_state() -> None:
    returns = Returns(Election(2020, "RI"), CANDIDATES, (RI,), (Count("RI", "m", 5), Count("RI", "d", 4)))
    assert coverage(returns).as_json() == {"level": "state", "reporting": 1, "expected": 1,
                                           "missing": []}
    listed = _ri("Bristol", state_count=True)  # a state row beside one county: the state counts
    assert coverage(listed).missing == ("Kent", "Newport", "Providence", "Washington")


def test_connecticut_by_planning_region() -> None:
    regions = state_units("CT", "cog", 2024)
    assert len(regions) == 9
    units = (Unit("CT", "Connecticut", UnitKind.STATE),
             *(Unit(f, n, UnitKind.COG, "CT") for f, n in list(regions.items())[:8]))
    counts = tuple(Count(u.id, "m", 1) for u in units[1:])
    found = coverage(Returns(Election(2024, "CT"), CANDIDATES, units, counts))
    assert (found.level, found.reporting, found.expected) == ("cog", 8, 9)
    assert found.missing == (missing_name(list(regions.values())[8]),)
    assert found.line().startswith("8 of 9 planning regions reporting; missing: ")


def test_a_state_without_a_unit_list_has_nothing_missing() -> None:
    units = (Unit("AK", "Alaska", UnitKind.STATE), Unit("ak-1", "District 1", UnitKind.COUNTY, "AK"))
    found = coverage(Returns(Election(2020, "AK"), CANDIDATES, units, (Count("ak-1", "m", 3),)))
    assert found.expected is None and found.complete


def test_missing_names_drop_county_and_parish_only() -> None:
    assert [missing_name(n) for n in ("Kent County", "Acadia Parish", "St. Louis city",
                                      "Capitol Planning Region")] == [
        "Kent", "Acadia", "St. Louis city", "Capitol Planning Region"]


def test_a_one_county_election_is_titled_by_its_county() -> None:
    de = Unit("DE", "Delaware", UnitKind.STATE)
    kent = Unit("de-kent", "KENT", UnitKind.COUNTY, "DE")
    precincts = (Unit("p1", "Alder South", UnitKind.PRECINCT, "de-kent"),
                 Unit("p2", "Aspen", UnitKind.PRECINCT, "de-kent"),
                 Unit("p3", "Birch", UnitKind.PRECINCT, "de-kent"))
    returns = Returns(Election(2020, "DE"), CANDIDATES, (de, kent, *precincts),
                      (Count("p1", "m", 5), Count("p2", "d", 3)))
    found = coverage(returns)
    assert (found.reporting, found.expected, found.missing) == (1, 3, ("New Castle", "Sussex"))
    assert area_title(returns, found) == "Kent County"
    precincts_found = precinct_coverage(returns)
    assert list(precincts_found) == ["KENT"]
    assert precincts_found["KENT"].as_json() == {"level": "precinct", "reporting": 2, "expected": 3,
                                                 "missing": ["Birch"]}
    assert area_title(_ri("Bristol", "Newport"), coverage(_ri("Bristol", "Newport"))) == "Rhode Island"


def test_counts_as_columns_give_the_same_coverage() -> None:
    returns = _ri("Bristol", "Kent")
    table = ReturnsTable.of(returns)
    assert coverage(table.returns, table.counts) == coverage(returns)


def _lined(returns: Returns, lines: list[int]) -> ReturnsTable:
    counts = returns.counts
    return ReturnsTable(Returns(returns.election, returns.candidates, returns.units, (), source="ri.csv"),
                        CountTable(pa.table({
                            "unit": [c.unit for c in counts], "candidate": [c.candidate for c in counts],
                            "vote_type": [str(c.vote_type) for c in counts],
                            "votes": pa.array([c.votes for c in counts], pa.int64()),
                            "line": pa.array(lines, pa.int64())}, schema=SCHEMA)))


def test_a_county_not_of_the_state_is_a_warning_with_its_lines() -> None:
    table = _lined(_ri("Bristol", "Providance", "Kent"), [2, 3, 11, 12, 4, 5])
    finding = units_of_state(table)
    assert not finding.problems
    (warning,) = finding.warnings
    assert warning.kind == "unknown_unit" and warning.lines == (11, 12) and warning.line == 11
    assert warning.detail == "'Providance' is not a county of Rhode Island"
    assert warning.file == "ri.csv"
    (staged,) = stage([table], "ri.csv")
    assert staged.returns.warnings == (warning,)


def test_precinct_lines_count_toward_their_unknown_county() -> None:
    returns = _ri("Bristol", "Providance")
    units = (*returns.units, Unit("p", "Ward 1", UnitKind.PRECINCT, "ri-providance"))
    returns = Returns(returns.election, returns.candidates, units,
                      (*returns.counts[:2], Count("p", "m", 4)))
    (warning,) = units_of_state(_lined(returns, [2, 3, 9])).warnings
    assert warning.lines == (9,)


def test_known_counties_and_unlisted_states_give_no_warning() -> None:
    assert units_of_state(_lined(_ri("Bristol", "KENT"), [2, 3, 4, 5])).warnings == ()
    units = (Unit("AK", "Alaska", UnitKind.STATE), Unit("ak-1", "District 1", UnitKind.COUNTY, "AK"))
    alaska = Returns(Election(2020, "AK"), CANDIDATES, units, (Count("ak-1", "m", 3),))
    assert units_of_state(_lined(alaska, [2])).warnings == ()


def test_connecticut_planning_regions_filed_as_counties_from_2022() -> None:
    """A reader that gives the regions kind county (tonmcg's 2024 file) covers the state's 9."""
    regions = state_units("CT", "cog", 2024)
    units = (Unit("CT", "Connecticut", UnitKind.STATE),
             *(Unit(f, n, UnitKind.COUNTY, "CT", fips=f) for f, n in regions.items()))
    counts = tuple(Count(u.id, "m", 1) for u in units[1:])
    found = coverage(Returns(Election(2024, "CT"), CANDIDATES, units, counts))
    assert (found.level, found.reporting, found.expected, found.complete) == ("cog", 9, 9, True)
    short = coverage(Returns(Election(2024, "CT"), CANDIDATES, units, counts[:5]))
    assert (short.level, short.reporting, short.expected) == ("cog", 5, 9)


def test_connecticut_counties_before_2022_and_by_legacy_county_after() -> None:
    counties = state_units("CT", "county", 2004)
    units = (Unit("CT", "Connecticut", UnitKind.STATE),
             *(Unit(f, n, UnitKind.COUNTY, "CT", fips=f) for f, n in counties.items()))
    counts = tuple(Count(u.id, "m", 1) for u in units[1:])
    for year in (2004, 2024):  # the eight counties still cover the state
        found = coverage(Returns(Election(year, "CT"), CANDIDATES, units, counts))
        assert (found.level, found.reporting, found.expected, found.complete) == ("county", 8, 8, True)
    found = coverage(Returns(Election(2004, "CT"), CANDIDATES, units, counts[:7]))
    assert (found.level, found.missing) == ("county", ("Windham",))


def test_the_expected_counties_are_those_of_the_year() -> None:
    co = state_units("CO", "county", 2004)
    units = (Unit("CO", "Colorado", UnitKind.STATE),
             *(Unit(f, n, UnitKind.COUNTY, "CO", fips=f) for f, n in co.items() if f != "08014"))
    counts = tuple(Count(u.id, "m", 1) for u in units[1:])
    assert coverage(Returns(Election(2000, "CO"), CANDIDATES, units, counts)).complete
    assert coverage(Returns(Election(2004, "CO"), CANDIDATES, units, counts)).missing == ("Broomfield",)
