"""Readers and writers at the edge: one module per format; the core never parses text.

This module is the one seam where files are opened. ``open_source`` turns a path into a text stream
(gzip handled here, once) and records its sha256; ``read_path`` picks the reader from ``Format``.
A reader takes an open text stream and a source name and returns model objects — never a path,
never a URL — and raises ``ValidationError`` with every problem located by file, line and field.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from electoral.columns import CountTable
from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.model import Returns


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
    extra: dict[str, str] = field(default_factory=dict)


Reader = Callable[[TextIO, str, ReadOptions], list[Returns]]
READERS: dict[Format, Reader] = {}


def register(fmt: Format) -> Callable[[Reader], Reader]:
    def add(reader: Reader) -> Reader:
        READERS[fmt] = reader
        return reader
    return add


# A format whose files are too big for one Count object per row may also offer its counts as
# columns (electoral.columns): ``electoral import`` then stores them without making the objects.
# Such a reader takes the ``Source`` (its text, already in memory) rather than a stream of it:
# a text stream of a 157 MB file costs more than parsing it.
ColumnReader = Callable[["Source", ReadOptions], list[tuple[Returns, CountTable]]]
COLUMN_READERS: dict[Format, ColumnReader] = {}


def register_columns(fmt: Format) -> Callable[[ColumnReader], ColumnReader]:
    def add(reader: ColumnReader) -> ColumnReader:
        COLUMN_READERS[fmt] = reader
        return reader
    return add


def reads_columns(fmt: Format) -> bool:
    """Whether ``fmt`` has a column reader."""
    _load_readers()
    return fmt in COLUMN_READERS


def read_source_columns(source: Source, fmt: Format,
                        options: ReadOptions | None = None) -> list[tuple[Returns, CountTable]]:
    """``read_source`` through the format's column reader (see ``COLUMN_READERS``)."""
    _load_readers()
    try:
        return COLUMN_READERS[fmt](source, options or ReadOptions())
    except ValidationError as exc:
        raise exc.located(source.name) from None


@dataclass(frozen=True, slots=True)
class Source:
    """A file as read: its name, its sha256 and its text."""

    name: str
    sha256: str
    text: str

    def stream(self) -> TextIO:
        return io.StringIO(self.text, newline=None)


def open_source(path: Path | str) -> Source:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFoundError(f"no file {path}; check the path") from exc
    except OSError as exc:
        raise NotFoundError(f"cannot read {path}: {exc.strerror}") from exc
    digest = hashlib.sha256(raw).hexdigest()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ValidationError([Problem("malformed-file", f"not a readable gzip file: {exc}",
                                           source=path.name)]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return Source(path.name, digest, text)


def detect_format(source: Source) -> Format:
    """Guess a file's format from its name and first line; say how to choose when unsure."""
    _load_readers()  # the readers' modules add their probes
    name = source.name.lower()
    head = source.text.lstrip()[:4000]
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


def read_source(source: Source, fmt: Format | None = None,
                options: ReadOptions | None = None) -> list[Returns]:
    _load_readers()
    fmt = fmt or detect_format(source)
    reader = READERS.get(fmt)
    if reader is None:
        raise ValidationError([Problem("unknown-format", f"no reader for format {fmt!r}",
                                       source=source.name)])
    try:
        return reader(source.stream(), source.name, options or ReadOptions())
    except ValidationError as exc:
        raise exc.located(source.name) from None


def read_path(path: Path | str, fmt: Format | None = None,
              options: ReadOptions | None = None) -> list[Returns]:
    return read_source(open_source(path), fmt, options)


def _load_readers() -> None:
    """Import every format module of this package: importing one registers its reader (kept
    lazy so the CLI starts fast, and automatic so a new format needs no edit here)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
