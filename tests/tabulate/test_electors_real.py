"""The Electoral College from the real MEDSL state returns, imported into a temporary store.

Official counts: National Archives, Electoral College results
(https://www.archives.gov/electoral-college/{2004,2008,2012,2016,2020,2024}). Pledged 2016 counts
before the seven faithless electors: Trump 306, Clinton 232. District splits: NE-02 2008 Obama,
2020 Biden, 2024 Harris; ME-02 2016, 2020 and 2024 Trump.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from electoral.cli import app
from electoral.store import Store
from tests.conftest import SHARED

pytestmark = pytest.mark.slow
runner = CliRunner()
FILES = ("1976-2020-president.csv", "2024-president-state.csv")

# year: (winner, pledged, cast), each {surname: electors}; 1976–2000 on the electors of the
# 1970/1980/1990 censuses (data/electors_1972_2000.csv) and, for Maine and Nebraska, the
# district electors of data/district_electors.csv
OFFICIAL = {
    1976: ("Jimmy Carter", {"Carter": 297, "Ford": 241},
           {"Carter": 297, "Ford": 240, "Reagan": 1}),
    1980: ("Ronald Reagan", {"Reagan": 489, "Carter": 49}, {"Reagan": 489, "Carter": 49}),
    1984: ("Ronald Reagan", {"Reagan": 525, "Mondale": 13}, {"Reagan": 525, "Mondale": 13}),
    1988: ("George H.W. Bush", {"Bush": 426, "Dukakis": 112},
           {"Bush": 426, "Dukakis": 111, "Bentsen": 1}),
    1992: ("Bill Clinton", {"Clinton": 370, "Bush": 168}, {"Clinton": 370, "Bush": 168}),
    1996: ("Bill Clinton", {"Clinton": 379, "Dole": 159}, {"Clinton": 379, "Dole": 159}),
    2000: ("George W. Bush", {"Bush": 271, "Gore": 267}, {"Bush": 271, "Gore": 266}),
    2004: ("George W. Bush", {"Bush": 286, "Kerry": 252},
           {"Bush": 286, "Kerry": 251, "Edwards": 1}),
    2008: ("Barack H. Obama", {"Obama": 365, "McCain": 173}, {"Obama": 365, "McCain": 173}),
    2012: ("Barack H. Obama", {"Obama": 332, "Romney": 206}, {"Obama": 332, "Romney": 206}),
    2016: ("Donald J. Trump", {"Trump": 306, "Clinton": 232},
           {"Trump": 304, "Clinton": 227, "Powell": 3, "Kasich": 1, "Paul": 1, "Sanders": 1,
            "Eagle": 1}),
    2020: ("Joseph R. Biden Jr.", {"Biden": 306, "Trump": 232}, {"Biden": 306, "Trump": 232}),
    2024: ("Donald J. Trump", {"Trump": 312, "Harris": 226}, {"Trump": 312, "Harris": 226}),
}
SPLITS = {2008: {"NE-02": "Obama"}, 2016: {"ME-02": "Trump"},
          2020: {"NE-02": "Biden", "ME-02": "Trump"}, 2024: {"NE-02": "Harris", "ME-02": "Trump"}}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: these tests read the MEDSL files in ../shared")
    path = tmp_path_factory.mktemp("college") / "college.duckdb"
    files = [str(SHARED / "data" / "state_presidential" / name) for name in FILES]
    result = runner.invoke(app, ["import", *files, "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


def college(store_path: Path, *args: str) -> dict:
    result = runner.invoke(app, ["college", *args, "--db", str(store_path), "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def surname(name: str) -> str:
    return name.replace(" Jr.", "").split()[-1]


def surnames(data: dict, column: str) -> dict[str, int]:
    return {surname(c["name"]): c[column] for c in data["candidates"] if c[column]}


@pytest.mark.parametrize("year", sorted(OFFICIAL))
def test_pledged_and_cast_electoral_votes_are_official(store_path: Path, year: int) -> None:
    winner, pledged, cast = OFFICIAL[year]
    data = college(store_path, str(year))
    assert (data["year"], data["total"], data["needed"]) == (year, 538, 270)
    assert data["winner"] == winner and data["contingent"] is False
    assert surnames(data, "pledged") == pledged
    assert surnames(data, "cast") == cast
    assert len(data["states"]) == 51
    assert sum(s["electors"] for s in data["states"]) == 538
    splits = {d["id"]: surname(d["winner"]) for s in data["states"]
              for d in s.get("districts", ()) if d["winner"] != s["winner"]}
    assert splits == SPLITS.get(year, {})


def test_the_2004_state_entries(store_path: Path) -> None:
    data = college(store_path, "2004")
    ohio = next(s for s in data["states"] if s["state"] == "OH")
    assert ohio["electors"] == 20 and ohio["winner"] == "George W. Bush"
    # MEDSL: Bush 2,859,764, Kerry 2,741,165 (the certified margin is 118,601).
    assert ohio["margin"]["votes"] == 118_599
    assert ohio["margin"]["percent"] == "2.11"
    assert data["tipping_point"] == "OH"
    minnesota = data["electors_not_as_pledged"]
    assert [(v["state"], v["president"]) for v in minnesota] == [("MN", "John Edwards")]


@pytest.mark.parametrize(("year", "tipping"), [(2004, ["OH"]), (2012, ["CO"]), (2020, ["WI"]),
                                               (2024, ["PA"]), (2016, ["WI", "PA"])])
def test_tipping_points(store_path: Path, year: int, tipping: list[str]) -> None:
    """2016's depends on ME-02's margin, which the statewide file does not have."""
    data = college(store_path, str(year))
    assert data["tipping_point_candidates"] == tipping
    assert data["tipping_point"] == (tipping[0] if len(tipping) == 1 else None)


def test_arizona_georgia_wisconsin_flipped_is_269_to_269(store_path: Path) -> None:
    data = college(store_path, "2020", "--flip", "AZ,GA,WI")
    assert surnames(data, "pledged") == {"Biden": 269, "Trump": 269}
    assert data["winner"] is None and data["contingent"] is True
    contingent = data["contingent_election"]
    assert contingent["president"]["chamber"] == "House"
    assert contingent["president"]["needed"] == 26
    assert sorted(contingent["president"]["among"]) == ["Donald J. Trump", "Joseph R. Biden Jr."]
    assert contingent["vice_president"]["needed"] == 51
    assert data["tipping_point"] is None
    assert data["scenario"] == "flipped AZ, GA, WI"


def test_a_uniform_swing_re_decides_every_state(store_path: Path) -> None:
    """2020 at R+1: Trump carries AZ, GA and WI (margins under one point) and nothing else."""
    data = college(store_path, "2020", "--swing", "R+1")
    assert surnames(data, "pledged") == {"Biden": 269, "Trump": 269}
    flipped = {s["state"] for s in data["states"] if s["winner"] == "Donald J. Trump"}
    actual = {s["state"] for s in college(store_path, "2020")["states"]
              if s["winner"] == "Donald J. Trump"}
    assert flipped - actual == {"AZ", "GA", "WI"}


def test_the_fewest_votes_that_would_have_changed_2020(store_path: Path) -> None:
    data = college(store_path, "2020")
    deny = next(c for c in data["to_change_outcome"] if c["goal"] == "deny-majority")
    assert deny["contests"] == ["AZ", "GA", "WI"] and deny["electors"] == 37
    margins = {s["state"]: s["margin"]["votes"] for s in data["states"]}
    assert deny["votes"] == sum(margins[s] // 2 + 1 for s in ("AZ", "GA", "WI"))
    # by margin share: GA 0.24%, AZ 0.31%, WI 0.63% (in votes AZ 10,457 < GA 11,779)
    assert [c["id"] for c in data["closest"][:3]] == ["GA", "AZ", "WI"]


@pytest.mark.parametrize("fmt", ["text", "md", "wiki"])
def test_tables(store_path: Path, fmt: str) -> None:
    result = runner.invoke(app, ["college", "2016", "--db", str(store_path), "-f", fmt])
    assert result.exit_code == 0
    assert "Wisconsin" in result.output and "Colin Powell" in result.output
    assert ('{| class="wikitable' in result.output) == (fmt == "wiki")


def test_a_state_electors_section(store_path: Path) -> None:
    result = runner.invoke(app, ["college", "2004", "--state", "ct", "--db", str(store_path),
                                 "-f", "wiki"])
    assert result.exit_code == 0
    assert result.output.startswith("==Electors==")
    assert "Connecticut has 7 electors: one for each of its 5 congressional districts" in (
        " ".join(result.output.split()))


def test_the_slate_comes_from_an_imported_article(store_path: Path, tmp_path: Path) -> None:
    """The seed article on Connecticut 2004 names its seven electors (and Kerry's running mate)."""
    copy = tmp_path / "with-article.duckdb"
    copy.write_bytes(store_path.read_bytes())
    article = SHARED / "seeds" / "000_73e904de25f5574c.txt"
    # issue 10: the article is another source of the stored election: it replaces it when told to
    refused = runner.invoke(app, ["import", str(article), "--db", str(copy)])
    assert refused.exit_code == 1 and "1976-2020-president.csv" in refused.output
    assert runner.invoke(app, ["import", str(article), "--replace", "--db", str(copy)]).exit_code == 0
    result = runner.invoke(app, ["college", "2004", "--state", "CT", "--db", str(copy), "-f", "md"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "all pledged to John Kerry and John Edwards were:" in result.output
    assert lines[-7:] == ["1. Elizabeth O'Neill", "2. Andrea J. Jackson-Brooks", "3. Donna King",
                          "4. Larry Pleasant", "5. David J. Papandrea", "6. Andres Ayala",
                          "7. Joshua King"]
    data = college(copy, "2004")
    assert surnames(data, "cast") == OFFICIAL[2004][2]


@pytest.mark.parametrize(("args", "message"), [
    (["1968"], "1960 census"),
    (["2022"], "not a presidential election year"),
    (["2020", "--flip", "XX"], "not a state code"),
    (["2020", "--swing", "D+two"], "write D+2 or R+1.5"),
    (["2020", "--flip", "OH-07"], "OH-07 is not a contest"),
    (["2020", "--state", "PR"], "no electors for 'PR'"),
])
def test_bad_input_exits_1_and_changes_nothing(store_path: Path, args, message) -> None:
    before = Store(store_path, read_only=True)
    elections = before.elections()
    before.close()
    result = runner.invoke(app, ["college", *args, "--db", str(store_path)])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    after = Store(store_path, read_only=True)
    assert after.elections() == elections
    after.close()


def test_a_year_not_in_the_store(tmp_path: Path) -> None:
    Store(tmp_path / "empty.duckdb").close()  # a store with no elections (issue 11: a missing one is refused)
    result = runner.invoke(app, ["college", "2024", "--db", str(tmp_path / "empty.duckdb")])
    assert result.exit_code == 1
    assert "51 of 51 presidential elections are not in the store" in " ".join(
        result.output.split())


@pytest.mark.parametrize("fmt", ["wiki", "md"])
def test_the_2004_tables_match_their_golden_files(store_path: Path, golden, fmt: str) -> None:
    """The national table and the Electors section of Minnesota, where one elector was faithless."""
    national = runner.invoke(app, ["college", "2004", "--db", str(store_path), "-f", fmt])
    section = runner.invoke(app, ["college", "2004", "--state", "MN", "--db", str(store_path),
                                  "-f", fmt])
    assert national.exit_code == 0 and section.exit_code == 0
    golden(f"electors_college_2004.{fmt}", national.output + "\n" + section.output)
