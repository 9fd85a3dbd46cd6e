"""The first sheet of an .xlsx workbook, read straight from its XML, row by row.

A CVR spreadsheet is a plain grid: shared strings, numbers, now and then an inline string. Reading
the sheet's XML with two regular expressions, a block at a time, is some fifteen times faster
than openpyxl and holds one block in memory. Values come out as openpyxl gives them (str, int,
float, bool, None). Anything this reader does not handle — a cell or row without its address, a
date cell — raises ``UnsupportedSheet`` so the caller can use openpyxl instead.
"""

from __future__ import annotations

import codecs
import functools
import html
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
ROW = re.compile(r"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
ROW_NUMBER = re.compile(r'\br="(\d+)"')
ADDRESS = re.compile(r'\br="([A-Z]+)(\d+)"')
TYPE = re.compile(r'\bt="(\w+)"')
VALUE = re.compile(r"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
TEXT = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.S)
PLAIN_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*)>(?:<v>([^<]*)</v>)?')
ROW_END = re.compile(r"</(?:\w+:)?row>")
EMPTY_ROW = re.compile(r"<(?:\w+:)?row\b[^>]*?(?:/>|>\s*</(?:\w+:)?row>)")
ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
Value = str | int | float | bool | None


class UnsupportedSheet(Exception):
    """The sheet uses something this reader leaves to openpyxl."""


def sheet_rows(stream: BinaryIO, first_row: int = 1,
               block: int = 8 << 20) -> Iterator[Row]:
    """(row number, cell values from column A) for every row from ``first_row`` on that the sheet
    lists, an empty one included. Raises zipfile/KeyError/ValueError for a file that is not a workbook."""
    with zipfile.ZipFile(stream) as book:
        strings = _shared_strings(book)
        with book.open(_first_sheet(book)) as sheet:
            decoder = codecs.getincrementaldecoder("utf-8")()
            tail = ""
            while True:
                data = sheet.read(block)
                text = tail + decoder.decode(data, final=not data)
                cut = _last_row_end(text) if data else len(text)
                yield from _rows(text[:cut], strings, first_row)
                tail = text[cut:]
                if not data:
                    return


def _last_row_end(text: str) -> int:
    """Where the last complete row of a block ends (0: none yet)."""
    end = 0
    for match in ROW_END.finditer(text):
        end = match.end()
    return end


Row = tuple[int, tuple[Value, ...]]


def _rows(text: str, strings: list[str], first_row: int) -> Iterator[Row]:
    """The block's rows: plain cells (a value or none, no formula, no inline string) take one
    C-speed pass; a block with anything else is read element by element."""
    if "<f" in text or "<is>" in text or ":c " in text or EMPTY_ROW.search(text):
        return _rows_by_element(text, strings, first_row)
    cells = PLAIN_CELL.findall(text)
    if len(cells) != text.count("<c "):
        return _rows_by_element(text, strings, first_row)
    return _plain_rows(cells, strings, first_row)


def _plain_rows(cells: list[tuple[str, str, str, str]], strings: list[str],
                first_row: int) -> Iterator[Row]:
    current, row = "", dict[int, Value]()
    for letters, number, attributes, raw in cells:
        if number != current:
            if row and int(current) >= first_row:
                yield int(current), _as_tuple(row)
            current, row = number, {}
        if not raw:
            continue
        if 't="s"' in attributes:
            row[_column(letters)] = strings[int(raw)]
        elif 't="' not in attributes or 't="n"' in attributes:
            row[_column(letters)] = float(raw) if any(c in raw for c in ".eE") else int(raw)
        else:
            kind = TYPE.search(attributes)
            row[_column(letters)] = _value(kind.group(1) if kind else "n", f"<v>{raw}</v>",
                                           strings)
    if row and int(current) >= first_row:
        yield int(current), _as_tuple(row)


def _as_tuple(cells: dict[int, Value]) -> tuple[Value, ...]:
    values: list[Value] = [None] * max(cells)
    for column, value in cells.items():
        values[column - 1] = value
    return tuple(values)


def _rows_by_element(text: str, strings: list[str], first_row: int) -> Iterator[Row]:
    for row in ROW.finditer(text):
        number = ROW_NUMBER.search(row.group(1))
        if number is None:
            raise UnsupportedSheet("a row without its number")
        if int(number.group(1)) < first_row:
            continue
        cells: dict[int, Value] = {}
        for cell in CELL.finditer(row.group(2) or ""):
            address = ADDRESS.search(cell.group(1))
            if address is None:
                raise UnsupportedSheet("a cell without its address")
            kind = TYPE.search(cell.group(1))
            cells[_column(address.group(1))] = _value(kind.group(1) if kind else "n",
                                                      cell.group(2) or "", strings)
        # A row the sheet lists with nothing in it is still a ballot to RCTab (one with no
        # rankings), so it is yielded too; rows the sheet does not list at all are not.
        yield int(number.group(1)), _as_tuple(cells) if cells else ()


def _value(kind: str, body: str, strings: list[str]) -> Value:
    if kind == "inlineStr":
        return _text("".join(TEXT.findall(body)))
    found = VALUE.search(body)
    if found is None or not found.group(1):
        return None  # no value, or a formula never calculated
    raw = found.group(1)
    if kind == "s":
        return strings[int(raw)]
    if kind == "n":
        return float(raw) if any(c in raw for c in ".eE") else int(raw)
    if kind == "b":
        return raw.strip() == "1"
    if kind in ("str", "e"):
        return _text(raw)
    raise UnsupportedSheet(f"cell type {kind!r}")


def _text(raw: str) -> str:
    """Text as it stands in the sheet's XML: entities, then OOXML's _xHHHH_ escapes."""
    return _unescape(html.unescape(raw) if "&" in raw else raw)


def _unescape(text: str) -> str:
    return ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


@functools.lru_cache(maxsize=4096)
def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _first_sheet(book: zipfile.ZipFile) -> str:
    workbook = ET.fromstring(book.read("xl/workbook.xml"))
    sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
    if sheet is None:
        raise UnsupportedSheet("no sheet listed in the workbook")
    relations = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    for relation in relations:
        if relation.get("Id") == sheet.get(RELATIONSHIP):
            target = relation.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join("xl", target))
    raise UnsupportedSheet("the first sheet's part is not in the workbook's relations")


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    try:
        part = book.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings = []
    with part:
        for _, element in ET.iterparse(part):
            if element.tag == f"{MAIN}si":
                strings.append(_unescape("".join(t.text or "" for t in _runs(element))))
                element.clear()
    return strings


def _runs(item: ET.Element) -> Iterator[ET.Element]:
    """The <t> elements of a shared string, leaving out phonetic guides (<rPh>)."""
    for child in item:
        if child.tag == f"{MAIN}t":
            yield child
        elif child.tag == f"{MAIN}r":
            yield from child.iter(f"{MAIN}t")
