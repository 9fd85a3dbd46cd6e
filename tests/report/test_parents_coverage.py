"""A precinct table names each precinct's county (issue 10, F18), and every CSV row says whether
the returns are complete, as the JSON does (F31). Returns: Delaware, two counties each with a
"Precinct 1", New Castle missing."""

from __future__ import annotations

import csv
import io
import json

import pytest

from electoral.io.stage import validate
from electoral.model import Candidate, Count, Election, Party, Returns, Unit, UnitKind
from electoral.report.tables import render, results_view
from electoral.tabulate.rollup import roll_up

PEOPLE = (Candidate("marsh", "Ada Marsh", "democratic"),
          Candidate("dunmore", "Cole Dunmore", "republican"))
PARTIES = (Party("democratic", "Democratic"), Party("republican", "Republican"))


def _returns() -> Returns:
    units = [Unit("DE", "Delaware", UnitKind.STATE),
             Unit("10001", "Kent", UnitKind.COUNTY, "DE", fips="10001"),
             Unit("10005", "Sussex", UnitKind.COUNTY, "DE", fips="10005"),
             Unit("kent-1", "Precinct 1", UnitKind.PRECINCT, "10001"),
             Unit("sussex-1", "Precinct 1", UnitKind.PRECINCT, "10005")]
    counts = [Count("kent-1", "marsh", 100), Count("kent-1", "dunmore", 50),
              Count("sussex-1", "marsh", 10), Count("sussex-1", "dunmore", 500)]
    return validate(Returns(Election(2020, "DE"), PEOPLE, tuple(units), tuple(counts), PARTIES,
                            source="test"))


def _view(level: str):
    return results_view(roll_up(_returns(), level), columns="all")


@pytest.mark.parametrize("fmt", ["text", "md", "wiki", "html"])
def test_a_precinct_table_names_each_precincts_county(fmt: str) -> None:
    text = render(_view("precinct"), fmt)
    assert "County" in text and "Kent" in text and "Sussex" in text
    kent, sussex = text.index("Kent"), text.index("Sussex")
    assert kent < sussex  # in place order: county, then precinct


def test_precinct_csv_and_json_carry_the_county() -> None:
    rows = list(csv.DictReader(io.StringIO(render(_view("precinct"), "csv"))))
    assert [(r["county"], r["unit"], r["Ada Marsh votes"]) for r in rows] == [
        ("Kent", "Precinct 1", "100"), ("Sussex", "Precinct 1", "10"), ("", "Total", "110")]
    document = json.loads(render(_view("precinct"), "json"))
    assert [(r["county"], r["unit"]) for r in document["rows"]] == [
        ("Kent", "Precinct 1"), ("Sussex", "Precinct 1")]


def test_a_county_table_has_no_parent_column() -> None:
    rows = list(csv.DictReader(io.StringIO(render(_view("county"), "csv"))))
    assert "county" not in rows[0] and rows[0]["unit"] == "Kent"


@pytest.mark.parametrize("level", ["state", "county", "precinct"])
def test_every_csv_row_says_the_returns_are_incomplete(level: str) -> None:
    view = _view(level)
    rows = list(csv.DictReader(io.StringIO(render(view, "csv"))))
    document = json.loads(render(view, "json"))
    assert document["complete"] is False
    assert document["coverage"] == {"level": "county", "reporting": 2, "expected": 3,
                                    "missing": ["New Castle"]}
    assert {(r["complete"], r["coverage level"], r["reporting"], r["expected"], r["missing"],
             r["outside"]) for r in rows} == {("false", "county", "2", "3", "New Castle", "")}


def test_the_statewide_csv_rows_add_up_to_its_total() -> None:
    # a "Write-ins" group is no candidate column of the CSV, but its votes are in the total
    base = _returns()
    writeins = Candidate("wi", "Write-ins", aggregate=True)
    returns = validate(Returns(base.election, (*base.candidates, writeins), base.units,
                               (*base.counts, Count("kent-1", "wi", 7)), base.parties,
                               source="test"))
    view = results_view(roll_up(returns, "state"), columns="all")
    rows = list(csv.DictReader(io.StringIO(render(view, "csv"))))
    body = [r for r in rows if r["candidate"] != "Total"]
    total = next(r for r in rows if r["candidate"] == "Total")
    assert ("Other", "7") in {(r["candidate"], r["votes"]) for r in body}
    assert sum(int(r["votes"]) for r in body) == int(total["votes"]) == 667
