"""History over the MEDSL county file 2000–2020: flips, swing, lean, bellwether, last times.

The expected flips are the seed articles' lists (Wikipedia, "2004 United States presidential
election in Missouri" / "… in Connecticut"): counties that went from Gore in 2000 to Bush in 2004.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from electoral.analyze.history import find_place
from electoral.api import every_flip, flips_between, history, import_path
from electoral.cli import app
from electoral.errors import NotFoundError
from electoral.model import UnitKind
from electoral.store import Store

FILE = "data/county_presidential/countypres_2000-2020.csv.gz"
MO_2004_FLIPS = {"Boone", "Buchanan", "Clay", "Jefferson", "Mississippi", "New Madrid",
                 "Pemiscot", "Ray", "Saline", "Washington"}


@pytest.fixture(scope="module")
def county_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import SHARED

    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: these tests read the real data in ../shared")
    path = tmp_path_factory.mktemp("history") / "county.duckdb"
    with Store(path) as store:
        import_path(store, SHARED / FILE)
    return path


def test_the_articles_flips_are_reproduced(county_store: Path) -> None:
    with Store(county_store, read_only=True) as store:
        missouri = flips_between(store, "MO", 2000, 2004)
        connecticut = flips_between(store, "CT", 2000, 2004)
    assert {f.unit.name.removesuffix(" County") for f in missouri.flips
            if (f.earlier_winner, f.later_winner) == ("Democratic", "Republican")} == MO_2004_FLIPS
    assert not [f for f in missouri.flips if f.later_winner == "Democratic"]
    assert [(f.unit.name, f.earlier_winner, f.later_winner) for f in connecticut.flips] == \
        [("Litchfield County", "Democratic", "Republican")]


def test_boone_county_record(county_store: Path) -> None:
    with Store(county_store, read_only=True) as store:
        boone = history(store, "Boone County, MO")
    assert boone.place.id == "29019"
    assert [y.year for y in boone.years] == [2000, 2004, 2008, 2012, 2016, 2020]
    assert boone.flips == ((2004, "Democratic", "Republican"), (2008, "Republican", "Democratic"))
    assert boone.last_time("Republican") == 2004
    by_year = {y.year: y for y in boone.years}
    assert by_year[2008].since == 2000
    # Swing is the change of margin; lean is the margin against the state's.
    assert by_year[2008].swing == by_year[2008].margin - by_year[2004].margin
    assert by_year[2004].lean == by_year[2004].margin - by_year[2004].state_margin
    # The presidency's winner comes from the electors wherever the electoral count is known:
    assert by_year[2016].president == "Republican" and by_year[2016].with_winner is False
    assert by_year[2020].president == "Democratic" and by_year[2020].with_winner is True


def test_state_record_and_nation(county_store: Path) -> None:
    with Store(county_store, read_only=True) as store:
        ohio = history(store, "OH")
    assert ohio.place.kind is UnitKind.STATE
    assert all(y.nation_margin is not None for y in ohio.years)
    right, known = ohio.bellwether
    assert known >= 4 and right == known - 1  # Ohio missed only 2020 among 2004–2020


def test_every_flip_walks_consecutive_elections(county_store: Path) -> None:
    with Store(county_store, read_only=True) as store:
        pairs = [(a, b) for a, b, _ in every_flip(store, "CT")]
    assert pairs == [(2000, 2004), (2004, 2008), (2008, 2012), (2012, 2016), (2016, 2020)]


@pytest.mark.parametrize("query, expected", [
    ("MO", ("MO", UnitKind.STATE)), ("missouri", ("MO", UnitKind.STATE)),
    ("29019", ("29019", UnitKind.COUNTY)), ("1001", ("01001", UnitKind.COUNTY)),
    ("Boone County, MO", ("29019", UnitKind.COUNTY)), ("St. Louis City, Missouri",
                                                       ("29510", UnitKind.COUNTY)),
])
def test_places(query: str, expected: tuple[str, UnitKind]) -> None:
    place = find_place(query)
    assert (place.id, place.kind) == expected


def test_unknown_places_say_how_to_ask() -> None:
    with pytest.raises(NotFoundError, match="Boone County, MO"):
        find_place("Nowhere, MO")


def test_cli_history(county_store: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["history", "29019", "--db", str(county_store), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert '"last_time"' in result.output and '"Republican": 2004' in result.output
    assert json.loads(result.output)["margin"] == "Democratic minus Republican"
    missing = runner.invoke(app, ["history", "Nowhere, MO", "--db", str(county_store)])
    assert missing.exit_code == 1


def test_cli_flips(county_store: Path) -> None:
    result = CliRunner().invoke(app, ["flips", "MO", "--db", str(county_store), "-f", "json"])
    assert result.exit_code == 0, result.output

    first = json.loads(result.output)["pairs"][0]
    assert first["margin"] == "Democratic minus Republican"
    assert (first["earlier"], first["later"]) == (2000, 2004)
    assert {f["unit"].removesuffix(" County") for f in first["flips"]} == MO_2004_FLIPS


def test_a_famous_bellwether(county_store: Path) -> None:
    """Vigo County, Indiana voted for every winner of the presidency from 1956 to 2016 and broke
    the streak in 2020 (Trump carried it; Biden won)."""
    with Store(county_store, read_only=True) as store:
        vigo = history(store, "Vigo County, IN")
    assert vigo.place.id == "18167"
    assert [y.with_winner for y in vigo.years] == [True, True, True, True, True, False]
    # 2000's president is the historical one (Bush), though this file's Florida counties put
    # Gore 202 votes ahead: stored returns never re-decide who became president
    assert vigo.years[0].president == "Republican"
    assert vigo.bellwether == (5, 6) and vigo.streak == 0


def test_trend_is_the_move_of_the_lean(county_store: Path) -> None:
    with Store(county_store, read_only=True) as store:
        boone = history(store, "29019")
    for before, after in zip(boone.years, boone.years[1:], strict=False):
        assert after.trend == after.lean - before.lean
        assert after.national_trend == after.national_lean - before.national_lean  # type: ignore[operator]
    assert boone.years[0].trend is None


# ---- margins, swing and lean pinned to the MEDSL file, counted here -----------------------------
# Read with the csv module alone: a unit's votes are its TOTAL rows, or the sum of its vote-mode rows
# where the file gives no TOTAL (README in the data folder); rows without a count (NA) are skipped.

Tally = dict[tuple[int, str], dict[str, int]]  # (year, county FIPS or state) → D, R, all


@pytest.fixture(scope="module")
def medsl_tally() -> Tally:
    import csv
    import gzip

    from tests.conftest import SHARED

    path = SHARED / FILE
    if not path.is_file():
        pytest.skip(f"{path} is absent: these tests read the real data in ../shared")
    rows: dict[tuple[int, str, str], list[dict[str, str]]] = {}
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        every = [row for row in csv.DictReader(handle) if row["candidatevotes"] != "NA"]
    # Pseudo-counties (CT "STATEWIDE WRITEIN" …) have state_po NA: their state is named in full.
    po = {row["state"]: row["state_po"] for row in every if row["state_po"] != "NA"}
    for row in every:
        key = (int(row["year"]), po[row["state"]], row["county_fips"] + row["county_name"])
        rows.setdefault(key, []).append(row)
    side = {"DEMOCRAT": "D", "REPUBLICAN": "R"}
    tally: Tally = {}
    for (year, state, _), unit in rows.items():
        totals = [r for r in unit if r["mode"] == "TOTAL"]
        for row in totals or unit:
            votes = int(row["candidatevotes"])
            for place in (state, row["county_fips"].zfill(5)):
                counts = tally.setdefault((year, place), {"D": 0, "R": 0, "all": 0})
                counts["all"] += votes
                if row["party"] in side:
                    counts[side[row["party"]]] += votes
    return tally


def expected_margin(tally: Tally, year: int, place: str) -> Fraction:
    counts = tally[(year, place)]
    return Fraction(counts["D"] - counts["R"], counts["all"])


# Boone County MO flipped in 2004 and back in 2008; Litchfield CT flipped in 2004; Wake NC's 2020
# votes come only by vote mode; Ohio is a state; Vigo IN a bellwether.
PINNED = [("Boone County, MO", "29019", "MO"), ("Litchfield County, CT", "09005", "CT"),
          ("Wake County, NC", "37183", "NC"), ("OH", "OH", "OH"), ("Vigo County, IN", "18167", "IN")]


@pytest.mark.parametrize("query, place, state", PINNED)
def test_margin_swing_and_lean_are_the_files_counts(county_store: Path, medsl_tally: Tally,
                                                     query: str, place: str, state: str) -> None:
    with Store(county_store, read_only=True) as store:
        record = history(store, query)
    assert [y.year for y in record.years] == [2000, 2004, 2008, 2012, 2016, 2020]
    for before, year in zip((None, *record.years), record.years, strict=False):
        margin = expected_margin(medsl_tally, year.year, place)
        state_margin = expected_margin(medsl_tally, year.year, state)
        assert year.total == medsl_tally[(year.year, place)]["all"], (query, year.year)
        assert (year.margin, year.state_margin, year.lean) == \
            (margin, state_margin, margin - state_margin), (query, year.year)
        if before is not None:
            assert year.swing == margin - expected_margin(medsl_tally, before.year, place)


def test_boone_county_2004_in_figures(county_store: Path, medsl_tally: Tally) -> None:
    """Boone's 2004 margin, swing and lean as a reader would check them by hand (percentage points,
    from the file's counts)."""
    with Store(county_store, read_only=True) as store:
        by_year = {y.year: y for y in history(store, "Boone County, MO").years}
    counts = medsl_tally[(2004, "29019")]
    assert by_year[2004].votes["Democratic"] == counts["D"]
    assert by_year[2004].votes["Republican"] == counts["R"]
    assert by_year[2004].winner == "Republican" and by_year[2004].margin < 0
    assert by_year[2004].swing is not None and by_year[2004].swing < 0  # toward Bush from 2000
    assert by_year[2004].lean > 0  # still more Democratic than Missouri
