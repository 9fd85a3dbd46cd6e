"""The plain ranks CSV: records, the rank-matrix fast path and its block-by-block form agree."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from electoral.errors import ValidationError
from electoral.rcv.cvr import CvrOptions
from electoral.rcv.cvr.ranks import (
    collapse,
    iter_rank_matrices,
    read_rank_matrix,
    read_rank_profile,
    read_ranks,
)

NAMES = st.sampled_from(["Ann", "Bo, Jr.", 'Cy "C"', "Dee"])
BALLOTS = st.lists(st.lists(st.none() | NAMES, min_size=4, max_size=4), min_size=1, max_size=30)


def _file(ballots: list[list[str | None]], extra: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow((["id", "precinct"] if extra else []) + [f"rank{k}" for k in range(1, 5)])
    for i, ballot in enumerate(ballots):
        writer.writerow(([f"x{i}", f"p{i % 2}"] if extra else []) + [c or "" for c in ballot])
    return out.getvalue().encode()


def _expected(ballots: list[list[str | None]]) -> list[tuple[tuple[int, str], ...]]:
    return [tuple((r, c) for r, c in enumerate(b, start=1) if c) for b in ballots]


@settings(max_examples=50, deadline=None)
@given(BALLOTS, st.booleans())
def test_records_round_trip(ballots: list[list[str | None]], extra: bool) -> None:
    records = read_ranks(io.BytesIO(_file(ballots, extra)), "gen.csv")
    assert [r.marks for r in records] == _expected(ballots)
    ids = [f"x{i}" for i in range(len(ballots))] if extra else [
        str(i) for i in range(1, len(ballots) + 1)]
    assert [r.id for r in records] == ids


@settings(max_examples=50, deadline=None)
@given(BALLOTS)
def test_matrix_and_blocks_hold_the_same_ballots(ballots: list[list[str | None]]) -> None:
    data = _file(ballots)
    matrix = read_rank_matrix(io.BytesIO(data), "gen.csv")
    assert matrix.ranks.dtype == np.int32 and matrix.ranks.shape == (len(ballots), 4)
    decoded = [tuple((r, matrix.names[c]) for r, c in enumerate(row, start=1) if c >= 0)
               for row in matrix.ranks.tolist()]
    assert decoded == _expected(ballots)
    folded, collapsed = read_rank_matrix(io.BytesIO(data), "gen.csv", fold=True), collapse([matrix])
    assert (folded.names, folded.ranks.tolist(), folded.counts.tolist()) == (
        collapsed.names, collapsed.ranks.tolist(), collapsed.counts.tolist())
    blocks = list(iter_rank_matrices(io.BytesIO(data), "gen.csv", block_size=64))
    names = blocks[-1].names
    assert all(names[:len(b.names)] == b.names for b in blocks)
    joined = np.concatenate([b.ranks for b in blocks])
    assert [[names[c] if c >= 0 else None for c in row] for row in joined.tolist()] == [
        [c or None for c in b] for b in ballots]


def test_rank_above_maximum_names_ballot_line_and_column() -> None:
    # a blank line and a name broken over two lines come first: line 7 is the third ballot
    data = b'rank1,rank2,rank3\nAnn,,\n\n"Bo\nJr.",,\n\nAnn,Bo,Dee\n'
    for reader in (read_ranks, read_rank_matrix, lambda d, name, options: list(
            iter_rank_matrices(d, name, options, block_size=5))):
        with pytest.raises(ValidationError) as caught:
            reader(io.BytesIO(data), "r.csv", CvrOptions(max_rankings=2))
        found = [(p.code, p.source, p.line, p.field) for p in caught.value.problems]
        assert found == [("rank-out-of-range", "r.csv", 7, "rank3")]
        assert "ballot 3:" in caught.value.problems[0].message


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=120).map(
    lambda t: ("rank1,rank2\n" + t).encode()) | st.sampled_from([b"\r\x00", b"rank1\r\x00\n"]))
def test_garbage_is_a_located_validation_error(data: bytes) -> None:
    for reader in (read_ranks, read_rank_matrix):
        try:
            reader(io.BytesIO(data), "junk.csv")
        except ValidationError as exc:
            assert all(p.source == "junk.csv" for p in exc.problems)


def test_header_without_ranks_and_ragged_row_are_errors() -> None:
    with pytest.raises(ValidationError, match="no rank columns"):
        read_ranks(io.BytesIO(b"a,b\nx,y\n"), "h.csv")
    with pytest.raises(ValidationError, match="rank1..rank2 without gaps"):
        read_ranks(io.BytesIO(b"rank1,rank3\nx,y\n"), "h.csv")
    for reader in (read_ranks, read_rank_matrix,
                   lambda data, name: list(iter_rank_matrices(data, name, block_size=4))):
        with pytest.raises(ValidationError) as caught:
            reader(io.BytesIO(b"rank1,rank2\nx,y\n\"a\nb\",c\nx,y,z\n"), "h.csv")
        found = [(p.code, p.line, p.field) for p in caught.value.problems]
        assert found == [("malformed-file", 5, "column 3")]


@settings(max_examples=40, deadline=None)
@given(BALLOTS, st.sampled_from([4, 9, 40]))
def test_collapse_counts_each_distinct_ranking_once(ballots: list[list[str | None]],
                                                   width: int) -> None:
    from collections import Counter

    from electoral.rcv.cvr.ranks import RankMatrix
    blocks = list(iter_rank_matrices(io.BytesIO(_file(ballots)), "gen.csv", block_size=64))
    if width > 4:  # rankings too many for a dense count (9), too wide for an int64 key (40)
        blocks = [RankMatrix(b.names, np.pad(b.ranks, ((0, 0), (0, width - 4)),
                                             constant_values=-1)) for b in blocks]
    profile = collapse(blocks)
    assert profile.ballots == len(ballots)
    if width == 4:  # the same from the file in one call (names may come in another order)
        whole = read_rank_profile(io.BytesIO(_file(ballots)), "gen.csv", block_size=32)
        assert Counter({tuple(whole.names[c] if c >= 0 else None for c in row): n for row, n in
                        zip(whole.ranks.tolist(), whole.counts.tolist(), strict=True)}) == \
            Counter(tuple(c or None for c in b) for b in ballots)
    names = profile.names
    got = Counter({tuple(names[c] if c >= 0 else None for c in row[:4]): n
                   for row, n in zip(profile.ranks.tolist(), profile.counts.tolist(), strict=True)})
    assert len(got) == len(profile) and all(c == -1 for row in profile.ranks for c in row[4:])
    assert got == Counter(tuple(c or None for c in b) for b in ballots)


def test_text_that_is_not_utf8_names_its_line_and_column() -> None:
    data = b"rank1,rank2\nA,B\nC,\xfd\n"
    for reader in (read_ranks, read_rank_matrix,
                   lambda d, name: list(iter_rank_matrices(d, name, block_size=4))):
        with pytest.raises(ValidationError) as caught:
            reader(io.BytesIO(data), "u.csv")
        found = [(p.code, p.source, p.line, p.field) for p in caught.value.problems]
        assert found == [("malformed-file", "u.csv", 3, "rank2")]


def test_read_cvrs_reads_a_gzipped_ranks_file(tmp_path: Path) -> None:
    import gzip

    from electoral.rcv.cvr import read_cvrs
    path = tmp_path / "ballots.csv.gz"
    path.write_bytes(gzip.compress(_file([["Ann", "Dee", None, None], [None, "Bo, Jr.", None, None]])))
    records = read_cvrs(path, "ranks")
    assert [r.marks for r in records] == [((1, "Ann"), (2, "Dee")), ((2, "Bo, Jr."),)]
    assert [r.id for r in records] == ["1", "2"]
