"""Comparisons of two elections (issue 10, F26/F27/F11): only within one state, one swing sign
convention in every output, and statewide-only years skipped by ``flips`` with a note."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction

import pytest

from electoral.analyze.compare import compare, swing_parties
from electoral.analyze.history import every_flip
from electoral.errors import ValidationError
from electoral.io.stage import validate
from electoral.model import Candidate, Count, Election, Returns, Unit, UnitKind
from electoral.report.history import render_flips
from electoral.report.tables import render, results_view
from electoral.tabulate.rollup import roll_up
from tests.report.elections import PARTIES, county_returns


def _dem_rep(dem: int, rep: int):
    return lambda _feature, _rnd: (dem, rep, 10)


def test_a_comparison_across_states_is_refused() -> None:
    # Douglas, Rock and Washington are counties of both states: matched by name, they "flipped".
    wisconsin = roll_up(county_returns("WI", 2020), "county")
    minnesota = roll_up(county_returns("MN", 2016), "county")
    with pytest.raises(ValidationError, match=r"different states \(WI, MN\)") as raised:
        compare(wisconsin, minnesota)
    assert raised.value.problems[0].code == "compare-states"


@pytest.mark.parametrize("dem, rep", [(600, 400), (400, 600)])
def test_swing_is_democratic_minus_republican_whoever_leads(dem: int, rep: int) -> None:
    # every county: earlier D 500, R 500 (margin 0); later ±200 of 1,010 votes: ±19.80 points
    earlier = roll_up(county_returns("CT", 2016, votes=_dem_rep(500, 500)), "county")
    later = roll_up(county_returns("CT", 2020, votes=_dem_rep(dem, rep)), "county")
    comparison = compare(later, earlier)
    assert comparison.parties == ("Democratic", "Republican") == swing_parties(later)
    expected = Fraction(dem - rep, dem + rep + 10)
    assert {c.swing for c in comparison.changes} == {expected}
    view = results_view(later, comparison)
    text = render(view, "text")
    assert "Swing in margin (Democratic minus Republican; positive is toward Democratic)" in text
    document = json.loads(render(view, "json"))
    assert document["swing_margin"] == "Democratic minus Republican"
    assert {s["toward"] for s in document["swing"]} == {"Democratic"}
    assert {s["swing"] for s in document["swing"]} == {"19.80" if dem > rep else "-19.80"}
    rows = list(csv.DictReader(io.StringIO(render(view, "csv"))))
    column = "swing percent (Democratic minus Republican)"
    assert {r[column] for r in rows if r["unit"] != "Total"} == {
        "19.80" if dem > rep else "-19.80"}


def _statewide_only(year: int) -> Returns:
    """A state-level file's year: the state's own unit and nothing below it."""
    people = (Candidate("dem", "Jimmy Carter", "democratic"),
              Candidate("rep", "Ronald Reagan", "republican"))
    return validate(Returns(Election(year, "CT"), people, (Unit("CT", "Connecticut",
                                                                 UnitKind.STATE),),
                            (Count("CT", "dem", 541_732), Count("CT", "rep", 677_210)),
                            PARTIES[:2], source="statewide file"))


def test_flips_skip_years_without_county_returns_and_say_so() -> None:
    elections = [_statewide_only(1980), county_returns("CT", 2000, votes=_dem_rep(600, 400)),
                 _statewide_only(2002), county_returns("CT", 2004, votes=_dem_rep(400, 600))]
    flips = every_flip(elections)
    assert [(a, b) for a, b, _ in flips] == [(2000, 2004)]
    assert [year for year, _ in flips.skipped] == [1980, 2002]
    assert all(c.swing < 0 for _, _, comparison in flips for c in comparison.changes)
    text = render_flips("CT", flips)
    assert "skipped (no county returns): 1980, 2002" in text
    assert "Democratic minus Republican" in text and "(swing -39.6)" in text
    document = json.loads(render_flips("CT", flips, "json"))
    assert [s["year"] for s in document["skipped"]] == [1980, 2002]
    assert document["pairs"][0]["margin"] == "Democratic minus Republican"
    assert {f["swing"] for f in document["pairs"][0]["flips"]} == {"-39.6"}
