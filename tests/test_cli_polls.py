"""`electoral polls` through the CLI runner: averages of the real 538 files, exit codes, bad rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from electoral.cli import app
from tests.io.test_polls import HEADER_2020, PRESIDENT, RAW, row_2020

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_json_has_every_geography_and_intervals_around_the_margins() -> None:
    result = run("polls", PRESIDENT, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2020-10-20"
    states = {s["geography"]: s for s in data["states"]}
    assert len(states) == 55 and states["PA"]["polls"] == 124 and states["NE-01"]["polls"] == 1
    for s in states.values():
        assert float(s["low_95"]) < float(s["margin"]) < float(s["high_95"])
        assert float(s["democratic"]) - float(s["republican"]) == pytest.approx(
            float(s["margin"]), abs=0.011)
    with PRESIDENT.open(encoding="utf-8") as f:
        pollsters = {r["pollster"] for r in csv.DictReader(f)}
    assert {h["pollster"] for h in data["house_effects"]} == pollsters


def test_csv_has_a_row_per_state_and_per_pollster() -> None:
    result = run("polls", PRESIDENT, "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert sum(r["record"] == "state" for r in rows) == 55
    assert all(r["house_effect"] for r in rows if r["record"] == "pollster")


def test_one_state_is_that_states_row_of_the_whole() -> None:
    whole = json.loads(run("polls", PRESIDENT, "-f", "json").stdout)
    one = json.loads(run("polls", PRESIDENT, "--state", "pa", "-f", "json").stdout)
    assert one["states"] == [s for s in whole["states"] if s["geography"] == "PA"]
    assert 0 < len(one["house_effects"]) < len(whole["house_effects"])
    text = run("polls", PRESIDENT, "--state", "ME-02")
    assert text.exit_code == 0 and "ME-02" in text.stdout and "House effects" in text.stdout


def test_raw_polls_as_of_a_date_use_the_polls_ending_by_it() -> None:
    result = run("polls", RAW, "--as-of", "2016-11-07", "--state", "PA", "-f", "json")
    assert result.exit_code == 0, result.output
    with RAW.open(encoding="utf-8") as f:
        # the 2016 election's polls only: raw-polls holds 2000–2020
        expected = sum(1 for r in csv.DictReader(f) if r["location"] == "PA" and r["year"] == "2016"
                       and dt.datetime.strptime(r["polldate"], "%m/%d/%Y").date() <= dt.date(2016, 11, 7))
    assert json.loads(result.stdout)["states"][0]["polls"] == expected


def test_a_bad_row_fails_with_its_location(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("\n".join((HEADER_2020, row_2020(end="10/12/20220"))) + "\n", encoding="utf-8")
    result = run("polls", path)
    assert result.exit_code == 1
    assert "bad.csv:2 [end_date]" in result.output and "20220" in result.output


def test_usage_and_missing_states_exit_as_they_should(tmp_path: Path) -> None:
    assert run("polls", PRESIDENT, "--as-of", "October").exit_code == 2
    assert run("polls", PRESIDENT, "--state", "XX").exit_code == 1
    assert run("polls", PRESIDENT, "--as-of", "2018-01-01").exit_code == 1
    assert run("polls", tmp_path / "none.csv").exit_code == 1


# ---- polls in the store: import, list, average ----------------------------------------------------


def small_file(folder: Path, name: str = "small.csv") -> Path:
    path = folder / name
    path.write_text("\n".join((
        HEADER_2020, row_2020("1", "10", pct="46.0"),
        row_2020("1", "10", name="Donald Trump", party="REP", pct="44.5"),
        row_2020("2", "11", state="Ohio", end="9/23/20"),
        row_2020("2", "11", state="Ohio", end="9/23/20", name="Donald Trump", party="REP",
                 pct="47"))) + "\n", encoding="utf-8")
    return path


def test_import_then_list_in_every_format(tmp_path: Path, db: Path) -> None:
    path = small_file(tmp_path)
    stored = run("polls", "import", path, "--db", db)
    assert stored.exit_code == 0, stored.output
    assert "small.csv: 2 polls (4 answers) stored" in stored.stdout
    again = run("polls", "import", path, "--db", db, "--format", "json")
    assert json.loads(again.stdout)["files"][0]["again"] is True

    listed = json.loads(run("polls", "list", "--db", db, "-f", "json").stdout)["polls"]
    assert [p["id"] for p in listed] == ["10", "11"]
    assert listed[1]["questions"][0]["answers"][1] == {"candidate": "Donald Trump",
                                                       "party": "republican", "share": "47"}
    assert listed[0]["source"] == "small.csv" and listed[0]["questions"][0]["line"] == 2
    rows = list(csv.DictReader(io.StringIO(run("polls", "list", "--db", db, "--state", "OH",
                                               "-f", "csv").stdout)))
    assert [(r["poll_id"], r["candidate"], r["share"]) for r in rows] == [
        ("11", "Joseph R. Biden Jr.", "46.0"), ("11", "Donald Trump", "47")]
    md = run("polls", "list", "--db", db, "--as-of", "2020-09-22", "-f", "md").stdout
    assert "| 2020-09-22 | IA | Monmouth University | LV | 402 | 46.0 | 44.5 | D+1.5 | small.csv:2 |" in md
    assert "OH" not in md
    text = run("polls", "list", "--db", db, "--pollster", "monmouth")
    assert text.exit_code == 0 and "R+1" in text.stdout


def test_a_bad_file_is_refused_with_its_location_and_nothing_is_stored(tmp_path: Path,
                                                                      db: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join((HEADER_2020, row_2020("9", "90", pct=""))) + "\n", encoding="utf-8")
    result = run("polls", "import", small_file(tmp_path), bad, "--db", db)
    assert result.exit_code == 1 and "bad.csv:2 [pct]" in result.output
    listed = run("polls", "list", "--db", db)
    assert listed.exit_code == 1 and "no poll is stored" in listed.output


def test_another_files_polls_need_replace_or_skip_existing(tmp_path: Path, db: Path) -> None:
    assert run("polls", "import", small_file(tmp_path, "a.csv"), "--db", db).exit_code == 0
    second = small_file(tmp_path, "b.csv")
    refused = run("polls", "import", second, "--db", db)
    assert refused.exit_code == 1
    assert "b.csv:2 [poll_id]: poll 10" in refused.output and "already stored from a.csv" in refused.output
    assert run("polls", "import", second, "--db", db, "--replace", "--skip-existing").exit_code == 1
    moved = run("polls", "import", second, "--db", db, "--replace")
    assert moved.exit_code == 0 and "2 poll(s) moved here from other files" in moved.stdout
    listed = json.loads(run("polls", "list", "--db", db, "-f", "json").stdout)["polls"]
    assert {p["source"] for p in listed} == {"b.csv"}


def test_the_average_of_the_stored_polls_is_the_average_of_the_file(tmp_path: Path, db: Path) -> None:
    assert run("polls", "import", PRESIDENT, "--db", db).exit_code == 0
    for args in (("-f", "json"), ("--state", "PA", "-f", "csv"), ("--as-of", "2020-09-01", "-f", "md")):
        from_store = run("polls", "average", "--db", db, *args)
        from_file = run("polls", "average", PRESIDENT, *args)
        assert from_store.exit_code == 0 and from_store.stdout == from_file.stdout
        assert run("polls", PRESIDENT, *args).stdout == from_file.stdout  # the old spelling
    assert "| PA | 124 |" in run("polls", "average", "--db", db, "--state", "PA", "-f", "md").stdout
    # raw-polls' 2000–2020 polls beside them: an average is of one election's polls
    assert run("polls", "import", RAW, "--db", db, "--skip-existing").exit_code == 0
    assert run("polls", "average", "--db", db, "-f", "csv").stdout == run(
        "polls", "average", PRESIDENT, "-f", "csv").stdout


def test_the_polls_group_lists_its_commands_and_an_empty_store_says_so(db: Path) -> None:
    helped = run("polls", "--help")
    assert helped.exit_code == 0 and all(c in helped.stdout for c in ("import", "list", "average"))
    assert run("polls").exit_code in (0, 2) and "import" in run("polls").output
    missing = run("polls", "average", "--db", db)
    assert missing.exit_code == 1 and "no results database" in missing.output


def test_a_forecast_goes_on_a_page_of_a_presidential_election_only(db: Path) -> None:
    told = run("report", "2020-PA-president", "--forecast", "--db", db)
    assert told.exit_code == 2 and "--format html --out DIR" in told.output
    from electoral import api
    from electoral.errors import ValidationError

    with api.open_store(":memory:", write=True) as store, pytest.raises(
            ValidationError, match="not a presidential election"):
        api.election_forecast(store, "2020-PA-senate")
