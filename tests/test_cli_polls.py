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
        expected = sum(1 for r in csv.DictReader(f) if r["location"] == "PA" and
                       dt.datetime.strptime(r["polldate"], "%m/%d/%Y").date() <= dt.date(2016, 11, 7))
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
