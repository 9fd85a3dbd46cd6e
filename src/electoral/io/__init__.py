"""Readers and writers at the edge: one module per format; the core never parses text.

This module is the one seam where files are opened. ``open_source`` turns a path into a text stream
(gzip handled here, once) and records its sha256; ``read_tables`` picks the reader from ``Format``
(``read_source``/``read_path`` give the same elections with ``Count`` objects, for small files).
A reader takes the file's text (never a path, never a URL) and returns every election in it as a
``ReturnsTable``, the one columnar form (``electoral.columns``), or raises ``ValidationError`` with
every problem located by file, line and field. The rules that hold for all returns are not the
readers' business: the import runs them once, in ``io.stage``, before the store.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.model import Returns

if TYPE_CHECKING:  # pyarrow loads only when a file is read, not when the CLI starts
    from electoral.columns import ReturnsTable


class Format(StrEnum):
    """Every results format electoral reads. Helpers add themselves to ``READERS``."""

    NATIVE = "csv"
    ARTICLE = "article"
    OPENELECTIONS = "openelections"
    SAMPLE = "sample"
    MEDSL_STATE = "medsl-state"
    MEDSL_COUNTY = "medsl-county"
    MEDSL_PRECINCT = "medsl-precinct"
    NIST_JSON = "nist-json"
    NIST_XML = "nist-xml"
    CLARITY = "clarity"
    TONMCG = "tonmcg"


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What a caller may tell a reader that the file itself does not say."""

    election: str | None = None  # an election id such as 2004-CT-president
    contest: str | None = None  # a contest of a multi-contest file, by its title ("US Senate")
    extra: dict[str, str] = field(default_factory=dict)
    # The user's statements that a spelling is a candidate (``--aliases``: spelling → candidate
    # name, ``io.names.read_aliases``); readers leave them to the import stage's spelling rule.
    aliases: dict[str, str] = field(default_factory=dict)
    # The file's text encoding as the user declares it (``--encoding cp1252``): ``open_source``
    # decodes with it instead of UTF-8 (``decode``).
    encoding: str | None = None


# Every format has one reader with one output form, ``list[ReturnsTable]`` (``electoral.columns``):
# what the import stage checks and the store writes. It takes the ``Source`` (the text already in
# memory) rather than a stream: a text stream of a 157 MB file costs more than parsing it.
Reader = Callable[["Source", ReadOptions], "list[ReturnsTable]"]
READERS: dict[Format, Reader] = {}
# A reader of small files may build its rows in Python, as ``Returns`` holding ``Count`` objects,
# from a text stream; ``register`` turns its output into the columnar form at this edge.
RowReader = Callable[[TextIO, str, ReadOptions], list[Returns]]


def register(fmt: Format) -> Callable[[RowReader], RowReader]:
    """Make a row reader (stream, source name, options → ``list[Returns]``) the reader of
    ``fmt``; the function itself is returned unchanged for callers that want the objects."""
    def add(reader: RowReader) -> RowReader:
        def read(source: Source, options: ReadOptions) -> list[ReturnsTable]:
            from electoral.columns import ReturnsTable
            return [ReturnsTable.of(r) for r in reader(source.stream(), source.name, options)]
        READERS[fmt] = read
        return reader
    return add


def register_table(fmt: Format) -> Callable[[Reader], Reader]:
    """Make a reader that gives the columnar form itself (a big file's) the reader of ``fmt``."""
    def add(reader: Reader) -> Reader:
        READERS[fmt] = reader
        return reader
    return add


@dataclass(frozen=True, slots=True)
class Source:
    """A file as read: its name, its sha256 and its text. A delimited file's text is always
    comma-separated (``open_source`` recodes a ``;`` or tab file); ``delimiter`` says what the
    file had, and ``first_line`` is the file's line number of the text's first line (2 where
    Excel's ``sep=`` line was taken off), so that every line a reader reports is the file's."""

    name: str
    sha256: str
    text: str
    first_line: int = 1
    delimiter: str = ","

    def stream(self) -> TextIO:
        return io.StringIO(self.text, newline=None)


def open_source(path: Path | str, encoding: str | None = None) -> Source:
    """The file at ``path`` read whole: the one file of a zip archive (``limits.unzip_one``; the
    source is named ``archive.zip/member``), gunzipped where gzip, decoded (``decode``: UTF-8,
    UTF-16 with a BOM, or ``encoding``), a delimited file's text made comma-separated
    (``as_csv``), with the sha256 of its bytes as stored.

    Raises:
        NotFoundError: no such file, or it cannot be read.
        ValidationError: it looks gzipped or zipped but is not readable so, or is a workbook or
            an archive of several files; a byte is not of the
            encoding (located by line and byte offset); ``encoding`` names no encoding; a
            ``;``- or tab-separated file is not readable so; it passes a limit of
            ``io.limits`` (``too-large``, ``line-too-long``): a file past one is refused before
            it is read whole.
    """
    from electoral.io import limits

    path = Path(path)
    try:
        raw = limits.read_stored(path)
    except FileNotFoundError as exc:
        raise NotFoundError(f"no file {path}; check the path") from exc
    except OSError as exc:
        raise NotFoundError(f"cannot read {path}: {exc.strerror}") from exc
    digest = hashlib.sha256(raw).hexdigest()
    name = path.name
    if raw[:4] in limits.ZIP_MAGIC:
        member, raw = limits.unzip_one(raw, path.name)
        # the member's name, under the archive's: its name says its format and election
        # (20201103__ga__general__county.csv), the archive's where it came from
        name = f"{path.name}/{member}"
    zipped = raw[:2] == b"\x1f\x8b"
    if zipped:
        try:
            raw = limits.gunzip(raw, path.name)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValidationError([Problem("malformed-file", f"not a readable gzip file: {exc}",
                                           source=name)]) from exc
    else:
        limits.check_lines(raw, name)
    text = decode(raw, name, encoding, zipped)
    text, first_line, delimiter = as_csv(text, name)
    return Source(name, digest, text, first_line, delimiter)


def decode(raw: bytes, name: str, encoding: str | None = None, zipped: bool = False) -> str:
    """``raw`` as text: in ``encoding`` where the user declares one, else UTF-16 where the bytes
    start with a UTF-16 byte-order mark, else UTF-8 (a BOM dropped). Never a guess: one byte
    that is not of the encoding refuses the file (Latin-1 as a fallback turned ``Fairfiéld``
    into ``FairfiÃ©ld`` for every name of the file). ``zipped`` says the bytes were gunzipped
    (the offset is then in the uncompressed text).

    Raises:
        ValidationError: ``encoding`` is no encoding's name; a byte is not of the encoding
            (code ``bad-encoding``, naming the line and the byte's offset).
    """
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ValidationError([Problem(
                "unknown-encoding", f"--encoding {encoding!r} is no text encoding Python knows "
                "(examples: utf-8, utf-16, cp1252, latin-1)", source=name,
                field="encoding")]) from None
        codec = "utf-8-sig" if codec == "utf-8" else codec
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16"
    else:
        codec = "utf-8-sig"
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].decode(codec, errors="replace").count("\n") + 1
        where = "of the uncompressed file " if zipped else ""
        bad = raw[exc.start:exc.end].hex(" ")
        label = "UTF-8" if codec == "utf-8-sig" else codec
        raise ValidationError([Problem(
            "bad-encoding", f"byte offset {exc.start} {where}(0x{bad}) is not {label} text "
            f"({exc.reason}); if the file is in another encoding, say which with --encoding "
            "(e.g. --encoding cp1252)", source=name, line=line, field="encoding")]) from None


# Excel's first line naming the delimiter of the rows below ("sep=;"), and the delimiters a
# spreadsheet saves besides the comma, by name.
SEP_LINE = re.compile(r"sep=(.)[ \t]*(?:\r\n|\n|\r)")
DELIMITERS = {";": "semicolon", "\t": "tab"}


def as_csv(text: str, name: str) -> tuple[str, int, str]:
    """``(text, first_line, delimiter)``: a delimited file's text as comma-separated CSV. The
    delimiter is what Excel's first line ``sep=X`` says (the line is taken off, ``first_line``
    2), else a semicolon or tab where the first line has one and no comma (files that start
    like XML, JSON or an article are left as they are). Each record keeps its line.

    Raises:
        ValidationError: the records are not readable with that delimiter, located by line.
    """
    match = SEP_LINE.match(text)
    if match:
        delimiter, text, first_line = match[1], text[match.end():], 2
    else:
        head = text.lstrip()
        header = head[:head.find("\n")] if "\n" in head else head
        if head[:1] in ("<", "{", "[", "=") or "," in header:
            return text, 1, ","
        delimiter, first_line = next((d for d in DELIMITERS if d in header), ","), 1
    if delimiter == ",":
        return text, first_line, delimiter
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    try:
        for record in reader:
            writer.writerow(record)
    except csv.Error as exc:
        raise ValidationError([Problem(
            "malformed-file", f"not readable as {DELIMITERS.get(delimiter, repr(delimiter))}-"
            f"separated values: {exc}", source=name,
            line=reader.line_num + first_line - 1)]) from None
    return out.getvalue(), first_line, delimiter


def detect_format(source: Source) -> Format:
    """Guess a file's format from its name and first line; say how to choose when unsure.

    Raises:
        ValidationError: the file is empty or only white space (``empty-file``), or no format
            recognises it (the message lists ``--format`` values).
    """
    _load_readers()  # the readers' modules add their probes
    name = source.name.lower()
    head = source.text.lstrip()[:4000]
    if not head:  # a failed download or export: "cannot tell the format" would send one astray
        raise ValidationError([Problem("empty-file", "the file is empty"
                                       + (" (only white space)" if source.text else ""),
                                       source=source.name, line=1)])
    if name.endswith(".sample.json"):
        return Format.SAMPLE
    if head.startswith("= ") and "Infobox" in head:
        return Format.ARTICLE
    first = head.splitlines()[0].lower() if head else ""
    columns = {c.strip() for c in first.split(",")}
    if {"election", "unit", "candidate", "votes"} <= columns:
        return Format.NATIVE
    if "__" in name and {"office", "candidate", "votes"} <= columns:
        return Format.OPENELECTIONS
    for fmt, probe in PROBES.items():
        if probe(source.name, head):
            return fmt
    raise ValidationError([Problem(
        "unknown-format", "cannot tell this file's format; pass --format "
        f"({', '.join(f.value for f in READERS)})", source=source.name)])


Probe = Callable[[str, str], bool]
PROBES: dict[Format, Probe] = {}


def read_tables(source: Source, fmt: Format | None = None,
                options: ReadOptions | None = None) -> list[ReturnsTable]:
    """Every election in ``source``, in the columnar form every reader gives (one per election,
    in the file's order), not yet checked: ``io.stage.stage`` checks it before the store.

    Raises:
        ValidationError: the format is unknown or the file is not readable as it; every problem
            located by file, line and field.
        NotFoundError: ``options.election`` names an election the file does not have.
    """
    _load_readers()
    fmt = fmt or detect_format(source)
    reader = READERS.get(fmt)
    if reader is None:
        raise ValidationError([Problem("unknown-format", f"no reader for format {fmt!r}",
                                       source=source.name)])
    try:
        tables = reader(source, options or ReadOptions())
    except ValidationError as exc:
        raise _shifted_error(exc, source.first_line - 1).located(source.name) from None
    except OverflowError:  # a count past the 64-bit integers the store holds
        raise ValidationError([Problem("bad-votes", f"a count is above {2 ** 63 - 1:,}, the "
                                       "largest electoral stores", source.name)]) from None
    if source.first_line != 1 or source.delimiter != ",":
        tables = [_as_in_file(table, source) for table in tables]
    return tables


def _shifted_error(exc: ValidationError, by: int) -> ValidationError:
    if not by:
        return exc
    return ValidationError(replace(p, line=None if p.line is None else p.line + by,
                                   lines=tuple(n + by for n in p.lines)) for p in exc.problems)


def _as_in_file(table: ReturnsTable, source: Source) -> ReturnsTable:
    """A table read from a recoded text (``as_csv``), its lines made the file's and a note
    saying how the file was read."""
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    from electoral.columns import CountTable, ReturnsTable
    from electoral.model import Note

    by = source.first_line - 1
    returns = table.returns
    counts = table.counts
    if by:
        column = counts.table.column("line")
        counts = CountTable(counts.table.set_column(
            counts.table.schema.get_field_index("line"), "line", pc.add(column, by)))
    notes = tuple(Note(n, n.kind, tuple(x + by for x in n.lines), n.source,
                       tuple((x + by, party, votes) for x, party, votes in n.parts))
                  if isinstance(n, Note) else n for n in returns.notes)
    how = DELIMITERS.get(source.delimiter, repr(source.delimiter))
    said = " (as its first line, Excel's sep=, says)" if source.first_line == 2 else ""
    notes += (Note(f"read as {how}-separated values{said}", lines=(source.first_line,),
                   source=source.name),)
    exclusions = tuple(replace(e, line=e.line + by) if by and e.line else e
                       for e in returns.exclusions)
    return ReturnsTable(replace(returns, notes=notes, exclusions=exclusions), counts)


def read_source(source: Source, fmt: Format | None = None,
                options: ReadOptions | None = None) -> list[Returns]:
    """``read_tables`` with each election's counts made ``Count`` objects (for small files and
    code that walks the counts one by one). Raises as ``read_tables``."""
    return [table.materialized() for table in read_tables(source, fmt, options)]


def read_path(path: Path | str, fmt: Format | None = None,
              options: ReadOptions | None = None) -> list[Returns]:
    """``read_source`` of the file at ``path``. Raises as ``open_source`` and ``read_tables``."""
    return read_source(open_source(path, options.encoding if options else None), fmt, options)


def _load_readers() -> None:
    """Import every format module of this package: importing one registers its reader (kept
    lazy so the CLI starts fast, and automatic so a new format needs no edit here)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
