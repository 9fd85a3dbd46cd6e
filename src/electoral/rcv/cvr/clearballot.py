"""Clear Ballot ClearVote CSV exports: a row per ballot, a 0/1 column per (contest, rank, choice).

Ten fixed columns come first (RowNumber, BoxID, BoxPosition, BallotID, PrecinctID, BallotStyleID,
PrecinctStyleName, ScanComputerName, Status, Remade); each later header reads
``Choice_<id>_<n>:<contest>:<rank>:<vote rule>:<choice>:<party>``. A ``1`` marks that choice at that
rank. Only the configured contest's columns are read; as in RCTab, columns for ranks above
``max_rankings`` are not ranks, the id is the BallotID and the precinct the PrecinctID.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from electoral.model import CastVoteRecord
from electoral.rcv.cvr.common import CvrOptions, Problems, read_csv_rows

FIXED = ("RowNumber", "BoxID", "BoxPosition", "BallotID", "PrecinctID", "BallotStyleID",
         "PrecinctStyleName", "ScanComputerName", "Status", "Remade")
BALLOT_ID, PRECINCT_ID = FIXED.index("BallotID"), FIXED.index("PrecinctID")


def read_clear_ballot(stream: BinaryIO, source_name: str,
                      options: CvrOptions) -> list[CastVoteRecord]:
    """Every ballot row of a Clear Ballot ClearVote CSV export for ``options.contest`` (the
    contest's name), marks from its ``Choice_<id>_<n>:<contest>:<rank>:...`` columns.

    Raises:
        ValidationError: every problem, by line and column (``malformed-file`` when not a readable
            CSV or without choice columns).
    """
    problems = Problems(source_name)
    return read_csv_rows(stream, problems, lambda rows: _read(rows, options, problems))


def _read(rows: Any, options: CvrOptions, problems: Problems) -> list[CastVoteRecord]:
    header = next(rows, None)
    if not header or len(header) <= len(FIXED):
        raise problems.fail("malformed-file", "no choice columns: the header needs the "
                            f"{len(FIXED)} ballot columns then Choice_... columns", line=1)
    columns = _choice_columns(header, options, problems)
    records = [_record(row, rows.line_num, len(header), columns, options, problems)
               for row in rows if row]
    problems.raise_if_any()
    return records


def _choice_columns(header: list[str], options: CvrOptions,
                    problems: Problems) -> list[tuple[int, int, str]]:
    """(column, rank, choice) for every column of the configured contest."""
    columns: list[tuple[int, int, str]] = []
    contests: set[str] = set()
    for column, title in enumerate(header[len(FIXED):], start=len(FIXED)):
        fields = title.split(":")
        if len(fields) != 6:
            problems.add("bad-header", f"choice header {title!r} does not have 6 ':'-separated "
                         "fields", 1, title)
            continue
        contest, rank_text, choice = fields[1], fields[2], fields[4]
        contests.add(contest)
        if options.contest is not None and contest != options.contest:
            continue
        if not rank_text.strip().isdigit() or int(rank_text) < 1:
            problems.add("bad-header", f"rank {rank_text!r} in header {title!r} is not a whole "
                         "number from 1", 1, title)
            continue
        rank = int(rank_text)
        if options.max_rankings is None or rank <= options.max_rankings:
            columns.append((column, rank, choice))
    if options.contest is None and len(contests) > 1:
        problems.add("unknown-contest", f"the file holds {len(contests)} contests; name one "
                     "(contestId)", 1, "contestId")
    elif not problems and options.contest is not None and options.contest not in contests:
        problems.add("unknown-contest", f"no contest {options.contest!r} in the header", 1,
                     "contestId")
    problems.raise_if_any()
    return columns


def _record(row: list[str], line: int, width: int, columns: list[tuple[int, int, str]],
            options: CvrOptions, problems: Problems) -> CastVoteRecord:
    if len(row) != width:
        problems.add("malformed-row", f"{len(row)} cells but the header has {width}", line)
        row = (row + [""] * width)[:width]
    marks = []
    for column, rank, choice in columns:
        cell = row[column].strip()
        if cell == "1":
            marks.append((rank, choice))
        elif cell not in ("0", ""):
            problems.add("bad-mark", f"mark {cell!r} is neither 0 nor 1", line, choice)
    return CastVoteRecord(id=row[BALLOT_ID], marks=tuple(marks), precinct=row[PRECINCT_ID],
                          contest=options.contest)
