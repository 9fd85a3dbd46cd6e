"""RCTab's generic CSV: a header of candidate names, one row per ballot, each cell a rank number.

From the first vote column on, the header names a candidate per column and a ballot's cell holds
the rank it gave that candidate (blank = not ranked). The config may name id, precinct and batch
columns (1-based); a blank precinct or batch reads ``no precinct id`` / ``no batch id`` and ids are
the ballot's row number, as in RCTab. A rank that is not a whole number, or is above
``max_rankings``, is an error naming the row and the candidate's column.

``read_generic_matrix`` is the quick count's fast path for a plain file (pyarrow and numpy, no
object per ballot); it declines anything else, which ``read_generic_csv`` then reads.
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any, BinaryIO

from electoral.model import CastVoteRecord
from electoral.rcv.cvr.common import CvrOptions, Problems, read_csv_rows

if TYPE_CHECKING:
    from electoral.rcv.cvr.ranks import RankMatrix

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


def read_generic_matrix(stream: BinaryIO, options: CvrOptions) -> RankMatrix | None:
    """The file's distinct rankings with their ballot counts, read by pyarrow into an int matrix
    without a Python object per ballot — or None whenever the file is anything but plain (a cell
    that is not a whole number from 1, a rank above ``options.max_rankings``, two candidates at
    one rank, a ragged row, a header with a blank name), so that ``read_generic_csv`` reads it
    and reports its problems. What it returns counts as ``read_generic_csv``'s records would:
    names in the order the records first name them (row by row, column by column), each ranked
    candidate at its rank, skipped ranks blank (-1).
    """
    import numpy as np
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.csv as pacsv  # type: ignore[import-untyped]

    from electoral.rcv.cvr.ranks import RankMatrix, collapse, tally_keys

    first = (options.first_vote_column or 1) - 1
    header_line = stream.readline()
    try:
        header = next(csv.reader([header_line.decode("utf-8-sig")]), [])
    except (UnicodeDecodeError, csv.Error):
        return None
    names = [name.strip() for name in header[first:]]
    if not names or not all(names) or len(set(names)) != len(names):
        return None
    columns = [f"c{i}" for i in range(len(header))]
    wanted = columns[first:]
    try:
        table = pacsv.read_csv(  # bytes, not the file object pyarrow's threads would read
            pa.BufferReader(stream.read()),
            # one thread: pyarrow's threaded reader crashed on hostile files (rcv.cvr.ranks)
            read_options=pacsv.ReadOptions(column_names=columns, use_threads=False),
            # only an empty cell is blank: "NA" and the like are bad ranks to the general reader
            convert_options=pacsv.ConvertOptions(include_columns=wanted, null_values=[""],
                                                 column_types={c: pa.int16() for c in wanted}))
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None  # also a rank beyond int16: no real ballot has 32,768 ranks
    pairs = [_values_and_marked(table.column(c)) for c in wanted]
    ranks = [values for values, _ in pairs]
    marked = [mask for _, mask in pairs]
    top = max((int(r[m].max()) for r, m in zip(ranks, marked, strict=True) if m.any()), default=0)
    lowest = min((int(r[m].min()) for r, m in zip(ranks, marked, strict=True) if m.any()),
                 default=1)
    if top == 0 or lowest < 1 or (options.max_rankings is not None
                                  and top > options.max_rankings):
        return None  # (a file that ranks nobody: the general reader says what it holds)
    rows = table.num_rows
    # the order read_generic_csv's records first name each candidate: by first row, then column
    firsts = [(int(np.argmax(m)), column) for column, m in enumerate(marked) if m.any()]
    order = [column for _, column in sorted(firsts)]
    chosen = tuple(names[c] for c in order)
    base = len(order) + 1
    if top > 30 or base ** top >= 2**62:  # too many ranks for one key: a row matrix, folded
        matrix = np.full(rows * top, -1, dtype=np.int32)
        for code, column in enumerate(order):
            cells = np.flatnonzero(marked[column]) * top + ranks[column][marked[column]] - 1
            if (matrix[cells] >= 0).any():
                return None  # an overvote: the general reader marks it
            matrix[cells] = code
        return collapse([RankMatrix(chosen, matrix.reshape(rows, top))])
    # each ballot as one number in base (candidates + 1), rank 1 its most significant digit (as
    # ranks.tally_keys reads keys), and a bit per rank filled, to find two candidates at a rank
    kind = np.int32 if base ** top < 2**31 else np.int64
    place = base ** np.arange(top - 1, -1, -1, dtype=np.int64)
    keys = np.zeros(rows, kind)
    filled = np.zeros(rows, np.int32)
    for code, column in enumerate(order):
        at = np.flatnonzero(marked[column])
        slot = ranks[column][at].astype(np.int64) - 1
        bit = (np.int32(1) << slot).astype(np.int32)
        if (filled[at] & bit).any():
            return None  # an overvote: the general reader marks it
        filled[at] |= bit
        keys[at] += ((code + 1) * place[slot]).astype(kind)
    ranked, counts = tally_keys(keys, None, base, top)
    return RankMatrix(chosen, ranked, counts)


def _values_and_marked(column: Any) -> tuple[Any, Any]:
    """An int16 pyarrow column as numpy: its values (0 where blank) and where it is not blank,
    straight from the Arrow buffers (no float conversion, nor ``pyarrow.compute``)."""
    import numpy as np

    values, marked = [], []
    for chunk in column.chunks:
        validity, data = chunk.buffers()
        start, size = chunk.offset, len(chunk)
        array = np.frombuffer(data, dtype=np.int16, count=start + size)[start:]
        if validity is None:
            mask = np.ones(size, dtype=bool)
        else:
            bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
            mask = bits[start:start + size].astype(bool)
        values.append(np.where(mask, array, 0))
        marked.append(mask)
    if not values:
        return np.zeros(0, np.int16), np.zeros(0, bool)
    return np.concatenate(values), np.concatenate(marked)
