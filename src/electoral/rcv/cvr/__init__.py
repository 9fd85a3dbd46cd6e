"""Cast vote records for ranked contests: one entry point over every vendor format.

``read_cvrs(path, provider, options)`` opens a CVR file (or a Dominion export folder) and hands it
to the reader for ``provider``, named as RCTab names them (``ess``, ``dominion``, ``hart``,
``clearBallot``, ``cdf``, ``csv``/``genericCsv``) plus ``ranks`` (a plain ``rank1..rankN`` CSV) and
``blt`` (OpenSTV ballot files). Each reader returns ``CastVoteRecord``s holding the marks exactly as
the file states them — labels untouched, overvote/skip/duplicate/alias rules left to the tabulator —
and raises one ``ValidationError`` listing every problem by file, ballot/line and field.

Two labels are the readers' own, for marks a file states by structure rather than by name:
``UNDECLARED_WRITE_IN`` (a write-in position in CDF, Hart or Clear Ballot; the configured write-in
code in Dominion) and ``OVERVOTE`` (an ``a=b`` overvote in BLT). Ids follow RCTab's computed ids
so audit output lines up: ``<file>-<row>`` (ES&S), ``<file>(<n>)`` (CDF),
``<tabulator>-<batch>-<record>`` (Dominion), the ballot number (generic CSV, BLT, ranks).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.model import CastVoteRecord

UNDECLARED_WRITE_IN = "Undeclared Write-ins"
OVERVOTE = "overvote"


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
        """Options from one entry of an RCTab config's ``cvrFileSources`` (blank means absent)."""
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


# ---- shared helpers for the cvr_* readers ----

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


def sanitize(name: str) -> str:
    """A file name as RCTab writes it into record ids."""
    return re.sub(r"[^a-zA-Z0-9_\-.]", "_", name)


# ---- dispatch ----

Opener = Callable[[Path, str, CvrOptions], list[CastVoteRecord]]


def _ess(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.ess import read_ess
    with path.open("rb") as stream:
        return read_ess(stream, name, options)


def _cdf(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.cdf import read_cdf_json, read_cdf_xml
    reader = read_cdf_xml if path.suffix.lower() == ".xml" else read_cdf_json
    with path.open("rb") as stream:
        return reader(stream, name, options)


def _dominion(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.dominion import export_names, read_dominion
    names = _folder(path)
    wanted = [n for n in names if n.endswith("Manifest.json")] + export_names(names)
    return read_dominion({n: (path / n).read_bytes() for n in wanted}, name, options)


def _hart(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.hart import ballot_names, read_hart
    files = {n: (path / n).read_bytes() for n in ballot_names(_folder(path))}
    return read_hart(files, name, options)


def _folder(path: Path) -> list[str]:
    if not path.is_dir():
        raise ValidationError([Problem("malformed-file", f"{path} is a file; this provider "
                                       "reads a folder of CVR files", source=path.name)])
    return sorted(child.name for child in path.iterdir() if child.is_file())


def _clear_ballot(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.clearballot import read_clear_ballot
    with path.open("rb") as stream:
        return read_clear_ballot(stream, name, options)


def _generic_csv(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.generic import read_generic_csv
    with path.open("rb") as stream:
        return read_generic_csv(stream, name, options)


def _ranks(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.ranks import read_ranks
    with _open_maybe_gzip(path) as stream:
        return read_ranks(stream, name, options)


def _blt(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.blt import read_blt
    with _open_maybe_gzip(path) as stream:
        return read_blt(stream, name, options)


def _open_maybe_gzip(path: Path) -> Any:
    import gzip
    with path.open("rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else path.open("rb")


PROVIDERS: dict[str, Opener] = {
    "ess": _ess,
    "cdf": _cdf,
    "dominion": _dominion,
    "hart": _hart,
    "clearBallot": _clear_ballot,
    "csv": _generic_csv,
    "genericCsv": _generic_csv,
    "ranks": _ranks,
    "blt": _blt,
}


def read_cvrs(path: Path | str, provider: str,
              options: CvrOptions | Mapping[str, Any] | None = None) -> list[CastVoteRecord]:
    """Every cast vote record in ``path`` (a file, or a folder for Dominion and Hart).

    ``options`` is a ``CvrOptions`` or an RCTab ``cvrFileSources`` entry. Raises NotFoundError when
    the path is missing and ValidationError (every problem, by file/ballot/field) when it is wrong.
    """
    path = Path(path)
    opener = PROVIDERS.get(provider)
    if opener is None:
        raise ValidationError([Problem(
            "unknown-provider", f"no CVR reader for provider {provider!r}; use one of "
            f"{', '.join(PROVIDERS)}", source=path.name, field="provider")])
    if options is None:
        options = CvrOptions()
    elif not isinstance(options, CvrOptions):
        options = CvrOptions.from_rctab(options)
    if not path.exists():
        raise NotFoundError(f"no CVR file or folder {path}; check the filePath in the config")
    try:
        return opener(path, path.name, options)
    except IsADirectoryError as exc:
        raise ValidationError([Problem("malformed-file", f"{path} is a folder; provider "
                                       f"{provider!r} reads one file", source=path.name)]) from exc
    except OSError as exc:
        raise NotFoundError(f"cannot read {path}: {exc.strerror or exc}") from exc
