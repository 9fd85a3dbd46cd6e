"""RCTab's generic CSV: a header of candidate names, one row per ballot, each cell a rank number.

From the first vote column on, the header names a candidate per column and a ballot's cell holds
the rank it gave that candidate (blank = not ranked). The config may name id, precinct and batch
columns (1-based); a blank precinct or batch reads ``no precinct id`` / ``no batch id`` and ids are
the ballot's row number, as in RCTab. A rank that is not a whole number, or is above
``max_rankings``, is an error naming the row and the candidate's column.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from electoral.model import CastVoteRecord
from electoral.rcv.cvr.common import CvrOptions, Problems, read_csv_rows

NO_PRECINCT = "no precinct id"
NO_BATCH = "no batch id"


def read_generic_csv(stream: BinaryIO, source_name: str,
                     options: CvrOptions) -> list[CastVoteRecord]:
    """Every row of an RCTab generic CSV (a header row, then one ballot per row with ranks 1..n from
    column ``options.first_vote_column``), ids the ballot's row number,
    as in RCTab.

    Raises:
        ValidationError: ``missing-option`` without firstVoteColumnIndex, ``malformed-file`` when
            not a readable CSV, and every problem, by line and column.
    """
    problems = Problems(source_name)
    if options.first_vote_column is None:
        raise problems.fail("missing-option", "generic CSV files need firstVoteColumnIndex",
                            field="firstVoteColumnIndex")
    return read_csv_rows(stream, problems, lambda rows: _read(rows, options, problems))


def _read(rows: Any, options: CvrOptions, problems: Problems) -> list[CastVoteRecord]:
    header = next(rows, None)
    if header is None:
        raise problems.fail("malformed-file", "the file is empty: it needs a header row of "
                            "candidate names", line=1)
    candidates = _candidates(header, options.first_vote_column or 1, problems)
    records: list[CastVoteRecord] = []
    for row in rows:
        if row and row != [""]:  # like RCTab's CSV parser, an empty line is no ballot
            records.append(_record(row, rows.line_num, len(records) + 1, candidates, options,
                                   problems))
    problems.raise_if_any()
    return records


def _candidates(header: list[str], first: int, problems: Problems) -> list[str]:
    names = [name.strip() for name in header[first - 1:]]
    if not names:
        problems.add("bad-header", f"no candidate columns from column {first} on", 1)
    for offset, name in enumerate(names):
        if not name:
            problems.add("bad-header", "a candidate column has no name in the header", 1,
                         f"column {first + offset}")
    problems.raise_if_any()
    return names


def _record(row: list[str], line: int, index: int, candidates: list[str], options: CvrOptions,
            problems: Problems) -> CastVoteRecord:
    first = options.first_vote_column or 1
    if len(row) > first - 1 + len(candidates):
        problems.add("malformed-row", f"{len(row)} cells but the header has "
                     f"{first - 1 + len(candidates)} columns", line)
        row = row[:first - 1 + len(candidates)]
    marks = []
    for offset, cell in enumerate(row[first - 1:]):
        if not cell.strip():
            continue
        rank = _rank(cell, options.max_rankings)
        if rank is None:
            text, name = cell.strip(), candidates[offset]
            if text.isdigit() and int(text) >= 1:
                problems.add("rank-out-of-range", f"rank {text} for {name!r} is above the "
                             f"maximum of {options.max_rankings}", line, name)
            else:
                problems.add("bad-rank", f"rank {text!r} for {name!r} is not a whole number "
                             "from 1", line, name)
            continue
        marks.append((rank, candidates[offset]))
    return CastVoteRecord(
        id=str(index), marks=tuple(marks),
        precinct=_slice(row, options.precinct_column, NO_PRECINCT),
        batch=_slice(row, options.batch_column, NO_BATCH))


def _rank(cell: str, maximum: int | None) -> int | None:
    try:
        rank = int(cell.strip())
    except ValueError:
        return None
    return rank if rank >= 1 and (maximum is None or rank <= maximum) else None


def _slice(row: list[str], column: int | None, blank: str) -> str | None:
    if column is None:
        return None
    value = row[column - 1].strip() if column <= len(row) else ""
    return value or blank
