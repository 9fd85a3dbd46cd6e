"""How big, long, deep and many an input may be: every reader stops at these with a located error.

Hostile or merely broken files must not take the machine with them (issue 11, "Bounds"): a 2 MB
``.gz`` that expands to 2 GiB, a 2 GiB line, JSON or XML nested 10,000 deep. Each limit below is
the largest real input in ``../shared`` (measured 2026, issue 11) with generous headroom, and each
can be raised for a bigger file by the environment variable named beside it (a whole number of
bytes or items; ``K``, ``M``, ``G`` suffixes are powers of 1024):

=====================  =========================  ============  ====================================
limit                  variable                   default       largest real input
=====================  =========================  ============  ====================================
expanded size          ELECTORAL_MAX_BYTES        1 GiB         157 MB (MEDSL 2024 precincts)
expansion ratio        ELECTORAL_MAX_RATIO        100           32 (Maine 2018 CVRs, 43 MB);
                                                                387 for a 474-byte file (below the
                                                                16 MiB a small file may always give)
line length            ELECTORAL_MAX_LINE         1 MiB         3.5 KB (a Clear Ballot header)
field length           ELECTORAL_MAX_FIELD        128 KiB       373 characters
nesting depth          ELECTORAL_MAX_DEPTH        64            11 (a NIST CVR JSON example)
elements               ELECTORAL_MAX_ELEMENTS     10,000,000    71,341 JSON containers (an atlas)
=====================  =========================  ============  ====================================

Why these values beyond headroom: the field length is Python's ``csv`` default, so the CSV readers
(which keep it) and the XML and JSON readers agree; the depth stays far below Python's recursion
limit (1000), which the readers' recursive walks of a parsed tree need; ten million elements of a
parsed tree cost about 1–2 GB, the budget a 1 GiB file already implies. Lines are not bounded in
XML and JSON documents, which are often written on one line: their size, depth and elements are.

Entry points: ``read_stored``/``gunzip``/``check_lines`` (used by ``io.open_source``, the one place
returns files are opened), ``open_capped`` (the CVR readers' files), ``load_json`` and
``parse_xml`` (every JSON and XML reader). XML is parsed by ``defusedxml``, refusing a DTD, entity
declarations and external references whatever the Python's expat would do with them.
"""

from __future__ import annotations

import io
import json
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree import ElementTree as ET

from electoral.errors import Problem, ValidationError

CHUNK = 1 << 20  # bytes read or decompressed at a time: the memory a stream costs beyond its text
SMALL = 16 << 20  # a compressed file may always expand this far, whatever its ratio
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds in force (bytes, characters or items); see the module's table for each."""

    max_bytes: int = 1 << 30
    max_ratio: int = 100
    max_line: int = 1 << 20
    max_field: int = 128 << 10
    max_depth: int = 64
    max_elements: int = 10_000_000


VARIABLES = {"max_bytes": "ELECTORAL_MAX_BYTES", "max_ratio": "ELECTORAL_MAX_RATIO",
             "max_line": "ELECTORAL_MAX_LINE", "max_field": "ELECTORAL_MAX_FIELD",
             "max_depth": "ELECTORAL_MAX_DEPTH", "max_elements": "ELECTORAL_MAX_ELEMENTS"}


def current() -> Limits:
    """The defaults, each replaced by its environment variable when set (read at every call, so a
    user or a test may change one at any time).

    Raises:
        ValidationError: ``bad-limit`` when a variable is not a whole number from 1 (with an
            optional K, M or G).
    """
    values: dict[str, int] = {}
    for name, variable in VARIABLES.items():
        text = os.environ.get(variable, "").strip()
        if not text:
            continue
        match = re.fullmatch(r"([0-9]+)\s*([KMG]?)(?:i?B)?", text, re.IGNORECASE)
        number = int(match[1]) * _UNITS[match[2].upper()] if match else 0
        if number < 1:
            raise ValidationError([Problem("bad-limit", f"{variable}={text!r} is not a whole number "
                                           "from 1 (K, M and G allowed)", field=variable)])
        values[name] = number
    return Limits(**values)


def _refuse(code: str, message: str, source: str | None, variable: str,
            line: int | None = None) -> ValidationError:
    return ValidationError([Problem(code, f"{message}; a bigger file needs {variable} raised "
                                    "(electoral's limits: electoral.io.limits)", source, line)])


# ---- bytes ---------------------------------------------------------------------------------------

def read_stored(path: Path, source: str | None = None) -> bytes:
    """The bytes of ``path`` as stored, refused unread when the file is above ``max_bytes``.

    Raises:
        ValidationError: ``too-large``, located at ``source`` (the path's name by default).
        OSError: the file cannot be read (callers say which file).
    """
    limit = current().max_bytes
    size = path.stat().st_size
    if size > limit:
        raise _refuse("too-large", f"the file is {size:,} bytes, above the limit of {limit:,}",
                      source or path.name, VARIABLES["max_bytes"])
    with path.open("rb") as stream:
        # A regular file is read at the size it states; a pipe or a device states none and is
        # read a chunk at a time up to the limit (/dev/zero must not fill the memory).
        parts: list[bytes] = []
        total = 0
        while chunk := stream.read(size + 1 if size and not parts else CHUNK):
            total += len(chunk)
            if total > limit:
                raise _refuse("too-large", f"the file holds more than {limit:,} bytes",
                              source or path.name, VARIABLES["max_bytes"])
            parts.append(chunk)
        return b"".join(parts)


def gunzip(raw: bytes, source: str | None) -> bytes:
    """``raw`` (gzip, RFC 1952, one member or several) decompressed, within ``max_bytes`` and
    ``max_ratio`` times its compressed size (16 MiB at least), its lines within ``max_line``
    unless it is an XML or JSON document. A first pass only measures, a chunk at a time, so a
    compression bomb is refused in constant memory; the second keeps the text.

    Raises:
        ValidationError: ``too-large`` or ``line-too-long``, located at ``source``.
        OSError, EOFError, zlib.error: not readable as gzip (the caller says so, naming the file).
    """
    limits = current()
    allowed = min(limits.max_bytes, max(limits.max_ratio * len(raw), SMALL))
    gauge = LineGauge(limits.max_line, source)
    total = 0
    for chunk in _inflate(raw):
        total += len(chunk)
        if total > allowed:
            ratio = allowed < limits.max_bytes
            why = (f"more than {limits.max_ratio} times its {len(raw):,} compressed bytes" if ratio
                   else f"above the limit of {limits.max_bytes:,}")
            raise _refuse("too-large", f"the file expands to more than {allowed:,} bytes, {why} "
                          "(a compression bomb?)", source,
                          VARIABLES["max_ratio" if ratio else "max_bytes"])
        gauge.feed(chunk)
    return b"".join(_inflate(raw))


def _inflate(raw: bytes) -> Iterator[bytes]:
    data = raw
    while data:  # one gzip member per turn; what follows a member is the next member
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        while not inflater.eof:
            chunk = inflater.decompress(data, CHUNK)
            data = inflater.unconsumed_tail
            if not chunk and not data:
                break
            yield chunk
        if not inflater.eof:
            raise EOFError("the compressed file ends early")
        data = inflater.unused_data.lstrip(b"\0")  # gzip allows zero padding between members


def check_lines(raw: bytes, source: str | None) -> None:
    """Refuse a line of ``raw`` longer than ``max_line`` bytes (``\\n``, ``\\r`` or both end a line),
    unless ``raw`` is an XML or JSON document.

    Raises:
        ValidationError: ``line-too-long``, naming the line.
    """
    gauge = LineGauge(current().max_line, source)
    for start in range(0, len(raw), CHUNK):
        gauge.feed(raw[start:start + CHUNK])


class LineGauge:
    """The length of the line being read, fed a chunk at a time; raises past ``limit`` bytes.
    ``\\n``, ``\\r`` and ``\\r\\n`` each end a line. Stops measuring once the text shows itself an
    XML or JSON document (its first byte that is not blank or a BOM is ``<``, ``{`` or ``[``)."""

    def __init__(self, limit: int, source: str | None):
        self.limit, self.source = limit, source
        self.line, self.length, self.after_cr = 1, 0, False
        self.document: bool | None = None  # None until the first byte that is not blank

    def feed(self, chunk: bytes) -> None:
        if self.document is None:
            head = chunk.lstrip(b" \t\r\n\0\xef\xbb\xbf\xfe\xff")
            if head:
                self.document = head[:1] in (b"<", b"{", b"[")
        if self.document or not chunk:
            return
        ends = [i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0]
        if not ends:
            self.length += len(chunk)
            self._check(self.length, self.line)
            return
        first, last = min(ends), max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
        self._check(self.length + first, self.line)
        if last - first > self.limit:  # only when the limit is below the chunk's size
            self._inside(chunk[first:last + 1])
        joined = self.after_cr and chunk[:1] == b"\n"  # a CR LF split between two chunks
        self.line += (chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
                      - joined)
        self.after_cr = chunk.endswith(b"\r")
        self.length = len(chunk) - last - 1
        self._check(self.length, self.line)

    def _inside(self, part: bytes) -> None:
        """Check the lines between ``part``'s first and last line ends (both in ``part``)."""
        import numpy as np

        data = np.frombuffer(part, np.uint8)
        cr, lf = data == 13, data == 10
        starts = np.flatnonzero(cr | (lf & np.concatenate(([True], ~cr[:-1]))))
        ends = np.flatnonzero(lf | (cr & np.concatenate((~lf[1:], [True]))))
        lengths = starts[1:] - ends[:-1] - 1
        if len(lengths):
            worst = int(np.argmax(lengths))
            self._check(int(lengths[worst]), self.line + worst + 1)

    def _check(self, length: int, line: int) -> None:
        if length > self.limit:
            raise _refuse("line-too-long", f"line {line:,} is longer than {self.limit:,} bytes",
                          self.source, VARIABLES["max_line"], line)


def open_capped(path: Path, source: str | None = None) -> BinaryIO:
    """``path`` read within the limits (``read_stored``; gunzipped by ``gunzip`` when its first
    bytes are gzip's magic number; lines checked by ``check_lines``), as an in-memory stream.

    Raises:
        ValidationError: a limit is passed, or the file is gzip but not readable as gzip.
        OSError: the file cannot be read.
    """
    source = source or path.name
    raw = read_stored(path, source)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gunzip(raw, source)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValidationError([Problem("malformed-file", f"not a readable gzip file: {exc}",
                                           source)]) from exc
    else:
        check_lines(raw, source)
    return io.BytesIO(raw)


# ---- zip archives --------------------------------------------------------------------------------

# a zip archive starts with a local file header, or (an empty one) its end of central directory
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def unzip_one(raw: bytes, source: str) -> tuple[str, bytes]:
    """The one file a zip archive carries (Clarity publishes ``detail.xml`` as ``detail.zip``;
    states zip a single CSV), as ``(its name, its bytes)``, inflated within ``max_bytes`` and
    ``max_ratio`` (its real size checked as it inflates, whatever the zip's header says). An
    archive with several files gives its ``detail.xml`` when it has one (Clarity's), else is
    refused naming them; an Excel workbook is refused with what to do.

    Raises:
        ValidationError: ``malformed-file`` (not a readable zip, a workbook, no file or several),
            ``too-large``, located at ``source``.
    """
    import zipfile

    def refuse(message: str) -> ValidationError:
        return ValidationError([Problem("malformed-file", message, source)])

    limits = current()
    allowed = min(limits.max_bytes, max(limits.max_ratio * len(raw), SMALL))
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = [i.filename for i in archive.infolist() if not i.is_dir()
                     and not i.filename.startswith(("__MACOSX/", "."))]
            if "xl/workbook.xml" in names or "[Content_Types].xml" in names:
                raise refuse("an Excel workbook: returns files are read as CSV, XML or JSON; "
                             "save the sheet as CSV (ranked-choice CVR workbooks go to "
                             "`electoral rcv`)")
            chosen = [n for n in names if n.rsplit("/", 1)[-1].lower() == "detail.xml"]
            if len(names) != 1 and len(chosen) != 1:
                listed = ", ".join(names[:10]) + (" …" if len(names) > 10 else "")
                raise refuse(f"a zip archive of {len(names)} files ({listed or 'none'}); "
                             "electoral reads one file of returns per archive: unzip it and "
                             "import the files")
            name = names[0] if len(names) == 1 else chosen[0]
            parts: list[bytes] = []
            total = 0
            with archive.open(name) as member:
                while chunk := member.read(CHUNK):
                    total += len(chunk)
                    if total > allowed:
                        raise _refuse("too-large", f"{name} expands to more than {allowed:,} "
                                      "bytes (a compression bomb?)", source,
                                      VARIABLES["max_bytes"])
                    parts.append(chunk)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 (zipfile raises BadZipFile, zlib.error, EOFError,
        # struct.error, ValueError, NotImplementedError... on a damaged or hostile archive)
        raise refuse(f"not a readable zip archive: {exc}") from None
    return name, b"".join(parts)


# ---- workbooks ----------------------------------------------------------------------------------

# Excel's own sheet bounds (ECMA-376 part 1, 18.3.1.4: columns A..XFD, rows 1..1,048,576): a cell
# addressed past them (a 2 KB workbook with a cell at ZZZZZZ20) is no spreadsheet a program wrote.
SHEET_COLUMNS = 16_384
SHEET_ROWS = 1_048_576
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Za-z]{1,8})([0-9]{1,10})"')
_CELL = re.compile(rb"<(?:\w+:)?c\b")
_STRING_ITEM = re.compile(rb"<(?:\w+:)?si\b")


def column_number(letters: str) -> int:
    """A column's number from its letters (A = 1, Z = 26, AA = 27; ECMA-376 cell references)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


@dataclass(frozen=True, slots=True)
class SheetShape:
    """What one pass over a worksheet's XML found: the highest row and column any cell names
    (1-based) and the cells it writes."""

    rows: int
    columns: int
    cells: int


def check_workbook(stream: BinaryIO, sheet: str, source: str | None) -> SheetShape:
    """Refuse an .xlsx (a zip of XML parts) that passes a limit before a spreadsheet library
    expands it: the parts' stated sizes above ``max_bytes`` or ``max_ratio`` times the file (16 MiB
    at least), a cell outside Excel's own bounds, a sheet whose used rectangle holds more than
    ``max_elements`` cells and more than twice the cells it writes (a reader allocates the
    rectangle: two far-apart cells would cost gigabytes), or more shared strings than
    ``max_elements``. ``sheet`` is the zip path of the worksheet the reader will read. Parts are
    streamed a chunk at a time and their real sizes checked as they inflate (a header may lie).

    Raises:
        ValidationError: ``too-large`` (sizes, cells, strings) or ``bad-cell`` (a reference past
            Excel's bounds), located at ``source``.
        zipfile.BadZipFile, KeyError, OSError: not a readable workbook (the caller says so).
    """
    import zipfile

    limits = current()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    allowed = min(limits.max_bytes, max(limits.max_ratio * size, SMALL))
    with zipfile.ZipFile(stream) as book:
        stated = sum(info.file_size for info in book.infolist())
        if stated > allowed:
            raise _refuse("too-large", f"the workbook's parts expand to {stated:,} bytes, above "
                          f"the {allowed:,} allowed for a {size:,}-byte file",
                          source, VARIABLES["max_bytes"])
        rows = columns = cells = 0
        for chunk in _chunks(book, sheet, allowed, source):
            cells += len(_CELL.findall(chunk))
            for letters, number in _CELL_REF.findall(chunk):
                column, row = column_number(letters.decode()), int(number)
                if column > SHEET_COLUMNS or not 0 < row <= SHEET_ROWS:
                    raise ValidationError([Problem(
                        "bad-cell", f"a cell is addressed {letters.decode()}{row}, outside the "
                        f"sheet's bounds (columns A to XFD, rows 1 to {SHEET_ROWS:,})", source,
                        field=sheet)])
                rows, columns = max(rows, row), max(columns, column)
        area = rows * columns
        if area > limits.max_elements and area > 2 * cells:
            raise _refuse("too-large", f"the sheet's cells span {rows:,} rows by {columns:,} "
                          f"columns ({area:,} cells) but it writes only {cells:,}",
                          source, VARIABLES["max_elements"])
        if "xl/sharedStrings.xml" in book.namelist():
            strings = sum(len(_STRING_ITEM.findall(chunk))
                          for chunk in _chunks(book, "xl/sharedStrings.xml", allowed, source))
            if strings > limits.max_elements:
                raise _refuse("too-large", f"the workbook holds {strings:,} shared strings, above "
                              f"the limit of {limits.max_elements:,}", source,
                              VARIABLES["max_elements"])
    stream.seek(0)
    return SheetShape(rows, columns, cells)


def _chunks(book: Any, name: str, allowed: int, source: str | None) -> Iterator[bytes]:
    """A zip part's bytes a chunk at a time, each cut before its last ``<`` so that no tag is split
    between two chunks; refused past ``allowed`` bytes whatever the zip's header says."""
    total = 0
    tail = b""
    with book.open(name) as part:
        while data := part.read(CHUNK):
            total += len(data)
            if total > allowed:
                raise _refuse("too-large", f"the workbook part {name} expands past {allowed:,} "
                              "bytes", source, VARIABLES["max_bytes"])
            # keep a tag's start that straddles two chunks whole in the next one
            cut = data.rfind(b"<")
            yield tail + data[:cut] if cut >= 0 else tail + data
            tail = data[cut:] if cut >= 0 else b""
    if tail:
        yield tail


# ---- JSON ----------------------------------------------------------------------------------------

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # one JSON string, escapes and all
_STEP = 4 << 20  # bytes of a document's structure weighed at a time (bounds the scan's memory)


def load_json(data: str | bytes, source: str | None = None) -> Any:
    """``data`` parsed as JSON (bytes decoded as ``json.loads`` does: UTF-8, -16 or -32), after its
    shape is checked against the limits: nesting depth (``max_depth``), objects and arrays
    (``max_elements``), string length (``max_field``). The check scans the text without
    recursing, so a document nested 10,000 deep is refused before the parser could overflow.

    Raises:
        ValidationError: ``too-deep``, ``too-many-elements`` or ``field-too-long``, located by line.
        json.JSONDecodeError: not JSON (a ``ValueError``; each reader words its own message).
        UnicodeDecodeError: bytes that are not in the encoding they start in.
    """
    text = data if isinstance(data, str) else data.decode(json.detect_encoding(data),
                                                          "surrogatepass")
    limits = current()
    check_json(text, source, limits)
    try:
        return json.loads(text)
    except RecursionError:  # the check bounds the depth; this is the guard should it ever slip
        raise _refuse("too-deep", "the document is nested deeper than Python can parse", source,
                      VARIABLES["max_depth"]) from None


def check_json(text: str, source: str | None, limits: Limits) -> None:
    """Refuse a JSON text deeper, bigger or with longer strings than ``limits`` allow.

    Raises:
        ValidationError: as ``load_json``.
    """
    import numpy as np

    # Strings removed, what is left is structure; raw newlines cannot be inside a JSON string,
    # so the lines of the structure are the document's.
    structure = _STRING.sub("", text).encode("utf-8", "replace")
    _check_shape(np.frombuffer(structure, np.uint8), source, limits)
    if '\\"' not in text:  # otherwise a long string may hide behind escaped quotes
        quotes = np.flatnonzero(np.frombuffer(text.encode("utf-8", "surrogatepass"),
                                              np.uint8) == 34)
        if len(quotes) < 2 or int(np.diff(quotes).max()) <= limits.max_field:
            return
    for match in _STRING.finditer(text):
        if match.end() - match.start() - 2 > limits.max_field:
            line = text.count("\n", 0, match.start()) + 1
            raise _refuse("field-too-long", f"a string on line {line:,} is longer than "
                          f"{limits.max_field:,} characters", source, VARIABLES["max_field"], line)


def _check_shape(data: Any, source: str | None, limits: Limits) -> None:
    import numpy as np

    depth = containers = 0
    line = 1
    for start in range(0, len(data), _STEP):
        part = data[start:start + _STEP]
        opens = (part == ord("[")) | (part == ord("{"))
        closes = (part == ord("]")) | (part == ord("}"))
        level = np.cumsum(opens.astype(np.int32) - closes, dtype=np.int64) + depth
        deep = np.flatnonzero(level > limits.max_depth)
        if len(deep):
            at = line + int(np.count_nonzero(part[:deep[0]] == 10))
            raise _refuse("too-deep", f"line {at:,} nests more than {limits.max_depth} arrays "
                          "and objects", source, VARIABLES["max_depth"], at)
        count = int(np.count_nonzero(opens))
        if containers + count > limits.max_elements:
            first = int(np.flatnonzero(opens)[limits.max_elements - containers])
            at = line + int(np.count_nonzero(part[:first] == 10))
            raise _refuse("too-many-elements", f"more than {limits.max_elements:,} arrays and "
                          f"objects (at line {at:,})", source, VARIABLES["max_elements"], at)
        containers += count
        depth = int(level[-1]) if len(level) else depth
        line += int(np.count_nonzero(part == 10))


# ---- XML -----------------------------------------------------------------------------------------

def parse_xml(data: str | bytes, source: str | None = None,
              lines: bool = False) -> tuple[ET.Element, dict[int, int]]:
    """``data`` parsed by ``defusedxml`` (a DTD, an entity declaration or an external reference is
    refused, whatever this Python's expat allows), within ``max_depth``, ``max_elements`` and
    ``max_field`` (an element's text, or an attribute's value). Gives the root and, when ``lines``,
    the line each element starts on, keyed by the element's ``id``.

    Raises:
        ValidationError: ``xml-forbidden`` (DTD, entities), ``too-deep``, ``too-many-elements`` or
            ``field-too-long``, located by line.
        xml.etree.ElementTree.ParseError: not well-formed XML (its ``position`` holds the line;
            each reader words its own message).
        LookupError: bytes that declare an encoding Python lacks.
    """
    from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
    from defusedxml.ElementTree import DefusedXMLParser  # type: ignore[import-untyped]

    builder = _Builder(current(), source, lines)
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.expat = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        line = parser.parser.CurrentLineNumber
        raise ValidationError([Problem("xml-forbidden", f"{_forbidden(exc)}: electoral reads no "
                                       "DTD, entity declaration or external reference (they can "
                                       "expand without bound or reach other files)", source,
                                       line)]) from None
    return root, builder.lines


def _forbidden(exc: Exception) -> str:
    name = type(exc).__name__
    return {"DTDForbidden": "a DTD (<!DOCTYPE …>)", "EntitiesForbidden": "an entity declaration",
            "ExternalReferenceForbidden": "an external reference"}.get(name, name)


class _Builder:
    """An ``ElementTree`` builder that counts as it builds: depth, elements, text length."""

    def __init__(self, limits: Limits, source: str | None, lines: bool):
        self.limits, self.source = limits, source
        self.tree = ET.TreeBuilder()
        self.expat: Any = None
        self.depth = self.elements = self.text = 0
        self.lines: dict[int, int] = {}
        self.keep_lines = lines

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self.depth += 1
        self.elements += 1
        self.text = 0
        line = self.expat.CurrentLineNumber if self.expat is not None else None
        if self.depth > self.limits.max_depth:
            raise _refuse("too-deep", f"line {line:,}: elements nest more than "
                          f"{self.limits.max_depth} deep", self.source, VARIABLES["max_depth"],
                          line)
        if self.elements > self.limits.max_elements:
            raise _refuse("too-many-elements", f"more than {self.limits.max_elements:,} "
                          f"elements (at line {line:,})", self.source,
                          VARIABLES["max_elements"], line)
        for name, value in attrs.items():
            if len(value) > self.limits.max_field:
                self._too_long(f"attribute {name}", line)
        element = self.tree.start(tag, attrs)
        if self.keep_lines and line is not None:
            self.lines[id(element)] = line
        return element

    def end(self, tag: str) -> ET.Element:
        self.depth -= 1
        self.text = 0
        return self.tree.end(tag)

    def data(self, text: str) -> None:
        self.text += len(text)
        if self.text > self.limits.max_field:
            self._too_long("text", self.expat.CurrentLineNumber if self.expat else None)
        self.tree.data(text)

    def close(self) -> ET.Element:
        return self.tree.close()

    def _too_long(self, what: str, line: int | None) -> None:
        raise _refuse("field-too-long", f"{what} longer than {self.limits.max_field:,} "
                      "characters", self.source, VARIABLES["max_field"], line)
