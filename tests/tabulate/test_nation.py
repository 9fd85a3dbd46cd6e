"""States' returns put together as one national election, for national maps."""

from __future__ import annotations

import dataclasses

import pytest

from electoral.api import stored_states
from electoral.errors import NotFoundError, ValidationError
from electoral.model import Candidate, UnitKind
from electoral.tabulate.nation import national_returns, national_table
from electoral.tabulate.rollup import roll_up
from tests.report.elections import county_returns


def test_states_become_one_national_election():
    ri, ct = county_returns("RI", 2020, seed=1), county_returns("CT", 2020, seed=2)
    nation = national_returns([ri, ct])
    assert nation.election.id == "2020-US-president"
    assert nation.unit("RI").parent == "US" and nation.unit("US").kind == UnitKind.NATION
    counties = national_table([ri, ct], "county")
    assert len(counties.rows) == 5 + 8
    states = national_table([ri, ct], "state")
    assert [r.unit.id for r in states.rows] == ["RI", "CT"]
    assert [c.id for c in nation.candidates] == ["democratic", "republican", "grn"]
    for key, state_id in (("democratic", "dem"), ("republican", "rep"), ("grn", "grn")):
        expected = (roll_up(ri, "state").total.of(state_id)
                    + roll_up(ct, "state").total.of(state_id))
        assert counties.total.of(key) == states.total.of(key) == expected
    assert counties.total.total == roll_up(ri, "state").total.total + roll_up(ct, "state").total.total


def test_leading_candidates_are_the_nations_not_the_first_states():
    small = county_returns("RI", 2020, votes=lambda f, r: (10, 1000, 0))
    large = county_returns("CA", 2020, votes=lambda f, r: (100_000, 10, 0))
    table = national_table([small, large], "county")
    assert table.leading == ("democratic", "republican")
    assert roll_up(national_returns([small, large]), "county").leading == ("republican",
                                                                           "democratic")


def test_a_nominee_spelled_two_ways_is_one_ticket():
    ri = county_returns("RI", 2020, names=("JOSEPH R BIDEN JR", "DONALD J TRUMP"))
    ct = county_returns("CT", 2020, names=("BIDEN, JOSEPH R. JR", "TRUMP, DONALD J."))
    assert len(national_returns([ri, ct]).candidates) == 3
    table = national_table([ri, ct], "state")
    assert table.total.of("democratic") == (roll_up(ri, "state").total.of("dem")
                                            + roll_up(ct, "state").total.of("dem"))


def test_one_id_for_two_people_is_refused():
    ri = county_returns("RI", 2020)
    ct = county_returns("CT", 2020)
    renamed = dataclasses.replace(ct, candidates=(*ct.candidates[:2],
                                                  Candidate("grn", "Someone Else", "green")))
    with pytest.raises(ValidationError, match="'grn' is 'Ralph Nader' in one state"):
        national_returns([ri, renamed])
    with pytest.raises(ValidationError, match="is not a state's 2020"):
        national_returns([ri, county_returns("CT", 2016)])


def test_a_state_reported_statewide_only_still_counts_nationally():
    from electoral.model import Count, Returns, Unit
    by_county = county_returns("RI", 2020)
    statewide = Returns(by_county.election.__class__(2020, "CT"), by_county.candidates,
                        (Unit("CT", "Connecticut", UnitKind.STATE),),
                        (Count("CT", "dem", 600), Count("CT", "rep", 400)), by_county.parties)
    counties = national_table([by_county, statewide], "county")
    assert len(counties.rows) == 5  # Connecticut has no county rows...
    ri_total = roll_up(by_county, "state").total
    assert counties.total.of("democratic") == ri_total.of("dem") + 600  # ...but its votes count
    assert counties.total.total == ri_total.total + 1000


def test_stored_states_says_when_no_state_is_stored():
    class Empty:
        def has(self, election_id: str) -> bool:
            return False

    with pytest.raises(NotFoundError, match="no 2020 president election of any state"):
        stored_states(Empty(), 2020)  # type: ignore[arg-type]
