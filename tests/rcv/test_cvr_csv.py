"""RCTab's generic CSV and Clear Ballot CSV: real samples, round trips, bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from electoral.errors import ValidationError
from electoral.rcv.cvr import CvrOptions, read_cvrs
from electoral.rcv.cvr.clearballot import FIXED, read_clear_ballot
from electoral.rcv.cvr.generic import read_generic_csv

RCTAB = "conformance/rctab"
NAMES = ["Lettuce", "Broccoli, raw", 'Kale "K"']
# a ballot: the rank given to each candidate, None = not ranked
BALLOTS = st.lists(st.lists(st.none() | st.integers(1, 4), min_size=3, max_size=3),
                   min_size=1, max_size=20)


def _csv(rows: list[list[object]]) -> io.BytesIO:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return io.BytesIO(out.getvalue().encode())


def _config_source(shared: Path, case: str) -> tuple[Path, CvrOptions]:
    config = json.loads((shared / RCTAB / case / f"{case}_config.json").read_text())
    source = config["cvrFileSources"][0]
    limit = str(config["rules"].get("maxRankingsAllowed", "max"))
    options = CvrOptions.from_rctab(source, None if limit == "max" else int(limit))
    return shared / RCTAB / case / source["filePath"], options


@settings(max_examples=40, deadline=None)
@given(BALLOTS)
def test_generic_csv_round_trips(ballots: list[list[int | None]]) -> None:
    rows = [["id", "precinct", *NAMES]] + [[f"b{i}", f"p{i % 2}", *(r or "" for r in ranks)]
                                           for i, ranks in enumerate(ballots)]
    records = read_generic_csv(_csv(rows), "gen.csv", CvrOptions(first_vote_column=3,
                                                                 precinct_column=2))
    assert [r.marks for r in records] == [
        tuple((r, n) for r, n in zip(ranks, NAMES, strict=True) if r) for ranks in ballots]
    assert [r.precinct for r in records] == [f"p{i % 2}" for i in range(len(ballots))]
    assert [r.id for r in records] == [str(i) for i in range(1, len(ballots) + 1)]


def test_generic_csv_rank_above_maximum_and_bad_rank_are_located(shared: Path) -> None:
    path, options = _config_source(shared, "max_ranking_enforcement")
    with pytest.raises(ValidationError) as caught:
        read_cvrs(path, "genericCsv", options)
    problem = caught.value.problems[0]
    assert (problem.code, problem.source, problem.line, problem.field) == (
        "rank-out-of-range", "max_ranking_enforcement_cvr.csv", 2, "Candidate D")
    rows = [["id", "A", "B"], ["1", "x", "1"]]
    with pytest.raises(ValidationError) as caught:
        read_generic_csv(_csv(rows), "bad.csv", CvrOptions(first_vote_column=2))
    assert [(p.code, p.line, p.field) for p in caught.value.problems] == [("bad-rank", 2, "A")]


def test_generic_csv_real_sample(shared: Path) -> None:
    path, options = _config_source(shared, "generic_csv_test")
    records = read_cvrs(path, "genericCsv", options)
    assert len(records) == 26
    assert records[0].marks == ((2, "Broccoli"), (1, "Cucumber"))
    assert (records[0].precinct, records[0].batch) == ("p1", "b1")


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_csv_garbage_never_escapes_as_another_exception(data: bytes) -> None:
    for reader, options in ((read_generic_csv, CvrOptions(first_vote_column=2)),
                            (read_clear_ballot, CvrOptions(contest="Mayor"))):
        try:
            reader(io.BytesIO(data), "junk.csv", options)
        except ValidationError as exc:
            assert all(p.source == "junk.csv" for p in exc.problems)


def _clear_ballot(ballots: list[list[int | None]]) -> io.BytesIO:
    choices = [(rank, name) for rank in range(1, 5) for name in NAMES]
    header = [*FIXED] + [f"Choice_{i}_1:Mayor:{rank}:Vote For 1:{name}:NON"
                         for i, (rank, name) in enumerate(choices)]
    rows = [[i, "box", i, f"B{i}", f"P{i % 3}", 1, "s", "scan", 0, 0,
             *(int(ranks[NAMES.index(name)] == rank) for rank, name in choices)]
            for i, ranks in enumerate(ballots)]
    return _csv([header, *rows])


@settings(max_examples=40, deadline=None)
@given(BALLOTS)
def test_clear_ballot_round_trips(ballots: list[list[int | None]]) -> None:
    records = read_clear_ballot(_clear_ballot(ballots), "cb.csv", CvrOptions(contest="Mayor"))
    assert [sorted(r.marks) for r in records] == [
        sorted((r, n) for r, n in zip(ranks, NAMES, strict=True) if r) for ranks in ballots]
    assert [(r.id, r.precinct) for r in records] == [
        (f"B{i}", f"P{i % 3}") for i in range(len(ballots))]


def test_clear_ballot_real_samples_and_bad_mark(shared: Path) -> None:
    path, options = _config_source(shared, "clear_ballot_with_inline_comma")
    records = read_cvrs(path, "clearBallot", options)
    assert len(records) == 178 and records[0].id == "RCV-0255+10003"
    path, options = _config_source(shared, "clear_ballot_kansas_primary")
    assert read_cvrs(path, "clearBallot", options)[0].marks[0] == (1, "Amy Klobuchar")
    data = _clear_ballot([[1, None, None]]).getvalue().replace(b",0\r\n", b",7\r\n")
    with pytest.raises(ValidationError) as caught:
        read_clear_ballot(io.BytesIO(data), "cb.csv", CvrOptions(contest="Mayor"))
    assert [(p.code, p.line) for p in caught.value.problems] == [("bad-mark", 2)]
