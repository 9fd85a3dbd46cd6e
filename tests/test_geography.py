"""The county-equivalents of a state as they stood in an election's year (data/unit_changes.csv)."""

from __future__ import annotations

import datetime as dt

from electoral.geography import (
    county_fips,
    county_names,
    county_of_part,
    current_code,
    election_day,
    partitions,
    renamed_code,
    state_units,
    unit_changes,
    unit_fips,
    unknown_units,
)
from electoral.model import Candidate, Count, Election, Returns, Unit, UnitKind


def test_the_district_of_columbia_is_one_county_equivalent() -> None:
    assert state_units("DC", "county", 2024) == {"11001": "District of Columbia"}
    assert county_names()["11001"] == "District of Columbia"
    assert county_of_part("DC", "Ward 3") == "11001" and county_of_part("DC", "Washington") is None


def test_broomfield_exists_from_november_2001() -> None:
    assert "08014" not in state_units("CO", "county", 2000)
    assert state_units("CO", "county", 2004)["08014"] == "Broomfield County"
    assert (len(state_units("CO", "county", 2000)), len(state_units("CO", "county", 2004))) == (63, 64)


def test_shannon_county_until_2015_then_oglala_lakota() -> None:
    assert state_units("SD", "county", 2012)["46113"] == "Shannon County"
    assert "46102" not in state_units("SD", "county", 2012)
    assert state_units("SD", "county", 2016)["46102"] == "Oglala Lakota County"
    assert "46113" not in state_units("SD", "county", 2016)
    assert [current_code("46113", 2020), current_code("46102", 2012)] == ["46102", "46113"]
    assert county_fips("SD", "Shannon County") == "46113" and county_fips("SD", "Oglala Lakota") == "46102"
    old_code = Unit("46113", "Oglala Lakota", UnitKind.COUNTY, "SD", fips="46113")
    assert [unit_fips("SD", old_code, y) for y in (2012, 2020)] == ["46113", "46102"]


def test_virginia_cities_that_became_towns() -> None:
    # 95 counties and 40 independent cities in 2000; Clifton Forge (July 2001) and Bedford (July
    # 2013) became towns of Alleghany and Bedford counties.
    assert [len(state_units("VA", "county", y)) for y in (2000, 2004, 2012, 2016)] == [135, 134, 134, 133]
    assert current_code("51515", 2016) == "51019" and current_code("51515", 2012) == "51515"
    assert county_fips("VA", "Bedford city") == "51515" and county_fips("VA", "Bedford") == "51019"


def test_alaska_changes_are_recorded_but_alaska_has_no_list() -> None:
    assert renamed_code("02270") == "02158"
    assert state_units("AK", "county", 2004) == {}
    split = [ch.new_fips for ch in unit_changes() if ch.old_fips == "02280"]
    assert sorted(split) == ["02195", "02275"]
    assert all(ch.source.startswith("Census Bureau") for ch in unit_changes())


def test_connecticut_county_equivalents_are_planning_regions_from_2022() -> None:
    assert [(kind, len(units)) for kind, units in partitions("CT", 2020)] == [("county", 8), ("cog", 9)]
    assert [(kind, len(units)) for kind, units in partitions("CT", 2024)] == [("cog", 9), ("county", 8)]
    assert partitions("RI", 2024)[0][0] == "county" and len(partitions("RI", 2024)) == 1


def test_election_day_is_the_tuesday_after_the_first_monday() -> None:
    assert [election_day(y) for y in (2000, 2004, 2020, 2024)] == [
        dt.date(2000, 11, 7), dt.date(2004, 11, 2), dt.date(2020, 11, 3), dt.date(2024, 11, 5)]


def test_a_county_before_its_creation_is_unknown() -> None:
    units = (Unit("CO", "Colorado", UnitKind.STATE),
             Unit("08014", "Broomfield", UnitKind.COUNTY, "CO", fips="08014"),
             Unit("08001", "Adams", UnitKind.COUNTY, "CO", fips="08001"))
    counts = (Count("08014", "a", 1), Count("08001", "a", 2))
    for year, unknown in ((2000, ["Broomfield"]), (2004, [])):
        returns = Returns(Election(year, "CO"), (Candidate("a", "A"),), units, counts)
        assert [u.name for u in unknown_units(returns)] == unknown
