"""The embedded results database: one DuckDB file holding every imported election.

An import is one transaction. ``save`` writes what the import stage (``io.stage``) has already
checked; a re-import replaces the election only once the new data has been written whole, so a
failure half-way leaves what was stored before untouched. Every import is recorded (source,
sha256, time, rows) and every unit keeps the import it came from (``units.import_id``), so that
any figure can be traced to the file it came from. ``add`` puts several files' units into the
elections they belong to (one file per county adds up to one election); which stored units a file
may replace is decided before it, by ``api``, from ``provenance``. Poll files are kept beside
the returns (``store_polls``: one row per answer, each with its file and line), also written in
one transaction (``save_polls``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from electoral.columns import ReturnsTable
from electoral.errors import NotFoundError, StoreError
from electoral.model import (
    Candidate,
    Count,
    Election,
    Exclusion,
    Party,
    Poll,
    Returns,
    Unit,
    UnitFacts,
    UnitKind,
    VoteType,
)
from electoral.store_polls import (
    POLL_SCHEMA,
    PollFile,
    PollImport,
    poll_imports,
    read_polls,
    stored_poll_ids,
    write_polls,
)

DEFAULT_DB = "electoral.duckdb"
ENV_DB = "ELECTORAL_DB"

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS import_ids START 1;
CREATE TABLE IF NOT EXISTS imports (
    id BIGINT PRIMARY KEY, election_id VARCHAR NOT NULL, source VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL, format VARCHAR NOT NULL, imported_at TIMESTAMP NOT NULL,
    rows BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS elections (
    id VARCHAR PRIMARY KEY, year INTEGER NOT NULL, state VARCHAR NOT NULL, office VARCHAR NOT NULL,
    date DATE, name VARCHAR, import_id BIGINT NOT NULL, extras JSON);
CREATE TABLE IF NOT EXISTS parties (
    election_id VARCHAR NOT NULL, id VARCHAR NOT NULL, name VARCHAR NOT NULL,
    PRIMARY KEY (election_id, id));
CREATE TABLE IF NOT EXISTS candidates (
    election_id VARCHAR NOT NULL, id VARCHAR NOT NULL, position INTEGER NOT NULL,
    name VARCHAR NOT NULL, party VARCHAR, running_mate VARCHAR, home_state VARCHAR,
    incumbent BOOLEAN NOT NULL, write_in BOOLEAN NOT NULL, aggregate BOOLEAN NOT NULL,
    PRIMARY KEY (election_id, id));
CREATE TABLE IF NOT EXISTS units (
    election_id VARCHAR NOT NULL, id VARCHAR NOT NULL, position INTEGER NOT NULL,
    name VARCHAR NOT NULL, kind VARCHAR NOT NULL, parent VARCHAR, groups VARCHAR[], fips VARCHAR,
    adjustment BOOLEAN NOT NULL DEFAULT false, import_id BIGINT, PRIMARY KEY (election_id, id));
-- a database made before adjustment units gains the mark (none of its units is one)
ALTER TABLE units ADD COLUMN IF NOT EXISTS adjustment BOOLEAN DEFAULT false;
CREATE TABLE IF NOT EXISTS counts (
    election_id VARCHAR NOT NULL, unit_id VARCHAR NOT NULL, candidate_id VARCHAR NOT NULL,
    vote_type VARCHAR NOT NULL, votes BIGINT);
CREATE TABLE IF NOT EXISTS unit_facts (
    election_id VARCHAR NOT NULL, unit_id VARCHAR NOT NULL, ballots_cast BIGINT,
    registered BIGINT, voting_age_population BIGINT);
-- the source's reporting status (model.UnitFacts): a store made before it has none
ALTER TABLE unit_facts ADD COLUMN IF NOT EXISTS reporting BIGINT;
ALTER TABLE unit_facts ADD COLUMN IF NOT EXISTS expected BIGINT;
ALTER TABLE unit_facts ADD COLUMN IF NOT EXISTS status VARCHAR DEFAULT '';
ALTER TABLE unit_facts ADD COLUMN IF NOT EXISTS outstanding BIGINT;
"""

ELECTION_TABLES = ("parties", "candidates", "units", "counts", "unit_facts")
# Every electoral store has these tables, from the first schema on.
TABLES = frozenset({"imports", "elections", *ELECTION_TABLES})
MEMORY = ":memory:"  # DuckDB's name for a database that lives in memory only

# Every connection: no DuckDB extension is installed or loaded behind the user's back (an
# existing .sqlite given as --db made DuckDB fetch one over the network), and SQL reaches no
# file but the store (readers parse files in Python and hand the store Arrow tables).
CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False,
          "enable_external_access": False}

# A DuckDB database file: an 8-byte checksum, then these magic bytes (DuckDB's storage format,
# duckdb/src/storage/storage_info.cpp, MainHeader::MAGIC_BYTES).
MAGIC = b"DUCK"
_KINDS = ((b"SQLite format 3\x00", "an SQLite database"), (b"PAR1", "a Parquet file"),
          (b"PK\x03\x04", "a zip or xlsx file"), (b"\x1f\x8b", "a gzip file"))

# DuckDB's messages (their first words) → what went wrong, what to do.
_REASONS = (
    (("Conflicting lock", "Could not set lock"), "another program has it open{pid}",
     "close that program (an `electoral serve` or import still running?) and try again"),
    (("No space left", "disk is full"), "the disk is full",
     "free some space and run the command again"),
    (("read-only mode",), "it is open read-only", "open it for writing (`open_store(write=True)`)"),
    (("Permission denied", "Read-only file system"), "permission denied",
     "check the permissions of the file and its folder, or pass --db a file you may write"),
    (("Corrupt", "corrupt", "checksum", "not a valid DuckDB database", "Could not read enough"),
     "the file is damaged",
     "restore it from a backup, or import the files again into a new --db file"),
    (("version number",), "it was written by another version of DuckDB",
     "open it with the electoral that made it, or import the files again into a new --db file"),
)

# The files an election's units came from, first imported first (``e`` is the election's row).
SOURCES = ("SELECT string_agg(source, ', ' ORDER BY first) FROM (SELECT i2.source, min(i2.id) AS first "
           "FROM units u2 JOIN imports i2 ON i2.id = u2.import_id WHERE u2.election_id = e.id "
           "GROUP BY i2.source)")


def default_path() -> Path:
    """``$ELECTORAL_DB`` when set, else ``./electoral.duckdb``."""
    return Path(os.environ.get(ENV_DB) or DEFAULT_DB)


@dataclass(frozen=True, slots=True)
class ImportRecord:
    id: int
    election_id: str
    source: str
    sha256: str
    format: str
    imported_at: dt.datetime
    rows: int


@dataclass(frozen=True, slots=True)
class Addition:
    """One file's election for ``Store.add``: its table, where it came from, and what of the
    stored election it replaces (``drop``: unit ids, each with the units below it; ``whole``:
    all of it)."""

    table: ReturnsTable
    source: str
    sha256: str
    format: str
    drop: tuple[str, ...] = ()
    whole: bool = False
    # stored candidates the merge across files renames: id → (display name, running mate)
    renames: tuple[tuple[str, str, str | None], ...] = ()


@dataclass(frozen=True, slots=True)
class StoredUnit:
    """A stored unit and the import it came from; ``counted``: it holds counts itself."""

    id: str
    name: str
    kind: str
    parent: str | None
    counted: bool
    import_id: int
    source: str
    format: str


@dataclass(frozen=True, slots=True)
class ElectionSummary:
    id: str
    year: int
    state: str
    office: str
    units: int
    counts: int
    source: str


class Store:
    """A results database. Use as a context manager, or call ``close``."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False):
        """Open the store at ``path`` (default: ``default_path()``; ``MEMORY``: an empty store
        held in memory). For writing, a missing file is made a new store and an older one is
        upgraded; ``read_only`` never writes, so a store on read-only media can be read and
        readers in other processes can share it.

        Raises:
            NotFoundError: ``read_only`` and there is no file at ``path``.
            StoreError: the file is not a results store made by electoral (a CSV, a Parquet or
                SQLite file, a DuckDB database of something else), is damaged, is locked by
                another process, cannot be read or written, or needs an upgrade that
                ``read_only`` cannot make. The message names the file and what to do.
        """
        self.path = Path(path) if path is not None else default_path()
        memory = str(self.path) == MEMORY
        if not memory:
            _check_file(self.path, read_only)
        try:
            self._db = duckdb.connect(str(self.path), read_only=read_only and not memory,
                                      config=dict(CONFIG))
            # DuckDB draws a progress bar on stdout for a query past two seconds: into a
            # command's JSON or CSV output (a session setting, not a connect option)
            self._db.execute("SET enable_progress_bar = false")
        except duckdb.Error as exc:
            raise _error(self.path, exc, "cannot open") from exc
        try:
            self._prepare(read_only)
        except BaseException:
            self._db.close()
            raise

    def _prepare(self, read_only: bool) -> None:
        """Check that the database is electoral's; for writing, make or upgrade its schema.

        Raises:
            StoreError: as ``__init__``.
        """
        try:
            tables = {str(r[0]) for r in self._db.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "AND table_catalog = current_database()").fetchall()}
            if tables and not tables >= TABLES:
                shown = ", ".join(sorted(tables)[:5]) + (" …" if len(tables) > 5 else "")
                raise StoreError(f"{self.path} is a DuckDB database but not an electoral results "
                                 f"store (its tables: {shown}); nothing was changed. Pass --db "
                                 "a file `electoral import` made, or a new file name")
            if not tables and read_only:
                raise StoreError(f"{self.path} is an empty database with no elections in it; "
                                 f"`electoral import FILE --db {self.path}` makes it a results store")
            if not read_only:
                self._db.execute(SCHEMA)
                self._db.execute(POLL_SCHEMA)
            columns = _unit_columns(self._db)
            if columns and "import_id" not in columns:
                if read_only:
                    raise StoreError(
                        f"{self.path} was made by an older electoral, before every unit kept the "
                        "import it came from, and is opened read-only here, so it cannot be "
                        f"upgraded: the next `electoral import FILE --db {self.path}` upgrades it "
                        "(on read-only media, copy it somewhere writable first)")
                _migrate(self._db)
        except duckdb.Error as exc:
            raise _error(self.path, exc, "cannot open") from exc

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: object) -> None:
        """Close the store; a DuckDB error inside the ``with`` block (a block found damaged
        while reading, the disk full) leaves it as a one-line ``StoreError`` naming the file."""
        self.close()
        if isinstance(exc, duckdb.Error):
            raise _error(self.path, exc, "failed on") from exc

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Everything inside commits together or not at all."""
        self._db.execute("BEGIN TRANSACTION")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- writing -------------------------------------------------------------------------------

    def save(self, *elections: ReturnsTable | Returns, source: str, sha256: str,
             format: str) -> list[ImportRecord]:
        """Store every election in one transaction, each replacing any earlier import of the same
        election whole (a derived election: groupings applied, the bundled samples). Elections
        come in the columnar form (``ReturnsTable``); ``Returns`` holding ``Count`` objects are
        turned into it here, at the edge.

        The returns' rules are not checked here: ``io.stage.stage`` checks them once, before the
        store. The store keeps only its own constraints (one row per unit and candidate id; a
        negative count only on an adjustment unit; ``votes`` null for a withheld count), and a
        breach of them rolls the whole import back.

        Returns:
            One ``ImportRecord`` per election, in the order given (``rows``: its counts).

        Raises:
            StoreError: the database refused the write; nothing was changed.
        """
        tables = tuple(e if isinstance(e, ReturnsTable) else ReturnsTable.of(e) for e in elections)
        return self.add([Addition(t, source, sha256, format, whole=True) for t in tables])

    def add(self, additions: Sequence[Addition]) -> list[ImportRecord]:
        """Store several files' elections in one transaction. An election not yet stored is
        written as it is; one already stored first loses the units ``drop`` names (each with the
        units below it), or all of it with ``whole``, then gains the file's units and counts, and
        any candidate and party whose id it does not have yet (ids are how the files of one
        election agree on a candidate). A candidate left with no count is removed.

        Returns:
            One ``ImportRecord`` per addition, in the order given.

        Raises:
            StoreError: the database refused the write, or a file gives a stored candidate id
                another party; nothing was changed.
        """
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        records: list[ImportRecord] = []
        try:
            with self.transaction() as db:
                fresh = [a for a in additions if a.whole]
                if fresh and len({(a.source, a.sha256, a.format) for a in fresh}) == 1 and \
                        len(fresh) == len(additions):
                    # one file's elections replaced whole: one insert per table, however many
                    first = fresh[0]
                    return _replace(db, tuple(a.table for a in fresh), first.source,
                                    first.sha256, first.format, now)
                for addition in additions:
                    records.append(_add(db, addition, now))
        except duckdb.Error as exc:
            names = ", ".join(dict.fromkeys(a.source for a in additions))
            raise _error(self.path, exc, f"could not store {names} in",
                              "nothing was changed") from exc
        return records

    # -- polls (electoral.store_polls) -----------------------------------------------------------

    def save_polls(self, files: Sequence[PollFile]) -> list[PollImport]:
        """Store several poll files in one transaction: each replaces the rows an earlier import
        of the same source stored and the rows of the poll ids its ``drop`` names.

        Returns:
            One ``PollImport`` per file, in the order given.

        Raises:
            StoreError: the database refused the write; nothing was changed.
        """
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        try:
            with self.transaction() as db:
                return write_polls(db, files, now)
        except duckdb.Error as exc:
            names = ", ".join(dict.fromkeys(f.source for f in files))
            raise _error(self.path, exc, f"could not store {names} in",
                         "nothing was changed") from exc

    def polls(self) -> list[tuple[str, list[Poll]]]:
        """The stored polls, per source in the order the sources were first imported (see
        ``store_polls.read_polls``); none in a store made before the poll tables."""
        return read_polls(self._db)

    def poll_ids(self) -> dict[str, str]:
        """Each stored poll id → the source (file name) it is stored from."""
        return stored_poll_ids(self._db)

    def poll_imports(self) -> list[PollImport]:
        """Every poll import, first first."""
        return poll_imports(self._db)

    def delete(self, election_id: str) -> None:
        """Remove one election and its rows (its import records stay, as history).

        Raises:
            NotFoundError: no such election in the store.
        """
        with self.transaction() as db:
            if not db.execute("SELECT 1 FROM elections WHERE id = ?", [election_id]).fetchone():
                raise NotFoundError(_missing(election_id))
            for table in ELECTION_TABLES:
                db.execute(f"DELETE FROM {table} WHERE election_id = ?", [election_id])
            db.execute("DELETE FROM elections WHERE id = ?", [election_id])

    # -- reading -------------------------------------------------------------------------------

    def elections(self) -> list[ElectionSummary]:
        """Every stored election; ``source`` names every file its units came from."""
        rows = self._db.execute(
            f"""SELECT e.id, e.year, e.state, e.office,
                      (SELECT count(*) FROM units u WHERE u.election_id = e.id),
                      (SELECT count(*) FROM counts c WHERE c.election_id = e.id),
                      coalesce(({SOURCES}), i.source)
               FROM elections e JOIN imports i ON i.id = e.import_id
               ORDER BY e.year, e.state, e.office"""
        ).fetchall()
        return [ElectionSummary(*row) for row in rows]

    def imports(self, election_id: str | None = None) -> list[ImportRecord]:
        query = "SELECT * FROM imports"
        params: list[object] = []
        if election_id:
            query += " WHERE election_id = ?"
            params.append(election_id)
        return [ImportRecord(*row) for row in self._db.execute(query + " ORDER BY id", params).fetchall()]

    def has(self, election_id: str) -> bool:
        return bool(self._db.execute("SELECT 1 FROM elections WHERE id = ?", [election_id]).fetchone())

    def load(self, election_id: str) -> Returns:
        """The stored returns of one election, exactly as imported, counts as ``Count`` objects.

        Raises:
            NotFoundError: no such election in the store.
        """
        return self.load_many([election_id])[0]

    def load_many(self, election_ids: Sequence[str]) -> list[Returns]:
        """``load`` of several elections with one query per table (an analysis over the 51
        elections of a year reads them together), in the order of ``election_ids``.

        Raises:
            NotFoundError: one of them is not in the store (the first missing is named).
        """
        ids = list(election_ids)
        heads = {r[0]: r[1:] for r in self._db.execute(
            f"SELECT e.id, e.year, e.state, e.office, e.date, e.name, e.extras, "
            f"coalesce(({SOURCES}), i.source) "
            "FROM elections e JOIN imports i ON i.id = e.import_id "
            "WHERE list_contains(?, e.id)", [ids]).fetchall()}
        missing = [i for i in ids if i not in heads]
        if missing:
            raise NotFoundError(_missing(missing[0]))
        candidates = self._grouped(
            "SELECT election_id, id, name, party, running_mate, home_state, incumbent, write_in, "
            "aggregate FROM candidates WHERE list_contains(?, election_id) ORDER BY position", ids)
        units = self._grouped(
            "SELECT election_id, id, name, kind, parent, groups, fips, adjustment FROM units "
            "WHERE list_contains(?, election_id) ORDER BY position", ids)
        parties = self._grouped("SELECT election_id, id, name FROM parties "
                                "WHERE list_contains(?, election_id) ORDER BY id", ids)
        # a store made before the reporting status, opened read-only, has none
        status = ("reporting, expected, coalesce(status, ''), outstanding"
                  if "reporting" in _columns(self._db, "unit_facts") else "NULL, NULL, '', NULL")
        facts = self._grouped(
            "SELECT election_id, unit_id, ballots_cast, registered, voting_age_population, "
            f"{status} FROM unit_facts WHERE list_contains(?, election_id)", ids)
        counts = self._counts(ids)
        out = []
        for eid in ids:
            year, state, office, date, name, extras, source = heads[eid]
            out.append(Returns(
                election=Election(year=year, state=state, office=office, date=date,
                                  name=name or ""),
                candidates=tuple(Candidate(*r) for r in candidates.get(eid, ())),  # type: ignore[arg-type]
                units=tuple(Unit(uid, name, UnitKind(kind), parent, tuple(groups or ()), fips,  # type: ignore[arg-type]
                                 bool(adjustment))
                            for uid, name, kind, parent, groups, fips, adjustment
                            in units.get(eid, ())),
                counts=counts.get(eid, ()),
                parties=tuple(Party(*r) for r in parties.get(eid, ())),  # type: ignore[arg-type]
                facts=tuple(UnitFacts(*r) for r in facts.get(eid, ())),  # type: ignore[arg-type]
                source=source,
                **_annotations(json.loads(extras) if extras else {}),
            ))
        return out

    def provenance(self, election_ids: Sequence[str]) -> dict[str, list[StoredUnit]]:
        """Every stored unit of these elections with the import it came from, by election id
        (elections not stored are absent): what a new file of the same election may add to or
        would replace."""
        rows = self._db.execute(
            "SELECT u.election_id, u.id, u.name, u.kind, u.parent, "
            "EXISTS (SELECT 1 FROM counts c WHERE c.election_id = u.election_id "
            "AND c.unit_id = u.id), i.id, i.source, i.format FROM units u "
            "JOIN imports i ON i.id = u.import_id WHERE list_contains(?, u.election_id) "
            "ORDER BY u.election_id, u.position", [list(election_ids)]).fetchall()
        found: dict[str, list[StoredUnit]] = {}
        for eid, *unit in rows:
            found.setdefault(str(eid), []).append(StoredUnit(*unit))
        return found

    def candidates(self, election_id: str) -> list[Candidate]:
        """The stored candidates of an election, in their order (none if it is not stored)."""
        rows = self._db.execute(
            "SELECT id, name, party, running_mate, home_state, incumbent, write_in, aggregate "
            "FROM candidates WHERE election_id = ? ORDER BY position", [election_id]).fetchall()
        return [Candidate(*r) for r in rows]

    def unit_sources(self, election_id: str) -> dict[str, str]:
        """The file each unit of an election came from, by unit id."""
        return {str(u): str(s) for u, s in self._db.execute(
            "SELECT u.id, i.source FROM units u JOIN imports i ON i.id = u.import_id "
            "WHERE u.election_id = ?", [election_id]).fetchall()}

    def sql(self, query: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
        """Run a read query against the store (for analyses that want SQL)."""
        return self._db.execute(query, params or []).fetchall()

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        return self._db

    def _grouped(self, query: str, ids: list[str]) -> dict[str, list[tuple[object, ...]]]:
        """The rows of ``query`` (election id first) by election, in the query's order."""
        out: dict[str, list[tuple[object, ...]]] = {}
        for row in self._db.execute(query, [ids]).fetchall():
            out.setdefault(str(row[0]), []).append(row[1:])
        return out

    def _counts(self, ids: list[str]) -> dict[str, tuple[Count, ...]]:
        table = self._db.sql(
            "SELECT election_id, unit_id, candidate_id, votes, vote_type FROM counts "
            "WHERE list_contains(?, election_id)", params=[ids]).to_arrow_table()
        kinds = {str(k): k for k in VoteType}
        columns = [table.column(i).to_pylist() for i in range(5)]
        out: dict[str, list[Count]] = {}
        for eid, unit, candidate, votes, vote_type in zip(*columns, strict=True):
            out.setdefault(eid, []).append(Count(unit, candidate, votes, kinds[vote_type]))
        return {eid: tuple(counts) for eid, counts in out.items()}


def _replace(db: duckdb.DuckDBPyConnection, tables: tuple[ReturnsTable, ...], source: str,
             sha256: str, format: str, now: dt.datetime) -> list[ImportRecord]:
    """Delete the elections' earlier rows and write the new ones, every table in one statement
    whatever the number of elections (a file of 600 elections is one insert per table)."""
    returns = tuple(t.returns for t in tables)
    ids = [one.election.id for one in returns]
    first = db.execute("SELECT nextval('import_ids') FROM range(?)", [len(ids)]).fetchall()
    records = [ImportRecord(int(row[0]), t.election_id, source, sha256, format, now, len(t.counts))
               for row, t in zip(first, tables, strict=True)]
    for table in ELECTION_TABLES:
        db.execute(f"DELETE FROM {table} WHERE list_contains(?, election_id)", [ids])
    db.execute("DELETE FROM elections WHERE list_contains(?, id)", [ids])
    _insert(db, "imports", pa.Table.from_pylist(
        [{"id": r.id, "election_id": r.election_id, "source": source, "sha256": sha256,
          "format": format, "imported_at": now, "rows": r.rows} for r in records]))
    _insert(db, "elections", pa.table({
        "id": pa.array(ids, pa.string()),
        "year": pa.array([one.election.year for one in returns], pa.int32()),
        "state": pa.array([one.election.state for one in returns], pa.string()),
        "office": pa.array([one.election.office for one in returns], pa.string()),
        "date": pa.array([one.election.date for one in returns], pa.date32()),
        "name": pa.array([one.election.name for one in returns], pa.string()),
        "import_id": pa.array([r.id for r in records], pa.int64()),
        "extras": pa.array([json.dumps(_annotations_json(one)) for one in returns],
                           pa.string())}))
    for name, table in _tables(returns).items():
        if name == "units":
            owner = dict(zip(ids, (r.id for r in records), strict=True))
            table = table.append_column("import_id", pa.array(
                [owner[e] for e in table.column("election_id").to_pylist()], pa.int64()))
        _insert(db, name, table)
    if tables:
        _insert(db, "counts", pa.concat_tables([
            pa.table({"election_id": pa.array([t.election_id] * len(t.counts), pa.string()),
                      "unit_id": t.counts.table.column("unit"),
                      "candidate_id": t.counts.table.column("candidate"),
                      "vote_type": t.counts.table.column("vote_type"),
                      "votes": t.counts.table.column("votes")})
            for t in tables]))
    _check_negative(db, ids)
    return records


def _check_negative(db: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """The store's own guard behind the import stage's rule: a negative count only on an
    adjustment unit (a CHECK constraint cannot see the unit's mark in another table).

    Raises:
        duckdb.ConstraintException: such a count was written (the caller rolls back).
    """
    bad = db.execute("""SELECT c.election_id, c.unit_id, c.candidate_id, c.votes FROM counts c
                        LEFT JOIN units u ON u.election_id = c.election_id AND u.id = c.unit_id
                        WHERE list_contains(?, c.election_id) AND c.votes < 0
                            AND NOT coalesce(u.adjustment, false) LIMIT 1""", [ids]).fetchone()
    if bad is not None:
        raise duckdb.ConstraintException(
            f"negative count {bad[3]} for {bad[2]} in {bad[1]} ({bad[0]}), which is not an "
            "adjustment unit")


def _add(db: duckdb.DuckDBPyConnection, addition: Addition, now: dt.datetime) -> ImportRecord:
    """One file's election into the store: written as it is when the election is not stored,
    else merged into it (see ``Store.add``)."""
    table, eid = addition.table, addition.table.election_id
    if addition.whole or not db.execute("SELECT 1 FROM elections WHERE id = ?", [eid]).fetchall():
        return _replace(db, (table,), addition.source, addition.sha256, addition.format, now)[0]
    record = ImportRecord(int(db.execute("SELECT nextval('import_ids')").fetchall()[0][0]),
                          eid, addition.source, addition.sha256, addition.format, now,
                          len(table.counts))
    _insert(db, "imports", pa.Table.from_pylist([asdict(record)]))
    if addition.drop:
        _drop_units(db, eid, addition.drop)
    for candidate_id, name, running_mate in addition.renames:
        db.execute("UPDATE candidates SET name = ?, running_mate = ? WHERE election_id = ? "
                   "AND id = ?", [name, running_mate, eid, candidate_id])
    _check_candidates(db, table)
    ((extras,),) = db.execute("SELECT extras FROM elections WHERE id = ?", [eid]).fetchall()
    db.execute("UPDATE elections SET extras = ? WHERE id = ?", [
        json.dumps(_merged_annotations(json.loads(extras) if extras else {},
                                       _annotations_json(table.returns))), eid])
    tables = _tables((table.returns,))
    tables["units"] = tables["units"].append_column(
        "import_id", pa.array([record.id] * tables["units"].num_rows, pa.int64()))
    keys = {"parties": "id", "candidates": "id", "units": "id", "unit_facts": "unit_id"}
    _update_progress(db, tables["unit_facts"])
    for name, key in keys.items():
        _insert_new(db, name, key, tables[name])
    _insert(db, "counts", pa.table({
        "election_id": pa.array([eid] * len(table.counts), pa.string()),
        "unit_id": table.counts.table.column("unit"),
        "candidate_id": table.counts.table.column("candidate"),
        "vote_type": table.counts.table.column("vote_type"),
        "votes": table.counts.table.column("votes")}))
    if addition.drop:
        db.execute("DELETE FROM candidates d WHERE d.election_id = ? AND NOT EXISTS (SELECT 1 "
                   "FROM counts c WHERE c.election_id = d.election_id AND c.candidate_id = d.id)",
                   [eid])
    _check_negative(db, [eid])
    return record


def _drop_units(db: duckdb.DuckDBPyConnection, election_id: str, drop: Sequence[str]) -> None:
    """Delete the units ``drop`` names, every unit below them, and their counts and facts."""
    parents = dict(db.execute("SELECT id, parent FROM units WHERE election_id = ?",
                              [election_id]).fetchall())
    gone = set(drop)
    changed = True
    while changed:  # a unit goes with its parent; a tree is a few levels deep
        below = {u for u, p in parents.items() if p in gone and u not in gone}
        gone |= below
        changed = bool(below)
    for table, column in (("counts", "unit_id"), ("unit_facts", "unit_id"), ("units", "id")):
        db.execute(f"DELETE FROM {table} WHERE election_id = ? AND list_contains(?, {column})",
                   [election_id, sorted(gone)])


def _check_candidates(db: duckdb.DuckDBPyConnection, table: ReturnsTable) -> None:
    """A candidate id means one candidate in every file of an election: the same party.

    Raises:
        StoreError: a file gives a stored candidate id another party.
    """
    stored = dict(db.execute("SELECT id, party FROM candidates WHERE election_id = ?",
                             [table.election_id]).fetchall())
    clash = [f"{c.label!r} is {c.party or 'no party'} here but {stored[c.id] or 'no party'} as "
             "stored" for c in table.returns.candidates
             if c.id in stored and stored[c.id] != c.party]
    if clash:
        raise StoreError(f"{table.election_id}: {'; '.join(clash)}; nothing was changed")


def _update_progress(db: duckdb.DuckDBPyConnection, facts: pa.Table) -> None:
    """A stored unit's reporting status (``UnitFacts.reporting`` … ``outstanding``) becomes the
    incoming file's for that unit: on election night a later file says how far the count has got
    now (the state's "39 of 45 precincts" becomes "45 of 45"); the other facts stay first come."""
    if not facts.num_rows:
        return
    db.register("_progress", facts.select(["election_id", "unit_id", "reporting", "expected",
                                           "status", "outstanding"]))
    db.execute("UPDATE unit_facts f SET reporting = p.reporting, expected = p.expected, "
               "status = p.status, outstanding = p.outstanding FROM _progress p "
               "WHERE f.election_id = p.election_id AND f.unit_id = p.unit_id")
    db.unregister("_progress")


def _insert_new(db: duckdb.DuckDBPyConnection, name: str, key: str, table: pa.Table) -> None:
    """Insert the rows of ``table`` whose ``key`` the election does not have yet; positions
    follow the stored ones."""
    if not table.num_rows:
        return
    db.register("_incoming", table)
    shift = (f"* REPLACE (position + (SELECT coalesce(max(position) + 1, 0) FROM {name} "
             "WHERE election_id = i.election_id) AS position)"
             if "position" in table.column_names else "*")
    db.execute(f"INSERT INTO {name} BY NAME SELECT {shift} FROM _incoming i WHERE NOT EXISTS "
               f"(SELECT 1 FROM {name} s WHERE s.election_id = i.election_id AND s.{key} = i.{key})")
    db.unregister("_incoming")


def _merged_annotations(stored: dict[str, Any], new: dict[str, object]) -> dict[str, object]:
    """What several files said beside their votes: their exclusions and notes together; a
    contest total a file states holds for that file alone, so none is kept for the sum."""
    out = dict(stored)
    out["exclusions"] = list(stored.get("exclusions") or []) + list(new.get("exclusions") or [])  # type: ignore[call-overload]
    notes = list(stored.get("notes") or []) + list(new.get("notes") or [])  # type: ignore[call-overload]
    if notes:
        out["notes"] = notes
    if new.get("electors") and not stored.get("electors"):
        out["electors"] = new["electors"]
    fusion = {**(stored.get("fusion") or {}), **(new.get("fusion") or {})}  # type: ignore[dict-item]
    if fusion:
        out["fusion"] = fusion
    out.pop("reported_total", None)
    if new.get("unofficial"):
        out["unofficial"] = True
    return out


def _error(path: Path, exc: duckdb.Error, doing: str, after: str = "") -> StoreError:
    """A DuckDB error as one line: what failed on which file, why, what to do (``after``: what
    the caller adds, e.g. "nothing was changed")."""
    text = " ".join(str(exc).split())
    known = next((r for r in _REASONS if any(n in text for n in r[0])), None)
    if known is None:
        # the first line only: DuckDB goes on with SQL context over several lines
        first = str(exc).strip().splitlines()
        reason, todo = (first[0] if first else type(exc).__name__), ""
    else:
        pid = re.search(r"\(PID (\d+)\)", text)
        reason, todo = known[1].format(pid=f" (process {pid.group(1)})" if pid else ""), known[2]
    return StoreError("; ".join(p for p in (f"{doing} {path}: {reason}", after, todo) if p))


def _check_file(path: Path, read_only: bool) -> None:
    """Refuse, before DuckDB opens it, a path that is not a DuckDB database file: DuckDB opens
    an existing CSV, Parquet or JSON file as an empty database in memory (an import into it
    is lost) and an SQLite file through an extension.

    Raises:
        NotFoundError: ``read_only`` and there is no file at ``path``.
        StoreError: ``path`` is a folder, cannot be read, or is not a DuckDB database file.
    """
    if not path.exists():
        if read_only:
            raise NotFoundError(f"no results database at {path}; `electoral import FILE` makes one "
                                "(or pass --db / set $ELECTORAL_DB to the store's file)")
        return
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a results database; pass --db a file")
    try:
        with path.open("rb") as stream:
            head = stream.read(12)
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}; check its permissions") from exc
    if head[8:12] == MAGIC:
        return
    kind = next((name for magic, name in _KINDS if head.startswith(magic)),
                "an empty file" if not head else "a text file" if _is_text(head) else "")
    raise StoreError(f"{path} is not an electoral results database"
                     f"{f' (it is {kind})' if kind else ''}; nothing was changed. Pass --db a "
                     "file `electoral import` made, or a new file name")


def _is_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _migrate(db: duckdb.DuckDBPyConnection) -> None:
    """A store made before units kept their import: each unit is given its election's import
    (until then an election came whole from one import)."""
    db.execute("BEGIN TRANSACTION")
    db.execute("ALTER TABLE units ADD COLUMN import_id BIGINT")
    db.execute("UPDATE units SET import_id = (SELECT e.import_id FROM elections e "
               "WHERE e.id = units.election_id)")
    db.execute("COMMIT")


def _unit_columns(db: duckdb.DuckDBPyConnection) -> set[str]:
    return _columns(db, "units")


def _columns(db: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {str(r[0]) for r in db.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
        [table]).fetchall()}


def _annotations_json(returns: Returns) -> dict[str, object]:
    """What a source said beside its votes (``Returns.exclusions`` … ``unofficial``), as the
    JSON of the ``elections.extras`` column (keys as stored since that column was added)."""
    out: dict[str, object] = {"exclusions": [asdict(e) for e in returns.exclusions]}
    if returns.notes:
        out["notes"] = list(returns.notes)
    if returns.electors:
        out["electors"] = list(returns.electors)
    if returns.fusion:
        out["fusion"] = returns.fusion
    if returns.reported_total is not None:
        out["reported_total"] = returns.reported_total
    if returns.unofficial:
        out["unofficial"] = True
    return out


def _annotations(stored: dict[str, Any]) -> dict[str, Any]:
    """The ``Returns`` fields of a stored ``elections.extras`` value (see ``_annotations_json``)."""
    return {
        "exclusions": tuple(_exclusion(e) for e in stored.get("exclusions") or ()),
        "notes": tuple(str(n) for n in stored.get("notes") or ()),
        "electors": tuple(str(n) for n in stored.get("electors") or ()),
        "fusion": {str(c): {str(p): int(v) for p, v in lines.items()}
                   for c, lines in (stored.get("fusion") or {}).items()},
        "reported_total": None if stored.get("reported_total") is None
        else int(stored["reported_total"]),
        "unofficial": bool(stored.get("unofficial")),
    }


def _exclusion(stored: dict[str, Any]) -> Exclusion:
    """One stored ``Exclusion``; the fields after ``rows`` (kind, unit, file, candidate, detail)
    are absent from extras stored before issue 10 and load as their defaults."""
    return Exclusion(int(stored["line"]), str(stored["reason"]),
                     None if stored.get("votes") is None else int(stored["votes"]),
                     str(stored.get("label") or ""), int(stored.get("rows") or 1),
                     str(stored.get("kind") or ""),
                     tuple((str(level), str(name)) for level, name in stored.get("unit") or ()),
                     str(stored.get("file") or ""),
                     None if stored.get("candidate") is None else str(stored["candidate"]),
                     str(stored.get("detail") or ""))


def _insert(db: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    if table.num_rows:
        db.register("_incoming", table)
        db.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _incoming")
        db.unregister("_incoming")


def _tables(returns: tuple[Returns, ...]) -> dict[str, pa.Table]:
    def eids(sizes: list[int]) -> pa.Array:
        return pa.array([one.election.id for one, n in zip(returns, sizes, strict=True)
                         for _ in range(n)], pa.string())

    parties = [p for one in returns for p in one.parties]
    candidates = [(i, c) for one in returns for i, c in enumerate(one.candidates)]
    units = [(i, u) for one in returns for i, u in enumerate(one.units)]
    facts = [f for one in returns for f in one.facts]
    return {
        "parties": pa.table({"election_id": eids([len(one.parties) for one in returns]),
                             "id": pa.array([p.id for p in parties], pa.string()),
                             "name": pa.array([p.name for p in parties], pa.string())}),
        "candidates": pa.table({
            "election_id": eids([len(one.candidates) for one in returns]),
            "id": pa.array([c.id for _, c in candidates], pa.string()),
            "position": pa.array([i for i, _ in candidates], pa.int32()),
            "name": pa.array([c.name for _, c in candidates], pa.string()),
            "party": pa.array([c.party for _, c in candidates], pa.string()),
            "running_mate": pa.array([c.running_mate for _, c in candidates], pa.string()),
            "home_state": pa.array([c.home_state for _, c in candidates], pa.string()),
            "incumbent": pa.array([c.incumbent for _, c in candidates], pa.bool_()),
            "write_in": pa.array([c.write_in for _, c in candidates], pa.bool_()),
            "aggregate": pa.array([c.aggregate for _, c in candidates], pa.bool_())}),
        "units": pa.table({
            "election_id": eids([len(one.units) for one in returns]),
            "id": pa.array([u.id for _, u in units], pa.string()),
            "position": pa.array([i for i, _ in units], pa.int32()),
            "name": pa.array([u.name for _, u in units], pa.string()),
            "kind": pa.array([str(u.kind) for _, u in units], pa.string()),
            "parent": pa.array([u.parent for _, u in units], pa.string()),
            "groups": pa.array([list(u.groups) for _, u in units], pa.list_(pa.string())),
            "fips": pa.array([u.fips for _, u in units], pa.string()),
            "adjustment": pa.array([u.adjustment for _, u in units], pa.bool_())}),
        "unit_facts": pa.table({
            "election_id": eids([len(one.facts) for one in returns]),
            "unit_id": pa.array([f.unit for f in facts], pa.string()),
            "ballots_cast": pa.array([f.ballots_cast for f in facts], pa.int64()),
            "registered": pa.array([f.registered for f in facts], pa.int64()),
            "voting_age_population": pa.array([f.voting_age_population for f in facts],
                                              pa.int64()),
            "reporting": pa.array([f.reporting for f in facts], pa.int64()),
            "expected": pa.array([f.expected for f in facts], pa.int64()),
            "status": pa.array([f.status for f in facts], pa.string()),
            "outstanding": pa.array([f.outstanding for f in facts], pa.int64())}),
    }


def _missing(election_id: str) -> str:
    return (f"no election {election_id!r} in the store; `electoral elections` lists what is there, "
            "`electoral import FILE` adds one")
