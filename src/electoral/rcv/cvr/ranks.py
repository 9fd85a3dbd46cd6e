"""The plain ranks CSV: one row per ballot, columns ``rank1..rankN`` holding candidate names.

A blank cell is no ranking. Optional ``id``, ``precinct`` and ``batch`` columns are kept; other
columns are ignored. Names are taken as written (surrounding spaces trimmed). Ids are the ballot's
row number (1 = the first ballot) unless the file has an ``id`` column.

Two ways in: ``read_ranks`` gives ``CastVoteRecord``s like every other reader; ``read_rank_matrix``
is the fast path for a city's million ballots — pyarrow parses, each rank column is
dictionary-encoded, and the result is an ``n x N`` int32 matrix of candidate indices into ``names``
(-1 = blank), which the tabulator counts without making a Python object per ballot.
``iter_rank_matrices`` does the same a block at a time, for files larger than memory, and
``collapse`` folds blocks into the distinct rankings with their counts (bounded by the number of
possible rankings, not of ballots); ``read_rank_profile`` does both, so a hundred million ballots
stream through in little memory.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]

from electoral.errors import Problem, ValidationError
from electoral.model import CastVoteRecord
from electoral.rcv.cvr.common import CvrOptions, Problems

# A rank column's heading, its rank the number: rank1, Rank 2, rank_3, choice_1 (Maine's 2018 CVR),
# Choice 2, 1st Choice, "2ND CHOICE MAYOR" (Minneapolis' CVRs)
RANK_COLUMN = re.compile(r"^(?:(?:rank|choice)[\s_]*(\d+)|(\d+)\s*(?:st|nd|rd|th)?[\s_]*choice\b.*)$",
                         re.IGNORECASE)
KEPT = ("id", "precinct", "batch")
# rank cells as dictionary codes over bytes: pyarrow's UTF-8 check of every cell cost more than the
# dictionary itself, so the few distinct labels are decoded here (``_decoded``), bad text located
DICTIONARY = pa.dictionary(pa.int32(), pa.binary())
# pyarrow's multi-threaded CSV reader crashed the process (a segfault in a worker thread that
# outlived its read) on hostile rank files under fuzzing, tests/rcv/test_cvr_fuzz.py; one thread
# parsed a million ballots no slower on two cores (0.30-0.39 s against 0.57-0.81 s threaded)
SAFE_READ = pacsv.ReadOptions(use_threads=False)


@dataclass(frozen=True, slots=True)
class RankMatrix:
    """Ballots as candidate indices: ``ranks[b, r]`` is ballot b's choice at rank r+1, -1 blank.
    ``counts[b]`` (when not None) is how many ballots row b stands for."""

    names: tuple[str, ...]
    ranks: np.ndarray  # shape (rows, max rank), int32
    counts: np.ndarray | None = None  # shape (rows,), int64

    def __len__(self) -> int:
        return int(self.ranks.shape[0])

    @property
    def ballots(self) -> int:
        return len(self) if self.counts is None else int(self.counts.sum())


def collapse(blocks: Iterable[RankMatrix]) -> RankMatrix:
    """The distinct rankings of all blocks, each once, with how many ballots hold it.

    Blocks must share their names' order (as ``iter_rank_matrices`` gives them). Memory grows with
    the number of distinct rankings, never with the number of ballots.
    """
    names: tuple[str, ...] = ()
    width = 0
    rows = np.zeros((0, 0), np.int32)
    counts = np.zeros(0, dtype=np.int64)
    weights: np.ndarray | None
    for block in blocks:
        names, width = block.names, max(width, block.ranks.shape[1])
        if len(rows):
            ranks = np.concatenate([_widen(rows, width), _widen(block.ranks, width)])
            weights = np.concatenate([counts, np.ones(len(block), np.int64)
                                      if block.counts is None else block.counts])
        else:
            ranks, weights = _widen(block.ranks, width), block.counts
        rows, counts = _tally_rows(ranks, weights)
    return RankMatrix(names, rows, counts)


DENSE_KEYS = 1 << 22  # up to this many possible rankings, count them in one dense array


def _tally_rows(ranks: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows (in key order) and the ballots each stands for.

    A row is read as a number in base (candidates + 1), blank = 0 (see ``tally_keys``); only
    rows too wide for an int64 fall back to sorting whole rows.
    """
    width = ranks.shape[1]
    if width == 0 or len(ranks) == 0:
        return ranks[:0].astype(np.int32), np.zeros(0, np.int64)
    base = int(ranks.max()) + 2
    if base ** width >= 2**62:
        rows, inverse = np.unique(ranks, axis=0, return_inverse=True)
        return rows.astype(np.int32), _sum(inverse.ravel(), weights, len(rows))
    keys = np.zeros(len(ranks), np.int64)
    for column in range(width):
        keys = keys * base + (ranks[:, column].astype(np.int64) + 1)
    return tally_keys(keys, weights, base, width)


def tally_keys(keys: np.ndarray, weights: np.ndarray | None, base: int,
                width: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and counts from row keys. With few candidates (12 candidates and 5 ranks make
    371,293 possible rankings) the keys index one dense count array — a single pass, no sort;
    otherwise they are sorted."""
    if base ** width <= DENSE_KEYS:
        totals = _sum(keys, weights, base ** width)
        unique = np.flatnonzero(totals)
        counts = totals[unique]
    else:
        unique, inverse = np.unique(keys, return_inverse=True)
        counts = _sum(inverse.ravel(), weights, len(unique))
    rows = np.empty((len(unique), width), np.int32)
    for column in range(width - 1, -1, -1):
        rows[:, column] = unique % base - 1
        unique = unique // base
    return rows, counts


def _sum(keys: np.ndarray, weights: np.ndarray | None, size: int) -> np.ndarray:
    """Ballots per key, in exact integers."""
    if weights is None:
        return np.bincount(keys, minlength=size).astype(np.int64)
    if weights.size and int(weights.max()) * weights.size >= 2**53:  # beyond float64's integers
        out = np.zeros(size, np.int64)
        np.add.at(out, keys, weights)
        return out
    return np.rint(np.bincount(keys, weights=weights.astype(np.float64),
                               minlength=size)).astype(np.int64)


def _widen(ranks: np.ndarray, width: int) -> np.ndarray:
    if ranks.shape[1] == width:
        return ranks
    return np.pad(ranks, ((0, 0), (0, width - ranks.shape[1])), constant_values=-1)


def read_ranks(stream: BinaryIO, source_name: str,
               options: CvrOptions | None = None) -> list[CastVoteRecord]:
    """Every ballot as a CastVoteRecord (marks in rank order; blanks left out).

    Raises:
        ValidationError: every problem in the file (an unreadable CSV, no ``rank<n>`` columns, a
            rank above ``options.max_rankings``), by line and column.
    """
    table, rank_columns, where = _parse(stream, source_name, options or CvrOptions(), keep=True)
    matrix = _encode(table, rank_columns, source_name, where)
    names = matrix.names
    extra = {key: table.column(key).to_pylist() for key in KEPT if key in table.column_names}
    ids = extra.get("id") or [str(i) for i in range(1, len(matrix) + 1)]
    precincts = extra.get("precinct") or [None] * len(matrix)
    batches = extra.get("batch") or [None] * len(matrix)
    records = []
    for row, record_id, precinct, batch in zip(matrix.ranks.tolist(), ids, precincts, batches,
                                               strict=True):
        marks = tuple((rank, names[c]) for rank, c in enumerate(row, start=1) if c >= 0)
        records.append(CastVoteRecord(str(record_id), marks, precinct, batch))
    return records


def read_rank_matrix(stream: BinaryIO | str, source_name: str,
                     options: CvrOptions | None = None, fold: bool = False) -> RankMatrix:
    """The whole file as one RankMatrix (the fast path); with ``fold``, its distinct rankings
    with their ballot counts (what ``collapse`` gives, without the full matrix in between).

    Raises:
        ValidationError: as ``read_ranks``.
    """
    table, rank_columns, where = _parse(stream, source_name, options or CvrOptions())
    return _encode(table, rank_columns, source_name, where, fold=fold)


def read_rank_profile(stream: BinaryIO | str, source_name: str,
                      options: CvrOptions | None = None,
                      block_size: int = 8 << 20) -> RankMatrix:
    """The file's distinct rankings with their ballot counts, read a block at a time: a hundred
    million ballots in the memory of one block plus the distinct rankings.

    Raises:
        ValidationError: as ``read_ranks``.
    """
    return collapse(iter_rank_matrices(stream, source_name, options, block_size))


def iter_rank_matrices(stream: BinaryIO | str, source_name: str,
                       options: CvrOptions | None = None,
                       block_size: int = 8 << 20) -> Iterator[RankMatrix]:
    """The file a block of about ``block_size`` bytes at a time; every block's ``names`` extends
    the previous block's, so an index means the same candidate in every block.

    Blocks are cut at line ends outside quotes and each is parsed on its own, so memory holds one
    block, whatever the file's size (pyarrow's own streaming reader reads far ahead).

    Raises:
        ValidationError: as ``read_ranks``, for the first block with a problem (blocks before it
            were already yielded).
        OSError: ``stream`` is a path that cannot be opened.
    """
    options = options or CvrOptions()
    problems = Problems(source_name)
    if isinstance(stream, str):
        with open(stream, "rb") as handle:
            yield from iter_rank_matrices(handle, source_name, options, block_size)
        return
    header, _ = _header(stream, problems)
    stream.readline()
    rank_columns = _rank_columns(header, options, problems)
    convert = _rank_only(rank_columns)
    names: list[str] = []
    line, ballots = 2, 0
    for block in _blocks(stream, block_size):
        try:
            table = pacsv.read_csv(pa.BufferReader(block), convert_options=convert,
                                   read_options=pacsv.ReadOptions(column_names=header,
                                                                  use_threads=False))
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            at, field = _ragged_row(io.BytesIO(block), 0, header)
            raise problems.fail("malformed-file", f"not a readable CSV: {_arrow_message(exc)}",
                                line=None if at is None else line + at - 1,
                                field=field) from exc
        where = _Where(block, 0, line, ballots)
        _check_max_rank(table, rank_columns, options, problems, where)
        yield _encode(table, rank_columns, source_name, where, names)
        line += _lines_in(block, table.num_rows)
        ballots += table.num_rows


def _lines_in(block: bytes, rows: int) -> int:
    """How many lines a block spans: its rows, unless quoted line breaks or blank lines make
    them differ (counting them is the slow way, so only then)."""
    if b'"' in block or b"\n\n" in block or b"\n\r\n" in block:
        return block.count(b"\n")
    return rows


def _blocks(stream: BinaryIO, size: int) -> Iterator[bytes]:
    """The rest of the stream in pieces of about ``size`` bytes, each ending at a line end that
    is not inside a quoted field (an even number of quotes before it)."""
    while True:
        block = stream.read(size)
        if not block:
            return
        block += stream.readline()
        while b'"' in block and block.count(b'"') % 2:
            more = stream.readline()
            if not more:
                break
            block += more
        yield block


@dataclass(frozen=True, slots=True)
class _Where:
    """Where a parsed table's rows stand in the file, to name lines in error messages: the bytes
    (a path, a stream or one block) and offset its rows start at, that row's line, and how many
    ballots come before it."""

    data: BinaryIO | str | bytes
    offset: int
    line: int
    ballots: int

    def line_of(self, row: int) -> int | None:
        """The file line of the table's ``row`` (0-based) — rescanned, only on error paths."""
        if isinstance(self.data, str):
            with open(self.data, "rb") as handle:
                return self._scan(handle, row)
        stream = io.BytesIO(self.data) if isinstance(self.data, bytes) else self.data
        return self._scan(stream, row)

    def _scan(self, handle: BinaryIO, row: int) -> int | None:
        handle.seek(self.offset)
        text = io.TextIOWrapper(handle, encoding="utf-8", errors="replace", newline="")
        try:
            records = csv.reader(text)
            seen = -1
            for record in records:
                seen += bool(record)  # pyarrow skips empty lines; so does the count
                if seen == row:
                    return self.line + records.line_num - 1
        except csv.Error:
            return None
        finally:
            text.detach()
        return None


# ---- parsing ----

def _text_columns(header: list[str]) -> pacsv.ConvertOptions:
    """Every column is text; an empty cell stays "" (a blank ranking), so nothing is null."""
    return pacsv.ConvertOptions(strings_can_be_null=False,
                                column_types={name: pa.string() for name in header})


def _rank_only(rank_columns: list[tuple[int, str]],
               kept: tuple[str, ...] = ()) -> pacsv.ConvertOptions:
    """The rank columns (then the ``kept`` ones, as text) and no other: each rank column is
    dictionary-encoded by pyarrow's parser as it reads (on every core, per block), so no string
    column is built and no separate encoding pass (nor ``pyarrow.compute``, slow to import) is
    needed. Blank cells stay "" as in ``_text_columns``."""
    names = [column for _, column in rank_columns]
    types = {name: DICTIONARY for name in names} | {name: pa.string() for name in kept}
    return pacsv.ConvertOptions(strings_can_be_null=False, include_columns=[*names, *kept],
                                column_types=types)


def _parse(stream: BinaryIO | str, source_name: str, options: CvrOptions,
           keep: bool = False) -> tuple[pa.Table, list[tuple[int, str]], _Where]:
    """The file's rank columns, with ``keep`` its ``KEPT`` columns too."""
    problems = Problems(source_name)
    header, width = _header(stream, problems)
    rank_columns = _rank_columns(header, options, problems)  # the first line is the header
    start = stream.tell() if not isinstance(stream, str) else 0
    where = _Where(stream, start + width, 2, 0)
    kept = tuple(key for key in KEPT if keep and key in header)
    # bytes or the path, never a Python file object, and one thread (``SAFE_READ``)
    if isinstance(stream, str):
        source: str | pa.BufferReader = stream
    else:
        position = stream.tell()
        source = pa.BufferReader(stream.read())
        stream.seek(position)
    try:
        table = pacsv.read_csv(source, convert_options=_rank_only(rank_columns, kept),
                               read_options=SAFE_READ)
        if table.column_names != [*(column for _, column in rank_columns), *kept]:
            raise pa.ArrowInvalid(f"the header reads {table.column_names}, not {header}")
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        line, field = _ragged_row(stream, start, header)
        raise problems.fail("malformed-file", f"not a readable CSV: {_arrow_message(exc)}",
                            line=line, field=field) from exc
    _check_max_rank(table, rank_columns, options, problems, where)
    return table, rank_columns, where


def _header(stream: BinaryIO | str, problems: Problems) -> tuple[list[str], int]:
    """The header's column names and its length in bytes (read without moving the stream)."""
    if isinstance(stream, str):
        with open(stream, "rb") as handle:
            first = handle.readline()
    else:
        position = stream.tell()
        first = stream.readline()
        stream.seek(position)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise problems.fail("malformed-file", "the header is not UTF-8 text", line=1) from exc
    try:
        rows = list(csv.reader([text.rstrip("\r\n")]))
    except csv.Error as exc:
        raise problems.fail("malformed-file", f"the header is not a CSV line: {exc}",
                            line=1) from exc
    return (rows[0] if rows else []), len(first)


def _rank_columns(columns: list[str], options: CvrOptions,
                  problems: Problems) -> list[tuple[int, str]]:
    ranks: dict[int, str] = {}
    for column in columns:
        match = RANK_COLUMN.match(column.strip())
        if not match:
            continue
        rank = int(match.group(1) or match.group(2))
        if rank < 1 or rank in ranks:
            problems.add("bad-header", f"column {column!r} repeats or misnumbers a rank", 1,
                         column)
        ranks[rank] = column
    if not ranks:
        problems.add("bad-header", "no rank columns: the header needs rank1, rank2, ... (or "
                     "choice_1, 1st Choice, ...)", 1)
    elif sorted(ranks) != list(range(1, len(ranks) + 1)):
        problems.add("bad-header", f"rank columns must run rank1..rank{len(ranks)} without gaps",
                     1)
    problems.raise_if_any()
    return sorted(ranks.items())


def _check_max_rank(table: pa.Table, rank_columns: list[tuple[int, str]], options: CvrOptions,
                    problems: Problems, where: _Where) -> None:
    if options.max_rankings is None:
        return
    for rank, column in rank_columns:
        if rank <= options.max_rankings:
            continue
        cells = (_decoded(v, "replace") for v in table.column(column).to_pylist())
        marked = [(row, v) for row, v in enumerate(cells) if v.strip()]
        for row, value in marked[:20]:
            problems.add("rank-out-of-range", f"ballot {where.ballots + row + 1}: rank {rank} "
                         f"({value!r}) is above the maximum of {options.max_rankings}",
                         where.line_of(row), column)
    problems.raise_if_any()


# ---- dictionary encoding into one candidate index ----

def _encode(table: pa.Table, rank_columns: list[tuple[int, str]], source_name: str,
            where: _Where, names: list[str] | None = None, fold: bool = False) -> RankMatrix:
    """The table's rank columns as one matrix (``names`` grows with the names first seen), or
    with ``fold`` its distinct rows and their counts, keyed straight from the dictionary codes
    without building the matrix first."""
    names = [] if names is None else names
    index = {name: i for i, name in enumerate(names)}
    encoded = [table.column(column) for _, column in rank_columns]
    if not all(pa.types.is_dictionary(column.type) for column in encoded):
        # (imported here: concurrent.futures loads logging and threading, 15 ms of start-up
        # that the dictionary columns pyarrow's parser gives never need)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:  # pyarrow hashes without the GIL: in parallel
            encoded = list(pool.map(lambda c: c.dictionary_encode(), encoded))
    columns = []  # per column, per chunk: (candidate index per dictionary entry, codes)
    for position, column in enumerate(encoded):
        chunks, start = [], 0
        for chunk in column.chunks:
            try:
                labels = [_decoded(label) for label in chunk.dictionary.to_pylist()]
            except UnicodeDecodeError as exc:
                row = start + _undecodable_row(chunk)
                raise ValidationError([Problem(
                    "malformed-file", "a cell is not UTF-8 text; save the file as UTF-8",
                    source_name, where.line_of(row), rank_columns[position][1])]) from exc
            chunks.append((_lookup(labels, names, index), _codes(chunk.indices)))
            start += len(chunk)
        columns.append(chunks)
    base, width = len(names) + 1, len(rank_columns)
    if fold and width > 0 and base ** width < 2**62 and table.num_rows:
        # key = sum over columns of (index + 1) * base ** (places after it): each column's
        # small dictionary is scaled once, so the rows need one gather and add per column
        kind = np.int32 if base ** width < 2**31 else np.int64
        keys = np.zeros(table.num_rows, kind)
        for position, chunks in enumerate(columns):
            scale = base ** (width - 1 - position)
            start = 0
            for lookup, codes in chunks:
                keys[start:start + len(codes)] += ((lookup.astype(kind) + 1) * scale)[codes]
                start += len(codes)
        rows, counts = tally_keys(keys, None, base, width)
        return RankMatrix(tuple(names), rows, counts)
    matrix = np.empty((table.num_rows, width), dtype=np.int32)
    for position, chunks in enumerate(columns):
        start = 0
        for lookup, codes in chunks:
            matrix[start:start + len(codes), position] = lookup[codes]
            start += len(codes)
    return collapse([RankMatrix(tuple(names), matrix)]) if fold else \
        RankMatrix(tuple(names), matrix)


def _undecodable_row(chunk: pa.DictionaryArray) -> int:
    """The first row of the chunk whose text is not UTF-8 (only on the error path)."""
    for entry in range(len(chunk.dictionary)):
        try:
            _decoded(chunk.dictionary[entry].as_py())
        except UnicodeDecodeError:
            return int(np.flatnonzero(_codes(chunk.indices) == entry)[0])
    return 0


def _decoded(value: str | bytes | None, errors: str = "strict") -> str:
    """A cell's text: bytes decoded as UTF-8 (``errors`` as ``bytes.decode``), None as ""."""
    if value is None:
        return ""
    return value.decode("utf-8", errors) if isinstance(value, bytes) else value


def _lookup(labels: list[str], names: list[str], index: dict[str, int]) -> np.ndarray:
    """Each dictionary entry's candidate index (-1 for blank), adding new names to ``names``."""
    lookup = np.full(max(len(labels), 1), -1, dtype=np.int32)
    for i, raw in enumerate(labels):
        label = raw.strip()
        if label:
            lookup[i] = index.setdefault(label, len(names))
            if lookup[i] == len(names):
                names.append(label)
    return lookup


def _codes(indices: pa.Array) -> np.ndarray:
    """Dictionary indices (never null here) as a numpy view, without pyarrow's pandas-aware
    conversion (which imports pandas when it is installed)."""
    width = indices.type.bit_width // 8
    dtype = np.dtype(f"int{width * 8}")
    return np.frombuffer(indices.buffers()[1], dtype=dtype, count=len(indices),
                         offset=indices.offset * width)


def _arrow_message(exc: Exception) -> str:
    return str(exc).splitlines()[0][:300]


def _ragged_row(stream: BinaryIO | str, start: int,
                header: list[str]) -> tuple[int | None, str | None]:
    """Where pyarrow gave up (it does not say): the first row whose cell count is not the
    header's (and the first column it lacks or adds), or whose text is not UTF-8 (and in which
    column) — found with the csv module, and only ever on the error path."""
    try:
        if isinstance(stream, str):
            with open(stream, "rb") as handle:
                return _first_bad_row(handle, 0, header)
        return _first_bad_row(stream, start, header)
    except (csv.Error, OSError, ValueError):
        return None, None


def _first_bad_row(handle: BinaryIO, start: int,
                   header: list[str]) -> tuple[int | None, str | None]:
    handle.seek(start)
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace", newline="")
    try:
        rows = csv.reader(text)
        for row in rows:
            bad = [i for i, cell in enumerate(row) if "\ufffd" in cell]
            if bad:
                return rows.line_num, header[bad[0]] if bad[0] < len(header) else None
            if row and len(row) != len(header):
                return rows.line_num, f"column {min(len(row), len(header)) + 1}"
    finally:
        text.detach()
    return None, None
