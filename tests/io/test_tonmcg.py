"""tonmcg county files (2020, 2024 and the 2008–2016 wide file) from ../shared."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from electoral.errors import ValidationError
from electoral.io import Format, ReadOptions, detect_format, open_source, read_path
from electoral.io.stage import validate
from electoral.io.tonmcg import read_tonmcg
from electoral.model import UnitKind
from electoral.tabulate.rollup import roll_up

FOLDER = "data/county_presidential"
Y2024 = f"{FOLDER}/tonmcg_2024_US_County_Level_Presidential_Results.csv"
WIDE = f"{FOLDER}/tonmcg_US_County_Level_Presidential_Results_08-16.csv"
HEADER = ("state_name,county_fips,county_name,votes_gop,votes_dem,total_votes,diff,per_gop,"
          "per_dem,per_point_diff\n")


def test_2024_national_sums(shared: Path) -> None:
    assert detect_format(open_source(shared / Y2024)) is Format.TONMCG
    states = read_path(shared / Y2024)
    assert len(states) == 51
    national = {"republican": 0, "democratic": 0, "other": 0}
    for returns in states:
        validate(returns)
        for count in returns.counts:
            national[count.candidate] += count.votes
    # The folder README: GOP 77,294,799, DEM 75,006,739, total 154,863,739.
    assert national["republican"] == 77_294_799 and national["democratic"] == 75_006_739
    assert sum(national.values()) == 154_863_739
    boone = roll_up(next(r for r in states if r.election.state == "MO"), UnitKind.COUNTY)
    assert boone.row("29019").unit.name == "Boone County"


def test_the_wide_file_gives_three_elections_and_its_inconsistencies(shared: Path) -> None:
    elections = {r.election.id: r for r in read_path(shared / WIDE)}
    assert len(elections) == 150  # 3 years × 50 (no Alaska in this file)
    assert "2008-AK-president" not in elections
    sauk = elections["2008-WI-president"]
    (rest,) = sauk.exclusions
    assert (rest.line, rest.votes, rest.label) == (81, 450, "Sauk County")
    notes = list(elections["2008-OH-president"].notes)
    assert notes == ["line 286: total_2008=23069 is 15 less than the parties' votes in Ottawa "
                     "County; the parties' votes are kept"]
    ottawa = roll_up(elections["2008-OH-president"], UnitKind.COUNTY).row("39123")
    assert ottawa.votes == {"republican": 10_618, "democratic": 12_064, "other": 402}


def test_year_and_bad_rows() -> None:
    text = HEADER + "Missouri,29019,Boone County,10,20,35,,,,\n"
    with pytest.raises(ValidationError, match="election year"):
        read_tonmcg(io.StringIO(text), "counties.csv", ReadOptions())
    (boone,) = read_tonmcg(io.StringIO(text), "counties_2020.csv", ReadOptions())
    assert {c.candidate: c.votes for c in boone.counts} == {
        "republican": 10, "democratic": 20, "other": 5}
    bad = HEADER + "Missouri,99019,Boone County,10,20,35,,,,\nMissouri,29019,Boone,x,20,35,,,,\n"
    with pytest.raises(ValidationError) as caught:
        read_tonmcg(io.StringIO(bad), "counties_2020.csv", ReadOptions())
    assert {(p.line, p.field) for p in caught.value.problems} == {(2, "county_fips"),
                                                                  (3, "votes_gop")}
