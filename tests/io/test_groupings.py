"""Groupings imported onto a stored election: towns into counties, into COGs, into districts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from electoral.cli import app
from electoral.errors import ValidationError
from electoral.io.groupings import apply_groupings, read_groupings
from electoral.model import Candidate, Count, Election, Returns, Unit, UnitKind
from electoral.store import Store
from electoral.tabulate.rollup import roll_up

TOWNS = (Unit("CT", "Connecticut", UnitKind.STATE, fips="09"),
         Unit("CT-town-andover", "Andover", UnitKind.TOWN, "CT"),
         Unit("CT-town-andover/hall", "Andover Town Hall", UnitKind.PRECINCT, "CT-town-andover"),
         Unit("CT-town-ansonia", "Ansonia", UnitKind.TOWN, "CT"),
         Unit("CT-town-ansonia/ward-1", "Ward 1", UnitKind.PRECINCT, "CT-town-ansonia"))
RETURNS = Returns(Election(2016, "CT"), (Candidate("a", "A"), Candidate("b", "B")), TOWNS, (
    Count("CT-town-andover/hall", "a", 10), Count("CT-town-andover/hall", "b", 5),
    Count("CT-town-ansonia/ward-1", "a", 1), Count("CT-town-ansonia/ward-1", "b", 7)))
MAPPING = ("unit,kind,group,fips\nAndover,county,Tolland County,09013\n"
           "CT-town-ansonia,county,New Haven County,\nAndover,cog,Capitol,\n"
           "Ansonia,cog,Naugatuck Valley,\nAndover,district,2,\nAnsonia,district,3,\n")


def test_towns_roll_up_to_counties_cogs_and_districts() -> None:
    grouped = apply_groupings(RETURNS, read_groupings(io.StringIO(MAPPING), "m.csv"))
    assert grouped.unit("CT-town-andover").parent == "09013"
    assert grouped.unit("CT-town-ansonia").parent == "09009"  # from the package's FIPS table
    assert grouped.unit("CT-town-andover").groups == ("CT-cog-capitol", "CT-02")
    counties = roll_up(grouped, UnitKind.COUNTY)
    assert counties.row("09013").votes == {"a": 10, "b": 5}
    assert roll_up(grouped, UnitKind.COG).row("CT-cog-naugatuck-valley").votes == {"a": 1, "b": 7}
    assert roll_up(grouped, UnitKind.DISTRICT).row("CT-02").total == 15
    assert roll_up(grouped, UnitKind.STATE).total.votes == {"a": 11, "b": 12}


def test_bad_mappings_are_located() -> None:
    with pytest.raises(ValidationError) as caught:
        read_groupings(io.StringIO("unit,kind,group\nAndover,shire,X\n,cog,Y\n"), "m.csv")
    assert [(p.line, p.field) for p in caught.value.problems] == [(2, "kind"), (3, "unit")]
    rows = read_groupings(io.StringIO("unit,kind,group\nNowhere,cog,X\nAndover,county,Atlantis\n"),
                          "m.csv")
    with pytest.raises(ValidationError) as caught:
        apply_groupings(RETURNS, rows, "m.csv")
    assert [(p.line, p.field) for p in caught.value.problems] == [(2, "unit"), (3, "group")]


def test_cli_group(tmp_path: Path, db: Path) -> None:
    with Store(db) as store:
        store.save(RETURNS, source="towns.csv", sha256="x", format="csv")
    mapping = tmp_path / "ct_groupings.csv"
    mapping.write_text(MAPPING, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["group", str(mapping), "--election", "2016-CT-president",
                                 "--db", str(db)])
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        stored = store.load("2016-CT-president")
    assert stored.unit("CT-town-andover").parent == "09013"
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,kind,group\nNowhere,cog,X\n", encoding="utf-8")
    result = runner.invoke(app, ["group", str(bad), "--election", "2016-CT-president",
                                 "--db", str(db)])
    assert result.exit_code == 1
    with Store(db) as store:
        assert store.load("2016-CT-president") == stored


def test_a_partial_mapping_says_which_towns_it_left_in_no_county(tmp_path: Path, db: Path) -> None:
    # Andover alone placed in Tolland: Ansonia's 8 votes are in no county, so Tolland's row is no
    # county's result and the returns are not complete (issue 10, F20: 3 of 169 CT towns).
    from electoral.io.groupings import ungrouped
    from electoral.tabulate.coverage import coverage

    rows = read_groupings(io.StringIO("unit,kind,group\nAndover,county,Tolland\n"), "m.csv")
    grouped = apply_groupings(RETURNS, rows)
    left = ungrouped(RETURNS, grouped, rows)
    assert {k: [u.name for u in v] for k, v in left.items()} == {UnitKind.COUNTY: ["Ansonia"]}
    found = coverage(grouped)
    assert found.outside == ("Ansonia",) and found.outside_kind == "town"
    assert not found.complete and found.as_json()["outside"] == ["Ansonia"]
    assert "1 town in no county, so no county is complete" in found.line()
    with Store(db) as store:
        store.save(RETURNS, source="towns.csv", sha256="x", format="csv")
    mapping = tmp_path / "partial.csv"
    mapping.write_text("unit,kind,group\nAndover,county,Tolland\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["group", str(mapping), "--election", "2016-CT-president",
                                      "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "1 of 2 town units are in no county: Ansonia" in result.output
    report = CliRunner().invoke(app, ["report", "2016-CT-president", "--by", "county", "-f",
                                      "json", "--db", str(db)])
    import json
    document = json.loads(report.stdout)
    assert document["complete"] is False and document["winner"] is None
    assert document["coverage"]["outside"] == ["Ansonia"]
    table = CliRunner().invoke(app, ["report", "2016-CT-president", "--by", "county", "-f",
                                     "csv", "--db", str(db)])
    import csv
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert {(r["complete"], r["outside"]) for r in rows} == {("false", "Ansonia")}


def test_a_whole_mapping_leaves_nothing_out() -> None:
    rows = read_groupings(io.StringIO(MAPPING), "m.csv")
    grouped = apply_groupings(RETURNS, rows)
    from electoral.io.groupings import ungrouped
    from electoral.tabulate.coverage import coverage

    assert ungrouped(RETURNS, grouped, rows) == {}
    assert coverage(grouped).outside == ()
