"""Apportionment by equal proportions: the three censuses against the Census Bureau's Table 1, the
famous close calls, random what-ifs against an independent slow implementation, and bad input.

Official seats: U.S. Census Bureau, "Table 1. Apportionment population and number of
representatives, by state" for 2000, 2010 and 2020 (../shared/data/apportionment/, shipped as
src/electoral/data/apportionment.csv by scripts/derive_apportionment.py).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from electoral.cli import app
from electoral.errors import NotFoundError, ValidationError
from electoral.io.populations import read_populations
from electoral.tabulate.apportion import (
    CENSUSES,
    STATES,
    apportion,
    census_for,
    census_populations,
    electors_for,
    official_seats,
)

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def slow_huntington_hill(populations: dict[str, int], seats: int) -> dict[str, int]:
    """Seat by seat, scan every state for the largest priority P/sqrt(n(n+1)), comparing squares by
    integer cross-multiplication; an exact tie goes to the state code that sorts first."""
    held = dict.fromkeys(populations, 1)
    for _ in range(seats - len(populations)):
        best = None
        for state in sorted(populations):
            n = held[state]
            num, den = populations[state] ** 2, n * (n + 1)
            if best is None or num * best[2] > best[1] * den:
                best = (state, num, den)
        held[best[0]] += 1
    return held


@pytest.mark.parametrize("census", CENSUSES)
def test_each_census_reproduces_the_official_seats(census: int) -> None:
    result = apportion(census_populations(census))
    assert result.seats == official_seats(census)
    assert sum(result.seats.values()) == 435
    assert slow_huntington_hill(census_populations(census), 435) == official_seats(census)


@pytest.mark.parametrize(("census", "last", "nth", "priority", "next_state", "shortfall"), [
    (2020, "MN", 8, "762997.71", "NY", 89),  # New York lost seat 435 by 89 people
    (2010, "MN", 8, None, "NC", None),
    (2000, "NC", 13, None, "UT", 856),  # Utah's 856 people (Utah v. Evans)
])
def test_the_last_seat_and_who_was_next(census, last, nth, priority, next_state,
                                        shortfall) -> None:
    result = apportion(census_populations(census))
    assert (result.last.seat, result.last.state, result.last.nth) == (435, last, nth)
    assert result.next_in_line[0].state == next_state
    assert result.next_in_line[0].seat == 436
    if priority:
        assert result.last.priority == Decimal(priority)
        assert result.next_in_line[0].priority == Decimal("762994.35")
    if shortfall:
        assert result.next_in_line[0].shortfall == shortfall


def test_the_shortfall_is_exactly_enough() -> None:
    populations = census_populations(2020)
    ny = apportion(populations).next_in_line[0]
    more = apportion({**populations, "NY": populations["NY"] + ny.shortfall})
    fewer = apportion({**populations, "NY": populations["NY"] + ny.shortfall - 1})
    assert (more.seats["NY"], more.seats["MN"]) == (27, 7)
    assert (fewer.seats["NY"], fewer.seats["MN"]) == (26, 8)


populations_strategy = st.dictionaries(
    st.sampled_from(STATES), st.integers(min_value=1, max_value=40_000_000), min_size=1,
    max_size=15)


@settings(max_examples=150, deadline=None)
@given(populations_strategy, st.integers(min_value=0, max_value=80))
def test_random_what_ifs_agree_with_the_slow_implementation(populations, extra) -> None:
    seats = len(populations) + extra
    result = apportion(populations, seats)
    assert sum(result.seats.values()) == seats
    assert all(n >= 1 for n in result.seats.values())
    assert result.seats == slow_huntington_hill(populations, seats)
    assert len(result.assignments) == extra


@settings(max_examples=60, deadline=None)
@given(populations_strategy, st.integers(min_value=0, max_value=40))
def test_a_larger_house_never_takes_a_seat_away(populations, extra) -> None:
    seats = len(populations) + extra
    smaller, larger = apportion(populations, seats), apportion(populations, seats + 1)
    assert all(larger.seats[s] >= smaller.seats[s] for s in populations)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=3), min_size=50, max_size=50))
def test_small_populations_with_ties_still_fill_the_house(values) -> None:
    populations = dict(zip(STATES, values, strict=True))
    result = apportion(populations, 120)
    assert result.seats == slow_huntington_hill(populations, 120)


def test_electors_follow_the_census_in_force() -> None:
    for year in range(2004, 2029, 4):
        assert sum(electors_for(year).values()) == 538
        assert electors_for(year)["DC"] == 3
    assert [electors_for(y)["TX"] for y in (2004, 2012, 2024)] == [34, 38, 40]
    assert [electors_for(y)["CA"] for y in (2008, 2020, 2028)] == [55, 55, 54]
    assert electors_for(2004)["CT"] == 7
    assert [census_for(y) for y in (2004, 2008, 2012, 2016, 2020, 2024, 2028)] == [
        2000, 2000, 2010, 2010, 2010, 2020, 2020]
    assert apportion(census_populations(2020)).electors() == electors_for(2024)


@pytest.mark.parametrize("year", [1968, 2006, 2032, 1789])
def test_a_year_without_an_apportionment_is_refused(year: int) -> None:
    with pytest.raises(NotFoundError, match=str(year)):
        electors_for(year)


def test_seats_fewer_than_states_are_refused() -> None:
    with pytest.raises(ValidationError, match="at least as many seats as states"):
        apportion(census_populations(2020), 49)


def _file(rows: dict[str, int], extra: str = "") -> str:
    return "state_po,population\n" + "".join(f"{s},{p}\n" for s, p in rows.items()) + extra


def test_a_populations_file_lists_every_problem_with_its_line() -> None:
    rows = census_populations(2020)
    del rows["WY"]
    text = _file(rows, "CA,5\nZZ,10\nDC,abc\n")
    with pytest.raises(ValidationError) as caught:
        read_populations(io.StringIO(text), "pops.csv")
    problems = {p.code: p for p in caught.value.problems}
    assert set(problems) == {"duplicate-state", "unknown-state", "bad-population", "missing-state"}
    assert (problems["duplicate-state"].line, problems["duplicate-state"].field) == (51, "state_po")
    assert problems["bad-population"].line == 53
    assert "WY" in problems["missing-state"].message
    assert all(p.source == "pops.csv" for p in problems.values())


def test_a_populations_file_needs_its_columns() -> None:
    with pytest.raises(ValidationError, match="state_po,population"):
        read_populations(io.StringIO("state,pop\nCA,1\n"))


def test_dc_may_be_apportioned_as_a_state() -> None:
    rows = {**census_populations(2020), "DC": 689_545}
    result = apportion(read_populations(io.StringIO(_file(rows))))
    assert result.seats["DC"] == 1 and sum(result.seats.values()) == 435
    # As a state DC has 1 seat + 2 senators: 435 + 2 × 51 electors in all.
    assert result.electors()["DC"] == 3 and sum(result.electors().values()) == 537


# ---- the command -------------------------------------------------------------------------------


def test_cli_json_gives_seats_electors_and_next_in_line() -> None:
    result = runner.invoke(app, ["apportion", "--census", "2020", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["seats"]["CA"] == 52 and data["electors"]["CA"] == 54
    assert data["electors"]["DC"] == 3 and sum(data["electors"].values()) == 538
    assert data["matches_official"] is True
    assert data["last_seats"][-1] == {"seat": 435, "state": "MN", "nth": 8,
                                      "priority": "762997.71"}
    assert data["next_in_line"][0]["state"] == "NY" and data["next_in_line"][0]["shortfall"] == 89


def test_cli_what_if_populations_file(tmp_path: Path) -> None:
    rows = census_populations(2020)
    rows["NY"] += 89
    path = tmp_path / "pops.csv"
    path.write_text(_file(rows))
    result = runner.invoke(app, ["apportion", "--populations", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["seats"]["NY"] == 27
    text = runner.invoke(app, ["apportion", "--populations", str(path), "--seats", "436"])
    assert text.exit_code == 0 and "Seat 436" in text.output


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--census", "1990"], 1, "census 1990"),
    (["--seats", "49"], 1, "at least as many seats"),
    (["--census", "2020", "--populations", "x.csv"], 2, "not both"),
    (["--populations", "/nonexistent/pops.csv"], 1, "no file"),
    (["--census", "twenty"], 2, "--census"),
])
def test_cli_bad_input_exits_with_a_clear_message(args, code, message) -> None:
    result = runner.invoke(app, ["apportion", *args])
    assert result.exit_code == code
    assert message in " ".join(result.output.split())


def test_cli_bad_populations_file_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "pops.csv"
    path.write_text(_file(census_populations(2020), "TX,100\n"))
    result = runner.invoke(app, ["apportion", "--populations", str(path)])
    assert result.exit_code == 1
    assert "pops.csv:52 [state_po]: TX appears twice" in result.output


@pytest.mark.parametrize("fmt", ["md", "wiki", "text"])
def test_cli_tables(fmt: str) -> None:
    result = runner.invoke(app, ["apportion", "--census", "2010", "-f", fmt])
    assert result.exit_code == 0
    assert "Texas" in result.output and "District of Columbia" in result.output
    assert ('{| class="wikitable' in result.output) == (fmt == "wiki")


def test_the_shipped_tables_match_the_census_files(shared: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "derive_apportionment.py"),
                           "--check", "--shared", str(shared)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_2020_apportionment_matches_its_golden_file(golden) -> None:
    result = runner.invoke(app, ["apportion", "--census", "2020", "-f", "md"])
    assert result.exit_code == 0
    golden("electors_apportion_2020.md", result.output)


@pytest.mark.parametrize("year, census", [(1976, 1970), (1980, 1970), (1984, 1980), (1988, 1980),
                                          (1992, 1990), (2000, 1990), (2004, 2000)])
def test_elections_from_1972_use_their_census(year: int, census: int) -> None:
    from electoral.tabulate.apportion import census_for, electors_for

    assert census_for(year) == census
    electors = electors_for(year)
    assert len(electors) == 51 and sum(electors.values()) == 538 and electors["DC"] == 3


def test_the_1970s_to_1990s_electors_of_the_large_states() -> None:
    # National Archives, distribution of electoral votes: CA 45/47/54, NY 41/36/33, TX 26/29/32
    from electoral.tabulate.apportion import electors_for

    assert [(electors_for(y)["CA"], electors_for(y)["NY"], electors_for(y)["TX"])
            for y in (1976, 1984, 1992)] == [(45, 41, 26), (47, 36, 29), (54, 33, 32)]
