"""Roll-up over units reported at mixed depths: parts of a county, statewide pseudo-units, and files
giving both a total and its parts."""

from __future__ import annotations

from hypothesis import given, settings

from electoral.io.stage import validate
from electoral.model import Candidate, Count, Election, Returns, Unit, UnitKind, VoteType
from electoral.tabulate.rollup import roll_up
from tests.io.strategies import returns as any_returns

STATE = Unit("MO", "Missouri", UnitKind.STATE, fips="29")
JACKSON = Unit("29095", "Jackson County", UnitKind.COUNTY, parent="MO", fips="29095")
BOONE = Unit("29019", "Boone County", UnitKind.COUNTY, parent="MO", fips="29019")
KC = Unit("MO-town-kansas-city", "Kansas City", UnitKind.TOWN, parent="29095")
REST = Unit("MO-town-jackson-rest", "Jackson County outside Kansas City", UnitKind.TOWN,
            parent="29095")
OVERSEAS = Unit("MO/overseas", "Overseas", UnitKind.PRECINCT, parent="MO")
CANDIDATES = (Candidate("a", "A"), Candidate("b", "B"))


def _returns(units: tuple[Unit, ...], counts: tuple[Count, ...]) -> Returns:
    return validate(Returns(Election(2004, "MO"), CANDIDATES, (STATE, *units), counts))


def test_a_county_in_parts_adds_its_parts_and_pseudo_units_reach_the_state() -> None:
    returns = _returns((JACKSON, BOONE, KC, REST, OVERSEAS), (
        Count("29019", "a", 10), Count("29019", "b", 20),
        Count(KC.id, "a", 100), Count(KC.id, "b", 30),
        Count(REST.id, "a", 50), Count(REST.id, "b", 90),
        Count(OVERSEAS.id, "a", 1), Count(OVERSEAS.id, "b", 2),
    ))
    counties = roll_up(returns, "county")
    assert counties.row("29095").votes == {"a": 150, "b": 120}
    assert counties.row("29019").votes == {"a": 10, "b": 20}
    assert roll_up(returns, "state").total.votes == {"a": 161, "b": 142}


def test_a_total_and_its_parts_count_once() -> None:
    precinct = Unit("29019/ward-1", "Ward 1", UnitKind.PRECINCT, parent="29019")
    returns = _returns((BOONE, precinct), (
        Count("29019", "a", 10), Count("29019", "b", 20),
        Count(precinct.id, "a", 10), Count(precinct.id, "b", 20),
    ))
    assert roll_up(returns, "county").row("29019").votes == {"a": 10, "b": 20}
    assert roll_up(returns, "state").total.votes == {"a": 10, "b": 20}


def test_modes_are_summed_where_no_total_exists_and_ignored_where_one_does() -> None:
    returns = _returns((BOONE, JACKSON), (
        Count("29019", "a", 4, VoteType.ELECTION_DAY), Count("29019", "a", 6, VoteType.ABSENTEE),
        Count("29095", "a", 9, VoteType.TOTAL), Count("29095", "a", 9, VoteType.ELECTION_DAY),
        Count("29095", "b", 1, VoteType.MAIL),
    ))
    counties = roll_up(returns, "county")
    assert counties.row("29019").votes == {"a": 10}
    assert counties.row("29095").votes == {"a": 9, "b": 1}


@settings(max_examples=80, deadline=None)
@given(any_returns())
def test_the_remembered_walk_finds_what_the_full_walk_finds(returns: Returns) -> None:
    from electoral.tabulate.rollup import _owner, _owner_of

    units = {u.id: u for u in returns.units}
    counted = {c.unit for c in returns.counts}
    for level in UnitKind:
        memo: dict[str, tuple[str | None, bool]] = {}
        for unit in returns.units:
            assert _owner_of(unit, level, units, counted, memo) == \
                _owner(unit, level, units, counted)
