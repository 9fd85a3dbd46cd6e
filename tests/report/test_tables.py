"""Results tables in every format, pinned by golden files (regenerate with --update-golden)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from electoral.analyze.compare import compare
from electoral.api import published_from_text
from electoral.io import Format
from electoral.io.sample import bundled_samples
from electoral.report.tables import OutputFormat, render, results_view
from electoral.tabulate.rollup import roll_up

SAMPLES = {name.removesuffix(".sample.json"): text for name, text in bundled_samples()}


def returns(election: str):
    return published_from_text(election, SAMPLES[election], Format.SAMPLE).returns


CASES = [(e, level) for e in SAMPLES for level in ("state", "county")] + [
    ("2024-CT-president", "cog")]


@pytest.mark.parametrize("fmt", ["md", "wiki", "csv", "json", "html", "text"])
@pytest.mark.parametrize("election,level", CASES)
def test_rendering_is_pinned(golden, election: str, level: str, fmt: str) -> None:
    text = render(results_view(roll_up(returns(election), level)), fmt)
    golden(f"{election}-{level}.{fmt}", text)


def test_every_number_in_csv_is_exact() -> None:
    table = roll_up(returns("2004-MO-president"), "county")
    rows = list(csv.DictReader(io.StringIO(render(results_view(table), OutputFormat.CSV))))
    assert len(rows) == 116
    for row in rows:
        votes = int(row["George W. Bush votes"]) + int(row["John Kerry votes"]) + int(
            row["other votes"])
        assert votes == int(row["total"])
        assert int(row["margin votes"]) == int(row["George W. Bush votes"]) - int(
            row["John Kerry votes"])


def test_comparison_in_json_and_text(golden) -> None:
    later = roll_up(returns("2024-CT-president"), "county")
    earlier = roll_up(returns("2004-CT-president"), "county")
    view = results_view(later, compare(later, earlier))
    document = json.loads(render(view, "json"))
    assert document["compare"] == "2004-CT-president"
    assert document["flips"] == [{"unit": "Windham", "from": "Democratic", "to": "Republican"}]
    golden("2024-CT-vs-2004-county.text", render(view, "text"))


def test_ballots_cast_and_turnout_appear_where_known() -> None:
    from electoral.io import ReadOptions
    from electoral.io.openelections import read_openelections
    text = ("town,precinct,office,candidate,party,votes\n"
            "Acton,1,President,Kerry and Edwards,Democratic,60\n"
            "Acton,1,President,Bush and Cheney,Republican,30\n"
            "Acton,1,President,Total Votes Cast,,95\n"
            "Acton,2,President,Kerry and Edwards,Democratic,10\n"
            "Acton,2,President,Bush and Cheney,Republican,20\n"
            "Acton,2,President,Total Votes Cast,,31\n")
    # The reader passes "Total Votes Cast" through; the import stage makes it the ballots cast.
    from electoral.columns import ReturnsTable
    from electoral.io.stage import stage
    (table,) = stage(ReturnsTable.of(r) for r in read_openelections(
        io.StringIO(text), "20041102__ma__general__precinct.csv", ReadOptions()))
    election = table.materialized()
    document = json.loads(render(results_view(roll_up(election, "town")), "json"))
    assert document["rows"][0]["ballots_cast"] == 126
    assert document["total"]["ballots_cast"] == 126
    assert "turnout" not in document["rows"][0]  # no registration known: no turnout invented
    assert "Ballots cast" in render(results_view(roll_up(election, "town")), "md")


def test_statewide_csv_lists_the_votes_of_no_column() -> None:
    """The Total includes write-ins, so the statewide CSV lists them (issue 10, a new user's GA
    files: the Write-ins row was missing while the Total counted it)."""
    from electoral.columns import ReturnsTable
    from electoral.io import ReadOptions
    from electoral.io.openelections import read_openelections
    from electoral.io.stage import stage
    text = ("county,precinct,office,party,candidate,votes\n"
            "Atkinson,Pearson City,President,Republican,Donald Trump,1200\n"
            "Atkinson,Pearson City,President,Democrat,Joe Biden,380\n"
            "Atkinson,Pearson City,President,,Write-ins,3\n")
    (table,) = stage(ReturnsTable.of(r) for r in read_openelections(
        io.StringIO(text), "20201103__ga__general__precinct.csv", ReadOptions()))
    rendered = render(results_view(roll_up(table.materialized(), "state"), columns="all"),
                      OutputFormat.CSV)  # every candidate, as the CLI's CSV has them
    rows = {r["candidate"]: r for r in csv.DictReader(io.StringIO(rendered))}
    assert (rows["Other"]["votes"], rows["Total"]["votes"]) == ("3", "1583")
    assert sum(int(r["votes"]) for name, r in rows.items() if name != "Total") == 1583
