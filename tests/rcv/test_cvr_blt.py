"""BLT ballot files: the 33 real IRV contests, round trips, bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from electoral.errors import ValidationError
from electoral.rcv.cvr import OVERVOTE, CvrOptions, read_cvrs
from electoral.rcv.cvr.blt import read_blt

NAMES = ["Ann Lee", 'Bo "B" Ray', "Cy"]
# a ballot: weight and its choices, each a candidate number, '-', a pair overvote or '-=-'
CHOICE = st.sampled_from(["1", "2", "3", "-", "1=2", "-=-"])
BALLOTS = st.lists(st.tuples(st.integers(1, 5), st.lists(CHOICE, max_size=5)), max_size=20)


def _blt(ballots: list[tuple[int, list[str]]]) -> bytes:
    lines = ["# generated", f"{len(NAMES)} 1"]
    lines += [" ".join([str(w), *choices, "0"]) for w, choices in ballots]
    lines += ["0", *(f'"{n}"' if '"' not in n else f"'{n}'" for n in NAMES), '"Title"']
    return "\n".join(lines).encode()


def _marks(choices: list[str]) -> tuple[tuple[int, str], ...]:
    marks: list[tuple[int, str]] = []
    for rank, choice in enumerate(choices, start=1):
        if choice == "-=-":
            marks.append((rank, OVERVOTE))
        elif choice != "-":
            marks += [(rank, NAMES[int(c) - 1]) for c in choice.split("=")]
    return tuple(marks)


@settings(max_examples=50, deadline=None)
@given(BALLOTS)
def test_blt_round_trips(ballots: list[tuple[int, list[str]]]) -> None:
    records = read_blt(io.BytesIO(_blt(ballots)), "gen.blt")
    assert [(r.weight, r.marks) for r in records] == [(w, _marks(c)) for w, c in ballots]


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=200) | st.lists(st.sampled_from(
    ["3 1", "1 2 0", "0", '"A"', "1 9 0", "x", "1 - 0", "-1", '"unclosed']), max_size=8)
    .map(lambda lines: "\n".join(lines).encode()))
def test_blt_garbage_is_a_located_validation_error(data: bytes) -> None:
    try:
        read_blt(io.BytesIO(data), "junk.blt")
    except ValidationError as exc:
        assert all(p.source == "junk.blt" for p in exc.problems)


def test_unknown_candidate_and_too_many_ranks_name_line_and_field() -> None:
    data = _blt([(1, ["1", "2"]), (1, ["4"]), (1, ["1", "2", "3"])])
    with pytest.raises(ValidationError) as caught:
        read_blt(io.BytesIO(data), "bad.blt", CvrOptions(max_rankings=2))
    found = [(p.code, p.line, p.field) for p in caught.value.problems]
    assert found == [("unknown-candidate", 4, "rank 1"), ("rank-out-of-range", 5, "rank 3")]


def test_burlington_2009_first_choices_match_the_official_report(shared: Path) -> None:
    folder = shared / "data/rcv/blt_irv_elections_2006_2011"
    records = read_cvrs(folder / "2009-Burlington-Mayor.blt.gz", "blt")
    assert len(records) == 8_984
    firsts: dict[str, int] = {}
    for record in records:
        top = [c for rank, c in record.marks if rank == 1]
        if len(top) == 1:
            firsts[top[0]] = firsts.get(top[0], 0) + record.weight
    # the city's official detail report, round 1 (README of the data folder)
    assert firsts["Kurt Wright"] == 2_951 and firsts["Bob Kiss"] == 2_585
    assert firsts["Andy Montroll"] == 2_063


def test_a_real_file_naming_a_candidate_it_does_not_list_is_refused(shared: Path) -> None:
    folder = shared / "data/rcv/blt_irv_elections_2006_2011"
    path = folder / "2010-San_Francisco-Board_of_Supervisors-D2.blt.gz"
    with pytest.raises(ValidationError) as caught:
        read_cvrs(path, "blt")
    first = caught.value.problems[0]
    assert (first.code, first.line, first.field) == ("unknown-candidate", 444, "rank 2")


def test_bare_names_are_whole_lines_and_the_title_names_the_contest() -> None:
    """Published BLT files often leave names unquoted, one per line with runs of spaces: each line
    is one name (never split into words), and the line after them is the contest's title."""
    text = ("3 1\n2 1 2 0\n1 3 0\n0\n"
            "Calum DRENNOCH          (Lab)\n\"Euan FARQUIN\"\nIain   MARLOCH (LD)\n"
            "Rowanbank Ward\n")
    records = read_blt(io.BytesIO(text.encode()), "ward.blt")
    assert [r.marks for r in records] == [((1, "Calum DRENNOCH (Lab)"), (2, "Euan FARQUIN")),
                                          ((1, "Iain MARLOCH (LD)"),)]
    assert {r.contest for r in records} == {"Rowanbank Ward"}
