"""What every CVR reader shares: the options a caller gives (``CvrOptions``), the problem collector
(``Problems``), the two labels readers coin for marks a file states by structure
(``UNDECLARED_WRITE_IN``, ``OVERVOTE``), and small text helpers. Readers import this module, never
the package entry point (``electoral.rcv.cvr``), so nothing here imports a reader.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from electoral.errors import Problem, ValidationError
from electoral.model import CastVoteRecord
from electoral.rcv.names import OVERVOTE as OVERVOTE
from electoral.rcv.names import UNDECLARED_WRITE_IN as UNDECLARED_WRITE_IN
from electoral.rcv.names import sanitize as sanitize


@dataclass(frozen=True, slots=True)
class CvrOptions:
    """What a caller tells a reader that the file itself does not say (RCTab's cvrFileSources).

    Column and row numbers are 1-based, as in RCTab configs. ``max_rankings`` (when known) turns a
    rank above it into an error; ``contest`` picks the contest in multi-contest formats (the
    contest *name* for CDF, the id for Dominion and Hart, the name for Clear Ballot).
    """

    contest: str | None = None
    first_vote_column: int | None = None
    first_vote_row: int | None = None
    id_column: int | None = None
    batch_column: int | None = None
    precinct_column: int | None = None
    overvote_delimiter: str | None = None
    skipped_rank_label: str | None = None
    undeclared_write_in_label: str | None = None
    max_rankings: int | None = None

    @classmethod
    def from_rctab(cls, source: Mapping[str, Any], max_rankings: int | None = None) -> CvrOptions:
        """Options from one entry of an RCTab config's ``cvrFileSources`` (blank means absent).

        Raises:
            ValidationError: ``bad-option`` when a column or row index is not a whole number from 1.
        """
        return cls(
            contest=_text(source.get("contestId")),
            first_vote_column=_number(source, "firstVoteColumnIndex"),
            first_vote_row=_number(source, "firstVoteRowIndex"),
            id_column=_number(source, "idColumnIndex"),
            batch_column=_number(source, "batchColumnIndex"),
            precinct_column=_number(source, "precinctColumnIndex"),
            overvote_delimiter=_text(source.get("overvoteDelimiter")),
            skipped_rank_label=_text(source.get("skippedRankLabel")),
            undeclared_write_in_label=_text(source.get("undeclaredWriteInLabel")),
            max_rankings=max_rankings,
        )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def _number(source: Mapping[str, Any], key: str) -> int | None:
    text = _text(source.get(key))
    if text is None:
        return None
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise ValidationError([Problem("bad-option", f"{key} must be a whole number from 1, "
                                       f"not {text!r}", field=key)])
    return number


class Problems:
    """Collects problems for one file; ``raise_if_any`` raises them all as one ValidationError."""

    def __init__(self, source: str, limit: int = 200):
        self.source = source
        self.items: list[Problem] = []
        self.limit = limit

    def add(self, code: str, message: str, line: int | None = None,
            field: str | None = None, within: str | None = None) -> None:
        """Record a problem; ``within`` names the file inside a folder source."""
        source = f"{self.source}/{within}" if within else self.source
        if len(self.items) < self.limit:
            self.items.append(Problem(code, message, source, line, field))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """Raise the problems collected so far, if any, as one error.

        Raises:
            ValidationError: when any problem was added.
        """
        if self.items:
            raise ValidationError(self.items)

    def fail(self, code: str, message: str, line: int | None = None,
             field: str | None = None) -> ValidationError:
        self.add(code, message, line, field)
        return ValidationError(self.items)


def check_ranks(records: Iterable[CastVoteRecord], max_rankings: int | None,
                problems: Problems, lines: Callable[[int], int | None] = lambda i: i + 1) -> None:
    """Add a problem for every rank below 1 or above ``max_rankings`` (when it is known)."""
    for index, record in enumerate(records):
        for rank, choice in record.marks:
            if rank < 1 or (max_rankings is not None and rank > max_rankings):
                allowed = f"1..{max_rankings}" if max_rankings else "from 1"
                problems.add("rank-out-of-range",
                             f"ballot {record.id}: rank {rank} for {choice!r} is outside {allowed}",
                             lines(index), "rank")


@contextmanager
def text_of(stream: BinaryIO) -> Iterator[io.TextIOWrapper]:
    """A binary stream read as UTF-8 text (BOM dropped), handed back unclosed to its owner."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        yield text
    finally:
        text.detach()


def read_csv_rows(stream: BinaryIO, problems: Problems,
                  read: Callable[[Iterator[list[str]]], list[CastVoteRecord]]) -> list[CastVoteRecord]:
    """``read`` over the rows of a UTF-8 CSV stream; text that is not UTF-8 or not CSV is a
    ``malformed-file`` problem.

    Raises:
        ValidationError: the text is unreadable, or whatever ``read`` raises.
    """
    try:
        with text_of(stream) as text:
            return read(csv.reader(text))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise problems.fail("malformed-file", f"not a readable CSV: {exc}") from exc


def cell_text(value: object) -> str | None:
    """A spreadsheet cell as the text a user sees: 3.0 -> '3', blanks -> None."""
    if value is None:
        return None
    if type(value) is str:
        return value if value and not value.isspace() else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def open_maybe_gzip(path: Path) -> BinaryIO:
    """``path`` opened for binary reading, through gzip when its first two bytes are gzip's magic
    number (RFC 1952), whatever its name says. The caller closes it.

    Raises:
        OSError: the file cannot be opened.
    """
    with path.open("rb") as probe:
        magic = probe.read(2)
    return cast(BinaryIO, gzip.open(path, "rb")) if magic == b"\x1f\x8b" else path.open("rb")
