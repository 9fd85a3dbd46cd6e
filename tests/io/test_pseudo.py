"""The vocabulary of rows that are not votes for a candidate, and the shape rule (case 01)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from electoral.io import medsl, openelections
from electoral.io.pseudo import (
    VOCABULARY,
    Check,
    PseudoKind,
    UnitRow,
    check_totals,
    pseudo_kind,
    shape_totals,
    write_in_parts,
)

CASE = Path("cases/returns/01-pseudo-candidates")
FILE = "20201103__de__general__precinct.csv"

K = PseudoKind
LABELS = [
    ("Total Votes", K.TOTAL), ("TotalVotes", K.TOTAL), ("TOTAL", K.TOTAL), ("total votes", K.TOTAL),
    ("Contest Total", K.TOTAL), ("Registered Voters", K.REGISTERED_VOTERS),
    ("Ballots Cast", K.BALLOTS_CAST), ("TOTAL BALLOTS CAST", K.BALLOTS_CAST),
    ("Total Votes Cast", K.BALLOTS_CAST), ("Times Counted", K.TIMES_COUNTED),
    ("Times Blank Voted", K.BLANK), ("Blank", K.BLANK), ("BLANK VOTES", K.BLANK), ("Blanks", K.BLANK),
    ("Ballots Cast - Blank", K.BLANK),  # an OpenElections pseudo-office (PA 2020 county file)
    ("Times Over Voted", K.OVER_VOTE), ("Over Votes", K.OVER_VOTE), ("OVERVOTES", K.OVER_VOTE),
    ("Number of Under Votes", K.UNDER_VOTE), ("Under Votes", K.UNDER_VOTE),
    ("UNDERVOTE", K.UNDER_VOTE), ("Spoiled", K.SPOILED), ("VOID", K.SPOILED),
    ("Write-In Totals", K.WRITE_IN_TOTAL), ("WriteIn Totals", K.WRITE_IN_TOTAL),
    ("Not Assigned", K.NOT_ASSIGNED), ("Unresolved Write-In", K.UNRESOLVED_WRITE_IN),
    ("No Preference", K.NO_PREFERENCE), ("BLANK VOTE/SCATTERING", K.BLANK_AND_SCATTERING),
]
CANDIDATES = ["Ada Q. Marsh", "Jonah P. Lark", "Cumulative", "Write-in", "Various candidates",
              "All Others", "Scattering", "Total Energy", "Blankenship", "Don Blankenship"]


@pytest.mark.parametrize(("label", "kind"), LABELS)
def test_vocabulary(label: str, kind: PseudoKind) -> None:
    assert pseudo_kind(label) is kind
    assert kind.description


@pytest.mark.parametrize("label", CANDIDATES)
def test_candidates_and_aggregates_are_not_pseudo_rows(label: str) -> None:
    assert pseudo_kind(label) is None


def test_the_readers_lists_are_in_the_vocabulary() -> None:
    """Every label the MEDSL and OpenElections readers set aside by their own lists before the
    shared vocabulary took them over is in it."""
    former_openelections = ["blank votes", "blanks", "no preference", "over votes", "overvotes",
                            "under votes", "undervotes", "total votes cast", "ballots cast",
                            "total ballots cast"]
    former_medsl = ["OVERVOTES", "OVERVOTE", "OVER VOTE", "OVER VOTES", "UNDERVOTES", "UNDERVOTE",
                    "UNDER VOTE", "UNDER VOTES", "BLANK VOTE", "BLANK VOTES", "BLANK", "BLANKS",
                    "BLANK BALLOTS", "VOID", "VOID VOTE", "VOID VOTES", "SPOILED",
                    "SPOILED BALLOTS", "REJECTED", "INVALID VOTES", "BLANK VOTE/SCATTERING",
                    "BLANK VOTE/VOID VOTE/SCATTERING", "TOTAL BALLOTS CAST", "BALLOTS CAST",
                    "TOTAL VOTES CAST", "CAST VOTES", "CONTEST TOTAL", "TOTAL VOTES", "TOTAL"]
    for label in [*former_medsl, *former_openelections]:
        assert pseudo_kind(label) is not None, label
    assert not any(pseudo_kind(label) for label in (*medsl.GROUPS, *openelections.AGGREGATES) if label)


def test_checks_by_kind() -> None:
    assert K.TOTAL.check is Check.EQUAL
    assert K.BALLOTS_CAST.check is K.TIMES_COUNTED.check is Check.AT_LEAST
    assert K.REGISTERED_VOTERS.check is K.BLANK.check is Check.NONE


def _units(path: Path) -> dict[str, list[tuple[int, UnitRow]]]:
    units: dict[str, list[tuple[int, UnitRow]]] = defaultdict(list)
    for line, row in enumerate(csv.DictReader(path.read_text().splitlines()), start=2):
        units[f"{row['county']}/{row['precinct']}"].append(
            (line, UnitRow(row["candidate"], int(row["votes"]), row["party"] or None)))
    return units


def test_case_01_every_row_left_out_and_every_candidate_counted(shared: Path) -> None:
    units = _units(shared / CASE / FILE)
    contest = {u: [r for _, r in rows] for u, rows in units.items()}
    shapes = shape_totals(contest)
    assert [(s.unit, s.label, s.votes) for s in shapes] == [("Sussex/Cedar 2", "Cumulative", 430)]
    left_out: dict[int, PseudoKind] = {}
    counted: dict[str, int] = defaultdict(int)
    for unit, rows in units.items():
        plain = [r for _, r in rows]
        shape = {s.index for s in shapes if s.unit == unit}
        beside = {w.index for w in write_in_parts(plain) if w.beside_parts and w.agrees}
        for i, (line, row) in enumerate(rows):
            kind = K.TOTAL if i in shape else pseudo_kind(row.label)
            if kind is None:
                counted[row.label] += row.votes
            else:
                assert kind is not K.WRITE_IN_TOTAL or i in beside
                left_out[line] = kind
        assert all(check.ok for check in check_totals(plain, tuple(shape)))
    # the README: 18 rows left out, each with its kind; candidates Marsh 1,872, Dunmore 1,389,
    # Finch 141, Lark 3 (Marsh's Cedar 4 row, 90 = 70 + 20, counted)
    assert sorted(left_out) == [2, 3, 4, 5, 6, 7, 14, 15, 19, 20, 21, 25, 26, 27, 32, 33, 34, 38]
    assert (left_out[3], left_out[33], left_out[38]) == (K.TIMES_COUNTED, K.WRITE_IN_TOTAL, K.TOTAL)
    assert dict(counted) == {"Ada Q. Marsh": 1872, "Cole R. Dunmore": 1389, "Dara J. Finch": 141,
                             "Jonah P. Lark": 3}


def test_case_01_mismatch_rows_are_found(shared: Path) -> None:
    units = _units(shared / CASE / "mismatch" / FILE)
    failed = []
    for rows in units.values():
        for check in check_totals([r for _, r in rows]):
            line = rows[check.index][0]
            if not check.ok:
                failed.append((line, check.label, check.votes, check.candidates))
    assert failed == [(5, "Total Votes", 190, 185), (10, "Ballots Cast", 200, 220)]


def test_write_in_total_beside_its_parts_and_alone() -> None:
    rows = [UnitRow("Ada Q. Marsh", 205, "DEM"), UnitRow("Jonah P. Lark", 3),
            UnitRow("Not Assigned", 5), UnitRow("Write-In Totals", 8)]
    (total,) = write_in_parts(rows)
    assert total.index == 3 and total.parts == (1, 2) and total.beside_parts and total.agrees
    (wrong,) = write_in_parts([*rows[:3], UnitRow("Write-In Totals", 9)])
    assert wrong.beside_parts and not wrong.agrees
    (alone,) = write_in_parts([rows[0], UnitRow("Write-In Totals", 8)])
    assert not alone.beside_parts


def test_shape_rule_never_takes_a_candidate() -> None:
    """A partyless candidate who equals the others in one unit but not in another is counted; a
    label that is the sum wherever it occurs is a total; two rows alone prove nothing."""
    contest = {
        "a": [UnitRow("Lark", 90), UnitRow("Finch", 70), UnitRow("Gantt", 20)],
        "b": [UnitRow("Lark", 10), UnitRow("Finch", 70), UnitRow("Gantt", 20)],
        "c": [UnitRow("Finch", 5), UnitRow("Tally", 5)],
        "d": [UnitRow("Finch", 1), UnitRow("Gantt", 2), UnitRow("Sum", 3), UnitRow("Blank", 7)],
    }
    assert [(s.unit, s.label, s.parts) for s in shape_totals(contest)] == [("d", "Sum", (0, 1))]


ROWS = st.lists(st.tuples(st.sampled_from(["Marsh", "Dunmore", "Finch", "Lark"]),
                          st.integers(1, 500)), min_size=2, max_size=4, unique_by=lambda r: r[0])


@given(st.dictionaries(st.sampled_from("abcd"), ROWS, min_size=1),
       st.sampled_from([label for label, kind in LABELS if kind is not K.WRITE_IN_TOTAL]))
def test_adding_pseudo_rows_changes_no_candidate(contest: dict[str, list[tuple[str, int]]],
                                                 label: str) -> None:
    """Adding a vocabulary row (or a shape total) to every unit leaves every candidate's votes."""
    def counted(units: dict[str, list[UnitRow]]) -> dict[str, int]:
        shapes = {(s.unit, s.index) for s in shape_totals(units)}
        out: dict[str, int] = defaultdict(int)
        for unit, rows in units.items():
            for i, row in enumerate(rows):
                if pseudo_kind(row.label) is None and (unit, i) not in shapes:
                    out[row.label] += row.votes
        return dict(out)

    plain = {u: [UnitRow(n, v, "P") for n, v in rows] for u, rows in contest.items()}
    noisy = {u: [*rows, UnitRow(label, 7), UnitRow("Cumulative", sum(r.votes for r in rows))]
             for u, rows in plain.items()}
    assert counted(noisy) == counted(plain)


@given(st.sampled_from(sorted(VOCABULARY)), st.text(" \t-_.", max_size=3), st.booleans())
def test_respelling_never_changes_the_kind(key: str, noise: str, upper: bool) -> None:
    respelled = noise + (key.upper() if upper else key) + noise
    assert pseudo_kind(respelled) is VOCABULARY[key]
