"""OpenElections CSVs: the real MA, CT and IA files reproduce the certified totals."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from electoral.columns import ReturnsTable
from electoral.errors import ValidationError
from electoral.io import ReadOptions, read_path
from electoral.io.openelections import read_openelections
from electoral.io.stage import stage, validate
from electoral.model import UnitKind
from electoral.tabulate.rollup import roll_up

FOLDER = "data/precinct/openelections"


def statewide(shared: Path, name: str) -> dict[str, int]:
    (returns,) = read_path(shared / FOLDER / name)
    state = roll_up(returns, "state").total
    return {returns.candidate(cid).name: votes for cid, votes in state.votes.items()}


def test_ma_2004_towns_without_the_totals_pseudo_town(shared: Path) -> None:
    votes = statewide(shared, "20041102__ma__general__precinct.csv.gz")
    assert votes["Kerry and Edwards"] == 1803800
    assert votes["Bush and Cheney"] == 1071109


def test_ct_2016_split_precincts_are_added(shared: Path) -> None:
    votes = statewide(shared, "20161108__ct__general__precinct.csv.gz")
    assert (votes["Clinton and Kaine"], votes["Trump and Pence"]) == (897572, 673215)


def test_ia_2020_vote_types_are_not_double_counted(shared: Path) -> None:
    (returns,) = read_path(shared / FOLDER / "20201103__ia__general__precinct.csv.gz")
    state = roll_up(returns, "state").total
    names = {returns.candidate(c).name: v for c, v in state.votes.items()}
    assert names["Donald J. Trump and Michael R. Pence"] == 897672
    assert names["Joseph R. Biden and Kamala D. Harris"] == 759061
    assert len(list(returns.units_of(UnitKind.COUNTY))) == 99


def read(text: str, name: str = "20041102__ct__general__town.csv") -> list:
    return read_openelections(io.StringIO(text), name, ReadOptions())


def test_pseudo_candidates_are_accounted_for() -> None:
    # The reader passes the rows that are not votes through; the import stage leaves them out
    # (io.rules_labels.pseudo_rows), so the reader's output is checked after the stage.
    (table,) = stage([ReturnsTable.of(r) for r in read("town,office,candidate,party,votes\n"
                                                       "Andover,President,Kerry,Democratic,10\n"
                                                       "Andover,President,Total Votes Cast,,12\n"
                                                       "Andover,President,Blank Votes,,2\n"
                                                       "Andover,Governor,Someone,,7\n")])
    returns = table.materialized()
    assert [c.votes for c in returns.counts] == [10]
    assert returns.facts[0].ballots_cast == 12
    reasons = {e.reason for e in returns.exclusions}
    assert any("blank" in r for r in reasons) and any("another office" in r for r in reasons)


@pytest.mark.parametrize("text,field", [
    ("county,office,candidate,votes\nX,President,Kerry,-3\n", "votes"),
    ("county,office,candidate,votes\nX,President,Kerry,many\n", "votes"),
    ("county,office,candidate,votes,absentee\nX,President,Kerry,3,x\n", "absentee"),
])
def test_bad_counts_are_named(text: str, field: str) -> None:
    with pytest.raises(ValidationError) as caught:  # a negative count: the import stage's
        [validate(returns) for returns in read(text)]
    assert (caught.value.problems[0].line, caught.value.problems[0].field) == (2, field)


def test_missing_columns_and_unknown_election() -> None:
    with pytest.raises(ValidationError) as caught:
        read("county,office,candidate\n")
    assert caught.value.problems[0].field == "votes"
    with pytest.raises(ValidationError) as caught:
        read("county,office,candidate,votes\n", name="results.csv")
    assert "--election" in caught.value.problems[0].message


def test_a_withheld_cell_is_unknown_never_zero() -> None:
    """'*' (a cell the source withholds) is an unknown count, in ``votes`` and in a vote-type
    column alike; a split precinct with a withheld part is withheld as a whole, never the known
    part alone."""
    (table,) = stage([ReturnsTable.of(r) for r in read(
        "county,precinct,office,candidate,party,votes,election_day\n"
        "Kent,A,President,Ada Marsh,DEM,*,*\n"
        "Kent,B,President,Ada Marsh,DEM,40,40\n"
        "Kent,C,President,Ada Marsh,DEM,10,10\n"
        "Kent,C,President,Ada Marsh,DEM,*,*\n"
        "Kent,A,President,Cole Dunmore,REP,30,30\n", "20201103__de__general__precinct.csv")])
    counts = {(c.unit.rsplit("/", 1)[-1].upper(), c.vote_type.value): c.votes
              for c in table.materialized().counts if c.candidate.startswith("ada")}
    assert counts[("A", "total")] is None and counts[("A", "election_day")] is None
    assert counts[("B", "total")] == 40
    assert counts[("C", "total")] is None  # 10 + withheld: unknown
    row = roll_up(table.materialized(), UnitKind.STATE).total
    marsh = next(c for c in row.votes if c.startswith("ada"))
    assert row.votes[marsh] == 40 and row.suppressed[marsh] == 2  # at least 40, two cells withheld
