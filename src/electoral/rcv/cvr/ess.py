"""ES&S cast vote record spreadsheets (.xlsx): one row per ballot, one column per rank.

The config names the first rank column and first ballot row (1-based) and optionally the id,
precinct and batch columns. Cells hold a candidate label, the file's overvote/undervote/write-in
labels, or nothing; a cell may hold several candidates split by the overvote delimiter. Like RCTab,
columns past ``max_rankings`` are not ranks, a ballot lacking its precinct or batch is put in
``missing_precinct_id`` / ``missing_batch_id``, and ids read ``<file>-<n>`` (n counts ballot rows).

The first sheet is read with python-calamine (Rust, straight from the workbook: a city's million
rows in seconds, where openpyxl takes minutes). A row with no cell filled is a ballot with no
rankings only when the sheet lists it (an empty ``<row>`` element), as RCTab (Apache POI) counts
it; calamine drops such rows, so their numbers come from one pass over the sheet's XML bytes.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from electoral.errors import Problem, ValidationError
from electoral.io import limits
from electoral.model import CastVoteRecord
from electoral.rcv.cvr.common import CvrOptions, Problems, cell_text, sanitize

MISSING_PRECINCT = "missing_precinct_id"
MISSING_BATCH = "missing_batch_id"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
EMPTY_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"[^>]*?(?:/>|>\s*</(?:\w+:)?row>)')


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
        rows = sheet_rows(stream, first_row, source_name)
        records = _records(rows, source_name, options, problems)
    except CalamineError as exc:
        raise problems.fail("malformed-file", f"not a readable .xlsx workbook ({exc}); ES&S "
                            "files must be Excel workbooks") from exc
    problems.raise_if_any()
    return records


class CalamineError(Exception):
    """python-calamine could not read the workbook (its own errors share no base class)."""


def sheet_rows(stream: BinaryIO, first_row: int = 1, source: str | None = None,
               ) -> Iterator[tuple[int, tuple[object, ...]]]:
    """(row number from 1, cell values from column A: str, int, float, bool, date, None) for
    every row of the first sheet from ``first_row`` on. The workbook is first held to
    ``io.limits.check_workbook`` (sizes, cell addresses, the rectangle calamine allocates,
    shared strings), and each text cell to ``max_field`` characters.

    Raises:
        CalamineError: the bytes are not a workbook calamine can read.
        ValidationError: a limit is passed (located at ``source``, the row and column for a cell).
    """
    import python_calamine

    try:
        with zipfile.ZipFile(stream) as book:
            sheet_part = _first_sheet(book)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 (zipfile and ElementTree raise several classes)
        raise CalamineError(str(exc) or type(exc).__name__) from exc
    try:
        limits.check_workbook(stream, sheet_part, source)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 (zipfile and zlib raise several classes)
        raise CalamineError(str(exc) or type(exc).__name__) from exc
    longest = limits.current().max_field
    try:
        empty = _listed_empty_rows(stream)
        stream.seek(0)
        sheet = python_calamine.CalamineWorkbook.from_filelike(stream).get_sheet_by_index(0)
        # iter_rows starts at row 1 but at the sheet's first used column
        pad = (None,) * (sheet.start[1] if sheet.start else 0)
        number = 0
        for number, row in enumerate(sheet.iter_rows(), start=1):
            cells = tuple(None if v == "" else v for v in row)
            for column, value in enumerate(cells, start=len(pad) + 1):
                if type(value) is str and len(value) > longest:
                    raise ValidationError([Problem(
                        "too-large", f"a cell holds {len(value):,} characters, above the limit "
                        f"of {longest:,}; a bigger cell needs "
                        f"{limits.VARIABLES['max_field']} raised", source, number,
                        field=f"column {column}")])
            if number >= first_row and (any(v is not None for v in cells) or number in empty):
                yield number, pad + cells
        yield from ((n, ()) for n in sorted(empty) if n > number and n >= first_row)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 (calamine raises its own classes and plain ones)
        raise CalamineError(str(exc) or type(exc).__name__) from exc


def _listed_empty_rows(stream: BinaryIO, block: int = 8 << 20) -> set[int]:
    """The numbers of the rows the first sheet lists with no cell."""
    found: set[int] = set()
    with zipfile.ZipFile(stream) as book, book.open(_first_sheet(book)) as sheet:
        tail = b""
        while True:
            data = sheet.read(block)
            text = tail + data
            # cut after the last row's end tag, so no row element is split between blocks
            end = text.rfind(b"row>")
            cut = len(text) if not data else (end + 4 if end >= 0 else 0)
            found.update(int(m.group(1)) for m in EMPTY_ROW.finditer(text, 0, cut))
            tail = text[cut:]
            if not data:
                return found


def _part(book: zipfile.ZipFile, name: str) -> bytes:
    """A small part of the workbook (its sheet list, its relations): a few KB in any real file,
    read no further than ``io.limits.SMALL`` bytes whatever the zip's header says."""
    with book.open(name) as part:
        data = part.read(limits.SMALL + 1)
    if len(data) > limits.SMALL:
        raise ValidationError([Problem("too-large", f"the workbook part {name} is above "
                                       f"{limits.SMALL:,} bytes", field=name)])
    return data


def _first_sheet(book: zipfile.ZipFile) -> str:
    """The zip path of the workbook's first sheet (ECMA-376 part 1, 18.2.19 and the part's rels)."""
    # through defusedxml and the bounds: a workbook's XML is as untrusted as any other file's
    workbook, _ = limits.parse_xml(_part(book, "xl/workbook.xml"), "xl/workbook.xml")
    sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
    relations, _ = limits.parse_xml(_part(book, "xl/_rels/workbook.xml.rels"),
                                    "xl/_rels/workbook.xml.rels")
    for relation in relations:
        if sheet is not None and relation.get("Id") == sheet.get(RELATIONSHIP):
            target = relation.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join("xl", target))
    raise KeyError("the first sheet's part is not in the workbook's relations")


def _records(rows: Iterable[tuple[int, tuple[object, ...]]], source_name: str,
             options: CvrOptions, problems: Problems) -> list[CastVoteRecord]:
    """One record per row that has a cell filled."""
    prefix = sanitize(source_name)
    records: list[CastVoteRecord] = []
    for row_number, values in rows:
        row = [cell_text(value) for value in values]
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

