"""The one rule for presidential office and contest titles (io.offices), and place columns by
their local names, through the readers."""

from __future__ import annotations

import io

import pytest

from electoral.io import ReadOptions
from electoral.io.offices import is_presidency
from electoral.io.openelections import read_openelections

PRESIDENCY = ["President", "PRESIDENT", "President - Vice Pres", "President/Vice-President",
              "President and Vice President of the United States", "Pres & Vice Pres",
              "President of the United States 4 Year Term (1) Position", "Presidential Electors",
              "US President", "U.S. President & Vice President", "United States President",
              "Electors for President and Vice President", "President (Vote for 1)",
              "  president   and  vice president  "]
NOT = ["Vice President", "Vice-President", "President of the City Council", "City Council President",
       "President Judge", "President Judge of the Court of Common Pleas", "President Pro Tem",
       "Borough President", "Village President", "President, Board of Aldermen",
       "Republican Party President", "Board of Education President", "Presidio County Judge",
       "Preston Township Supervisor", "Straight Party", "U.S. Senate", "Registered Voters"]


@pytest.mark.parametrize("title", PRESIDENCY)
def test_the_presidency_however_titled(title: str) -> None:
    assert is_presidency(title)


@pytest.mark.parametrize("title", NOT)
def test_other_offices_that_share_the_word(title: str) -> None:
    assert not is_presidency(title)


def test_a_city_council_president_is_never_a_presidential_candidate() -> None:
    # Baltimore elected its City Council President on the 2020 general ballot; Georgia titles the
    # presidency "President and Vice President of the United States"
    text = ("county,office,district,party,candidate,votes\n"
            "Baltimore City,President - Vice Pres,,DEM,Joe Biden,207260\n"
            "Baltimore City,President of the City Council,,DEM,Nick Mosby,150000\n"
            "Allegany,President and Vice President of the United States,,REP,Donald Trump,22141\n")
    (returns,) = read_openelections(io.StringIO(text), "20201103__md__general__county.csv",
                                    ReadOptions())
    assert sorted(c.name for c in returns.candidates) == ["Donald Trump", "Joe Biden"]
    assert sum(c.votes or 0 for c in returns.counts) == 207260 + 22141
    assert [(e.line, e.label) for e in returns.exclusions if "office" in e.reason] == \
        [(3, "President of the City Council")]


def test_louisiana_files_name_their_counties_parishes() -> None:
    text = ("parish,office,district,party,candidate,votes\n"
            "Acadia,President,,REP,Donald J. Trump,22596\n"
            "Acadia,President,,DEM,Joseph R. Biden,5443\n")
    (returns,) = read_openelections(io.StringIO(text), "20201103__la__general__parish.csv",
                                    ReadOptions())
    (acadia,) = [u for u in returns.units if u.kind == "county"]
    assert (acadia.fips, acadia.name) == ("22001", "Acadia")
    assert not [n for n in returns.notes if "parish" in n]  # the column is read, not unread
