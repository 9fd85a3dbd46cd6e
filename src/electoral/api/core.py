"""What every part of the front door shares: the store seam, the one way to open it, and
small helpers. (``electoral.api`` is the front door; its parts live beside this module.)"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from electoral.errors import Problem, ValidationError
from electoral.model import Candidate, Returns, UnitKind

if TYPE_CHECKING:
    from types import TracebackType

    from electoral.columns import ReturnsTable
    from electoral.model import Poll
    from electoral.store import Addition, ElectionSummary, ImportRecord, StoredUnit
    from electoral.store_night import NightStore as NightStore
    from electoral.store_polls import PollFile, PollImport

E = TypeVar("E", bound=Enum)
Progress = Callable[[int, int], None]  # (done, total), told as work advances


class ResultsStore(Protocol):
    """What ``api`` asks of a results store: the seam where the DuckDB file meets the library
    (``electoral.store.Store`` is the real one; tests use an in-memory double)."""

    path: Path

    def __enter__(self) -> ResultsStore: ...
    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...
    def elections(self) -> list[ElectionSummary]: ...
    def imports(self, election_id: str | None = None) -> list[ImportRecord]: ...
    def has(self, election_id: str) -> bool: ...
    def load(self, election_id: str) -> Returns: ...
    def load_many(self, election_ids: Sequence[str]) -> list[Returns]: ...
    def save(self, *elections: ReturnsTable | Returns, source: str, sha256: str,
             format: str) -> list[ImportRecord]: ...
    def add(self, additions: Sequence[Addition]) -> list[ImportRecord]: ...
    def provenance(self, election_ids: Sequence[str]) -> dict[str, list[StoredUnit]]: ...
    def unit_sources(self, election_id: str) -> dict[str, str]: ...
    def candidates(self, election_id: str) -> list[Candidate]: ...
    def save_polls(self, files: Sequence[PollFile]) -> list[PollImport]: ...
    def polls(self) -> list[tuple[str, list[Poll]]]: ...
    def poll_ids(self) -> dict[str, str]: ...
    def poll_imports(self) -> list[PollImport]: ...


def open_store(path: Path | str | None = None, *, write: bool = False,
               empty_if_missing: bool = False) -> ResultsStore:
    """The DuckDB results store at ``path`` (default: ``$ELECTORAL_DB``, else
    ``./electoral.duckdb``), to use as a context manager. Read-only unless ``write``: reading
    never makes or changes a file, works on read-only media, and does not lock other readers
    out. ``write`` makes a missing file a new store and upgrades one made by an older
    electoral; a store written to that has an audit chain (the election-night tables) gets an
    entry for every change to its results, in the change's transaction.
    ``empty_if_missing`` (reading only): a missing file reads as an empty store held
    in memory (``audit-import`` against a store not made yet); nothing is created.

    Raises:
        NotFoundError: reading, and there is no file at ``path``.
        StoreError: the file is not a results store made by electoral (a CSV, Parquet, JSON or
            SQLite file, another DuckDB database), is damaged, is locked by another process,
            cannot be read or written, or needs an upgrade a read-only open cannot make; the
            message names the file and what to do.
    """
    from electoral.store import MEMORY, Store, default_path

    where = Path(path) if path is not None else default_path()
    if empty_if_missing and not write and not where.exists():
        return Store(MEMORY)
    if write:
        from electoral.store_night import NightStore

        # a store with an audit chain logs every change made through it (``NightStore.audited``,
        # ``electoral.night.local_change``); one without is not given the night tables
        return NightStore(where, make_tables=False)
    return Store(where, read_only=True)




def _level(level: UnitKind | str) -> UnitKind:
    try:
        return UnitKind(level)
    except ValueError:
        raise ValidationError([Problem(
            "unknown-level", f"unknown level {level!r}; use one of "
            f"{', '.join(k.value for k in UnitKind if k != UnitKind.NATION)}", field="by")]) from None


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _choice(value: object, enum: type[E], field: str) -> E:
    """``enum(value)``, or a ``ValidationError`` listing the choices."""
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(str(m.value) for m in enum)
        raise ValidationError([Problem("unknown-choice", f"unknown {field} {value!r}; choose "
                                       f"from {choices}", field=field)]) from None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError([Problem("unreadable", f"cannot read: {exc.strerror}",
                                       source=str(path))]) from None
