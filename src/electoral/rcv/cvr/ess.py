"""ES&S cast vote record spreadsheets (.xlsx): one row per ballot, one column per rank.

The config names the first rank column and first ballot row (1-based) and optionally the id,
precinct and batch columns. Cells hold a candidate label, the file's overvote/undervote/write-in
labels, or nothing; a cell may hold several candidates split by the overvote delimiter. Like RCTab,
columns past ``max_rankings`` are not ranks, a ballot lacking its precinct or batch is put in
``missing_precinct_id`` / ``missing_batch_id``, and ids read ``<file>-<n>`` (n counts ballot rows).

The sheet is read straight from the workbook's XML (a city's million rows in seconds, where
openpyxl takes minutes); a workbook written in a way that shortcut does not handle (cells without
their address, say) is read with openpyxl instead, which gives the same rows, only slower.
"""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterable
from typing import BinaryIO

from electoral.model import CastVoteRecord
from electoral.rcv.cvr.common import CvrOptions, Problems, cell_text, sanitize
from electoral.rcv.cvr.xlsx import UnsupportedSheet, sheet_rows

MISSING_PRECINCT = "missing_precinct_id"
MISSING_BATCH = "missing_batch_id"


def read_ess(stream: BinaryIO, source_name: str, options: CvrOptions) -> list[CastVoteRecord]:
    """Every ballot row of the first sheet, marks as (rank, label) pairs in column order.

    Raises:
        ValidationError: ``missing-option`` without firstVoteColumnIndex/firstVoteRowIndex,
            ``malformed-file`` when the workbook is unreadable, and every problem, by row and
            column.
    """
    problems = Problems(source_name)
    first_column = options.first_vote_column or 0
    first_row = options.first_vote_row or 0
    if first_column < 1 or first_row < 1:
        raise problems.fail("missing-option", "ES&S files need firstVoteColumnIndex and "
                            "firstVoteRowIndex (1-based) in the CVR source",
                            field="firstVoteColumnIndex" if first_column < 1 else
                            "firstVoteRowIndex")
    try:
        records = _records(sheet_rows(stream, first_row), source_name, options, problems)
    except UnsupportedSheet:
        return _read_with_openpyxl(stream, source_name, options, Problems(source_name))
    except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, IndexError, OSError, EOFError,
            NotImplementedError, ET.ParseError) as exc:
        raise problems.fail("malformed-file", f"not a readable .xlsx workbook ({exc!r}); ES&S "
                            "files must be Excel workbooks") from exc
    problems.raise_if_any()
    return records


def _read_with_openpyxl(stream: BinaryIO, source_name: str, options: CvrOptions,
                        problems: Problems) -> list[CastVoteRecord]:
    import openpyxl  # type: ignore[import-untyped]

    first_row = options.first_vote_row or 1
    stream.seek(0)
    try:
        with warnings.catch_warnings():  # vendor workbooks carry extensions openpyxl skips
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError, OSError, EOFError,
            NotImplementedError) as exc:
        raise problems.fail("malformed-file", f"not a readable .xlsx workbook ({exc}); ES&S "
                            "files must be Excel workbooks") from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            rows = book.worksheets[0].iter_rows(min_row=first_row, values_only=True)
            records = _records(enumerate(rows, start=first_row), source_name, options, problems,
                               listed_rows=False)
    except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError, OSError,
            EOFError) as exc:
        raise problems.fail("malformed-file", f"cannot read the sheet's cells ({exc})") from exc
    finally:
        book.close()
    problems.raise_if_any()
    return records


def _records(rows: Iterable[tuple[int, tuple[object, ...]]], source_name: str,
             options: CvrOptions, problems: Problems,
             listed_rows: bool = True) -> list[CastVoteRecord]:
    """One record per row. ``listed_rows``: the rows are those the sheet lists, so an empty one
    is a ballot with no rankings, as RCTab counts it; openpyxl also invents empty rows for the
    gaps between listed ones, so from it empty rows are skipped."""
    prefix = sanitize(source_name)
    records: list[CastVoteRecord] = []
    for row_number, values in rows:
        row = [cell_text(value) for value in values]
        if not any(row) and not listed_rows:
            continue
        record_id = f"{prefix}-{len(records) + 1}"
        records.append(CastVoteRecord(
            id=record_id,
            marks=_marks(row, row_number, options, problems),
            precinct=_column(row, options.precinct_column, MISSING_PRECINCT),
            batch=_column(row, options.batch_column, MISSING_BATCH)))
        if options.id_column is not None and any(row) and _cell(row, options.id_column) is None:
            problems.add("missing-id", "the ballot id cell is empty", row_number,
                         f"column {options.id_column}")
    return records


def _cell(row: list[str | None], column: int) -> str | None:
    return row[column - 1] if 0 < column <= len(row) else None


def _column(row: list[str | None], column: int | None, missing: str) -> str | None:
    if column is None:
        return None
    return _cell(row, column) or missing


def _marks(row: list[str | None], row_number: int, options: CvrOptions,
           problems: Problems) -> tuple[tuple[int, str], ...]:
    first = options.first_vote_column or 1
    special = {options.precinct_column, options.batch_column, options.id_column}
    last = len(row) if options.max_rankings is None else min(
        len(row), first - 1 + options.max_rankings)
    delimiter = options.overvote_delimiter
    marks: list[tuple[int, str]] = []
    for column in range(first, last + 1):
        text = None if column in special else row[column - 1]
        if text is None:
            continue
        rank = column - first + 1
        parts = [text.strip()] if not delimiter else [p.strip() for p in text.split(delimiter)]
        if len(parts) > 1 and any(not p or p == options.skipped_rank_label for p in parts):
            problems.add("bad-overvote-cell", f"cell {text!r} splits into a blank or skipped "
                         f"ranking; every part between {delimiter!r} must name a candidate",
                         row_number, f"rank {rank}")
            continue
        marks.extend((rank, part) for part in parts)
    return tuple(marks)

