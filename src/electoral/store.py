"""The embedded results database: one DuckDB file holding every imported election.

An import is one transaction. ``save`` validates first and writes nothing on a problem; a re-import
replaces the election only once the new data has been written whole, so a failure half-way leaves
what was stored before untouched. Every import is recorded (source, sha256, time, rows) so that any
figure can be traced to the file it came from.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from electoral.columns import CountTable
from electoral.errors import NotFoundError, Problem, StoreError, ValidationError
from electoral.model import (
    Candidate,
    Count,
    Election,
    Party,
    Returns,
    Unit,
    UnitFacts,
    UnitKind,
    VoteType,
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
    PRIMARY KEY (election_id, id));
CREATE TABLE IF NOT EXISTS counts (
    election_id VARCHAR NOT NULL, unit_id VARCHAR NOT NULL, candidate_id VARCHAR NOT NULL,
    vote_type VARCHAR NOT NULL, votes BIGINT NOT NULL CHECK (votes >= 0));
CREATE TABLE IF NOT EXISTS unit_facts (
    election_id VARCHAR NOT NULL, unit_id VARCHAR NOT NULL, ballots_cast BIGINT,
    registered BIGINT, voting_age_population BIGINT);
"""

ELECTION_TABLES = ("parties", "candidates", "units", "counts", "unit_facts")


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
        self.path = Path(path) if path is not None else default_path()
        try:
            self._db = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"cannot open results database {self.path}: {exc}. Check the path, "
                             "or pass --db / set $ELECTORAL_DB to another file.") from exc
        if not read_only:
            self._db.execute(SCHEMA)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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

    def save(self, *returns: Returns, source: str, sha256: str, format: str) -> list[ImportRecord]:
        """Store every election in ``returns`` in one transaction, each replacing any earlier import
        of the same election. All are validated first; on any problem nothing is written."""
        for one in returns:
            one.validate()
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        try:
            with self.transaction() as db:
                records = _replace(db, returns, source, sha256, format, now)
        except duckdb.Error as exc:
            raise StoreError(f"could not store {source}: {exc}; nothing was changed") from exc
        return records

    def save_columns(self, *items: tuple[Returns, CountTable], source: str, sha256: str,
                     format: str) -> list[ImportRecord]:
        """``save`` for elections whose counts come as a ``CountTable`` (their ``Returns`` holding
        none): the counts are checked and written as columns, never as objects."""
        problems = [p for returns, counts in items for p in _column_problems(returns, counts)]
        for returns, _counts in items:
            returns.validate()
        if problems:
            raise ValidationError(problems)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        try:
            with self.transaction() as db:
                records = _replace(db, tuple(r for r, _ in items), source, sha256, format, now,
                                   [c for _, c in items])
                # References and repeats are checked where DuckDB joins fastest: in the store,
                # before the commit (a problem rolls the whole import back).
                stored = _stored_problems(db, [r.election.id for r, _ in items])
                if stored:
                    raise ValidationError(stored)
        except duckdb.Error as exc:
            raise StoreError(f"could not store {source}: {exc}; nothing was changed") from exc
        return records

    def delete(self, election_id: str) -> None:
        with self.transaction() as db:
            if not db.execute("SELECT 1 FROM elections WHERE id = ?", [election_id]).fetchone():
                raise NotFoundError(_missing(election_id))
            for table in ELECTION_TABLES:
                db.execute(f"DELETE FROM {table} WHERE election_id = ?", [election_id])
            db.execute("DELETE FROM elections WHERE id = ?", [election_id])

    # -- reading -------------------------------------------------------------------------------

    def elections(self) -> list[ElectionSummary]:
        rows = self._db.execute(
            """SELECT e.id, e.year, e.state, e.office,
                      (SELECT count(*) FROM units u WHERE u.election_id = e.id),
                      (SELECT count(*) FROM counts c WHERE c.election_id = e.id),
                      i.source
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
        """The stored returns of one election, exactly as imported."""
        return self.load_many([election_id])[0]

    def load_many(self, election_ids: Sequence[str]) -> list[Returns]:
        """``load`` of several elections with one query per table (an analysis over the 51
        elections of a year reads them together)."""
        ids = list(election_ids)
        heads = {r[0]: r[1:] for r in self._db.execute(
            "SELECT e.id, e.year, e.state, e.office, e.date, e.name, e.extras, i.source "
            "FROM elections e JOIN imports i ON i.id = e.import_id "
            "WHERE list_contains(?, e.id)", [ids]).fetchall()}
        missing = [i for i in ids if i not in heads]
        if missing:
            raise NotFoundError(_missing(missing[0]))
        candidates = self._grouped(
            "SELECT election_id, id, name, party, running_mate, home_state, incumbent, write_in, "
            "aggregate FROM candidates WHERE list_contains(?, election_id) ORDER BY position", ids)
        units = self._grouped(
            "SELECT election_id, id, name, kind, parent, groups, fips FROM units "
            "WHERE list_contains(?, election_id) ORDER BY position", ids)
        parties = self._grouped("SELECT election_id, id, name FROM parties "
                                "WHERE list_contains(?, election_id) ORDER BY id", ids)
        facts = self._grouped(
            "SELECT election_id, unit_id, ballots_cast, registered, voting_age_population "
            "FROM unit_facts WHERE list_contains(?, election_id)", ids)
        counts = self._counts(ids)
        out = []
        for eid in ids:
            year, state, office, date, name, extras, source = heads[eid]
            out.append(Returns(
                election=Election(year=year, state=state, office=office, date=date,
                                  name=name or ""),
                candidates=tuple(Candidate(*r) for r in candidates.get(eid, ())),  # type: ignore[arg-type]
                units=tuple(Unit(uid, name, UnitKind(kind), parent, tuple(groups or ()), fips)  # type: ignore[arg-type]
                            for uid, name, kind, parent, groups, fips in units.get(eid, ())),
                counts=counts.get(eid, ()),
                parties=tuple(Party(*r) for r in parties.get(eid, ())),  # type: ignore[arg-type]
                facts=tuple(UnitFacts(*r) for r in facts.get(eid, ())),  # type: ignore[arg-type]
                source=source,
                extras=json.loads(extras) if extras else {},
            ))
        return out

    def levels_by_election(self) -> dict[str, tuple[set[str], str]]:
        """Each stored election's unit kinds and the source it was imported from, by id (what a
        re-import would replace)."""
        found: dict[str, tuple[set[str], str]] = {}
        rows = self._db.execute(
            "SELECT u.election_id, u.kind, i.source FROM units u "
            "JOIN elections e ON e.id = u.election_id JOIN imports i ON i.id = e.import_id "
            "GROUP BY ALL").fetchall()
        for election_id, kind, source in rows:
            found.setdefault(str(election_id), (set(), str(source)))[0].add(str(kind))
        return found

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


def _replace(db: duckdb.DuckDBPyConnection, returns: tuple[Returns, ...], source: str,
             sha256: str, format: str, now: dt.datetime,
             columns: list[CountTable] | None = None) -> list[ImportRecord]:
    """Delete the elections' earlier rows and write the new ones, every table in one statement
    whatever the number of elections (a file of 600 elections is one insert per table).
    ``columns``, when given, are the elections' counts (their ``Returns`` holding none)."""
    ids = [one.election.id for one in returns]
    first = db.execute("SELECT nextval('import_ids') FROM range(?)", [len(ids)]).fetchall()
    sizes = [len(c) for c in columns] if columns is not None else [len(r.counts) for r in returns]
    records = [ImportRecord(int(row[0]), one.election.id, source, sha256, format, now, n)
               for row, one, n in zip(first, returns, sizes, strict=True)]
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
        "extras": pa.array([json.dumps(one.extras, default=str) for one in returns],
                           pa.string())}))
    tables = _tables(returns)
    if columns is not None:
        tables["counts"] = pa.concat_tables([
            pa.table({"election_id": pa.array([one.election.id] * len(c), pa.string()),
                      "unit_id": c.table.column("unit"),
                      "candidate_id": c.table.column("candidate"),
                      "vote_type": c.table.column("vote_type"),
                      "votes": c.table.column("votes")})
            for one, c in zip(returns, columns, strict=True)])
    for name, table in tables.items():
        _insert(db, name, table)
    return records


def _column_problems(returns: Returns, counts: CountTable) -> list[Problem]:
    """The checks of a count table that need no join: vote types and signs."""
    table = counts.table
    where = returns.election.id
    known = pa.array([str(k) for k in VoteType], pa.string())
    unknown = pc.unique(table.filter(pc.invert(pc.is_in(table.column("vote_type"),
                                                        value_set=known))).column("vote_type"))
    problems = [Problem("unknown-vote-type", f"a count of {where} has vote type {value!r}",
                        field="vote_type") for value in unknown.to_pylist()[:20]]
    if len(table) and pc.min(table.column("votes")).as_py() < 0:
        problems.append(Problem("bad-votes", f"a count of {where} is negative", field="votes"))
    return problems


def _stored_problems(db: duckdb.DuckDBPyConnection, ids: list[str]) -> list[Problem]:
    """What ``Returns.validate`` checks of counts, for counts just written as columns: every
    count names a unit and a candidate of its election, and no count repeats another."""
    rows = db.execute("""
        SELECT 'unknown-unit', 'unit', 'a count of ' || c.election_id || ' names unknown unit '
               || c.unit_id FROM counts c
        ANTI JOIN units u ON u.election_id = c.election_id AND u.id = c.unit_id
        WHERE list_contains(?, c.election_id)
        UNION ALL
        SELECT 'unknown-candidate', 'candidate', 'a count of ' || c.election_id
               || ' names unknown candidate ' || c.candidate_id FROM counts c
        ANTI JOIN candidates k ON k.election_id = c.election_id AND k.id = c.candidate_id
        WHERE list_contains(?, c.election_id)
        UNION ALL
        SELECT 'duplicate-row', 'votes', 'two counts for candidate ' || candidate_id
               || ' in unit ' || unit_id || ' (' || vote_type || ')' FROM counts
        WHERE list_contains(?, election_id)
        GROUP BY election_id, unit_id, candidate_id, vote_type HAVING count(*) > 1
        LIMIT 50""", [ids, ids, ids]).fetchall()
    return [Problem(code, message, field=field) for code, field, message in rows]


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
    counts = [c for one in returns for c in one.counts]
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
            "fips": pa.array([u.fips for _, u in units], pa.string())}),
        "counts": pa.table({
            "election_id": eids([len(one.counts) for one in returns]),
            "unit_id": pa.array([c.unit for c in counts], pa.string()),
            "candidate_id": pa.array([c.candidate for c in counts], pa.string()),
            "vote_type": pa.array([str(c.vote_type) for c in counts], pa.string()),
            "votes": pa.array([c.votes for c in counts], pa.int64())}),
        "unit_facts": pa.table({
            "election_id": eids([len(one.facts) for one in returns]),
            "unit_id": pa.array([f.unit for f in facts], pa.string()),
            "ballots_cast": pa.array([f.ballots_cast for f in facts], pa.int64()),
            "registered": pa.array([f.registered for f in facts], pa.int64()),
            "voting_age_population": pa.array([f.voting_age_population for f in facts],
                                              pa.int64())}),
    }


def _missing(election_id: str) -> str:
    return (f"no election {election_id!r} in the store; `electoral elections` lists what is there, "
            "`electoral import FILE` adds one")
