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

import hashlib
import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
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
    """A file as read: its name, its sha256 and its text."""

    name: str
    sha256: str
    text: str

    def stream(self) -> TextIO:
        return io.StringIO(self.text, newline=None)


def open_source(path: Path | str) -> Source:
    """The file at ``path`` read whole: gunzipped where gzip, decoded as UTF-8 (a BOM dropped)
    or else Latin-1, with the sha256 of its bytes as stored. Its size, expansion and line length
    are bounded (``io.limits``): a file past them is refused before it is read whole.

    Raises:
        NotFoundError: no such file, or it cannot be read.
        ValidationError: it looks gzipped but is not readable as gzip, or it passes a limit
            (``too-large``, ``line-too-long``).
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
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = limits.gunzip(raw, path.name)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValidationError([Problem("malformed-file", f"not a readable gzip file: {exc}",
                                           source=path.name)]) from exc
    else:
        limits.check_lines(raw, path.name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return Source(path.name, digest, text)


def detect_format(source: Source) -> Format:
    """Guess a file's format from its name and first line; say how to choose when unsure.

    Raises:
        ValidationError: no format recognises the file (the message lists ``--format`` values).
    """
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
        return reader(source, options or ReadOptions())
    except ValidationError as exc:
        raise exc.located(source.name) from None
    except OverflowError:  # a count past the 64-bit integers the store holds
        raise ValidationError([Problem("bad-votes", f"a count is above {2 ** 63 - 1:,}, the "
                                       "largest electoral stores", source.name)]) from None


def read_source(source: Source, fmt: Format | None = None,
                options: ReadOptions | None = None) -> list[Returns]:
    """``read_tables`` with each election's counts made ``Count`` objects (for small files and
    code that walks the counts one by one). Raises as ``read_tables``."""
    return [table.materialized() for table in read_tables(source, fmt, options)]


def read_path(path: Path | str, fmt: Format | None = None,
              options: ReadOptions | None = None) -> list[Returns]:
    """``read_source`` of the file at ``path``. Raises as ``open_source`` and ``read_tables``."""
    return read_source(open_source(path), fmt, options)


def _load_readers() -> None:
    """Import every format module of this package: importing one registers its reader (kept
    lazy so the CLI starts fast, and automatic so a new format needs no edit here)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
