"""Party-only sources (tonmcg) name their tickets from the nominee table, never blank (issue 10,
F22), and "closest" ranks contests by margin share."""

from __future__ import annotations

import io

from electoral.io import ReadOptions
from electoral.io.tonmcg import nominees, read_tonmcg
from electoral.model import Candidate, Count, Election, Party, Returns, Unit, UnitKind
from electoral.tabulate.electors import state_votes

HEADER = ("state_name,county_fips,county_name,votes_gop,votes_dem,total_votes,diff,per_gop,"
          "per_dem,per_point_diff\n")


def test_the_nominees_of_a_year_come_from_the_fact_table() -> None:
    # National Archives, 2024 and 1976 Electoral College results
    assert [c.name for c in nominees(2024)] == ["Donald J. Trump", "Kamala D. Harris", "Other"]
    assert [c.name for c in nominees(1976)] == ["Gerald R. Ford", "Jimmy Carter", "Other"]
    assert [c.id for c in nominees(2024)] == ["republican", "democratic", "other"]


def test_a_year_without_a_known_nominee_says_whose_nominee() -> None:
    assert [c.name for c in nominees(1960)][:2] == ["Republican nominee", "Democratic nominee"]


def test_a_tonmcg_file_names_both_tickets() -> None:
    text = HEADER + "Pennsylvania,42001,Adams County,37,20,60,,,,\n"
    (adams,) = read_tonmcg(io.StringIO(text), "counties_2024.csv", ReadOptions())
    named = {c.id: c.label for c in adams.candidates}
    assert named == {"republican": "Donald J. Trump", "democratic": "Kamala D. Harris",
                     "other": "Other"}
    assert all(n.name for n in state_votes(adams).nominees)


def test_a_stored_unnamed_ticket_is_its_partys_nominee_in_the_college() -> None:
    # an election stored before the reader named nominees: the college never prints a blank
    returns = Returns(Election(2024, "DE"), (Candidate("republican", "", "republican"),
                                             Candidate("democratic", "", "democratic")),
                      (Unit("DE", "Delaware", UnitKind.STATE),),
                      (Count("DE", "republican", 10), Count("DE", "democratic", 20)),
                      (Party("republican", "Republican"), Party("democratic", "Democratic")))
    names = {n.key: n.name for n in state_votes(returns).nominees}
    assert names == {"republican": "Republican nominee", "democratic": "Democratic nominee"}


def test_college_assume_complete_declares_a_state_with_a_unit_missing(tmp_path) -> None:
    # the second trial: MEDSL's 2000 county file lacks Clifton Forge city, VA, and `college`
    # said "pass --assume-complete" without having the option
    from typer.testing import CliRunner

    from electoral.cli import app

    result = CliRunner().invoke(app, ["college", "--help"])
    assert result.exit_code == 0 and "--assume-complete" in result.output
