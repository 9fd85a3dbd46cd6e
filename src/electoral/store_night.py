"""The election-night tables of the results store: tokens, the audit chain, the uploaded files,
idempotency keys, results versions, race calls, certifications and expected vote.

``NightStore`` is the results ``Store`` with these tables. Its transactions nest: an ingest runs
the import (``Store.add``, one transaction of its own) inside an outer transaction that also
appends the audit entry, keeps the uploaded file, records the idempotency key and makes the new
results version, so that a crash leaves all of it or none of it (DuckDB has no nested
transactions; the inner ``BEGIN`` is skipped while an outer one is open). Only ``api`` imports
this module; what an entry means and how it is hashed is ``electoral.night``'s.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from electoral.errors import CertifiedError
from electoral.store import Addition, ImportRecord, Store

NIGHT_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    name VARCHAR PRIMARY KEY, lookup VARCHAR NOT NULL UNIQUE, hash VARCHAR NOT NULL,
    role VARCHAR NOT NULL, scope VARCHAR[] NOT NULL, created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS audit_log (seq BIGINT PRIMARY KEY, entry VARCHAR NOT NULL,
    hash VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS uploads (sha256 VARCHAR PRIMARY KEY, name VARCHAR NOT NULL,
    data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (token VARCHAR NOT NULL, key VARCHAR NOT NULL,
    request VARCHAR NOT NULL, status INTEGER NOT NULL, body VARCHAR NOT NULL,
    PRIMARY KEY (token, key));
CREATE TABLE IF NOT EXISTS versions (version BIGINT PRIMARY KEY, created_at TIMESTAMP NOT NULL,
    audit_seq BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS calls (election_id VARCHAR PRIMARY KEY, candidate_id VARCHAR NOT NULL,
    basis VARCHAR NOT NULL, called_by VARCHAR NOT NULL, called_at TIMESTAMP NOT NULL,
    audit_seq BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS certifications (election_id VARCHAR PRIMARY KEY,
    certified_by VARCHAR NOT NULL, certified_at TIMESTAMP NOT NULL, results VARCHAR NOT NULL,
    audit_seq BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS expected_votes (election_id VARCHAR NOT NULL, unit_id VARCHAR NOT NULL,
    votes BIGINT NOT NULL, source VARCHAR NOT NULL, PRIMARY KEY (election_id, unit_id));
CREATE TABLE IF NOT EXISTS night_state (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
"""
HEAD = "audit_head"  # night_state key: "SEQ HASH" of the last entry appended, kept with it

NIGHT_TABLES = ("tokens", "audit_log", "uploads", "idempotency", "versions", "calls",
                "certifications", "expected_votes", "night_state")

# What a results digest covers: every stored figure and what it belongs to, in a fixed order
# (the audit chain's change digests and `audit verify --rebuild` compare these).
_DIGEST = """
SELECT sha256(coalesce(string_agg(line, chr(10) ORDER BY line), '')) FROM (
  SELECT concat_ws('|', 'c', election_id, unit_id, candidate_id, vote_type,
                   coalesce(CAST(votes AS VARCHAR), '-')) AS line FROM counts WHERE {where}
  UNION ALL
  SELECT concat_ws('|', 'u', election_id, id, name, kind, coalesce(parent, ''),
                   coalesce(fips, '')) FROM units WHERE {where}
  UNION ALL
  SELECT concat_ws('|', 'k', election_id, id, name, coalesce(party, '')) FROM candidates
  WHERE {where})
"""


@dataclass(frozen=True, slots=True)
class TokenRow:
    name: str
    lookup: str
    hash: str
    role: str
    scope: tuple[str, ...]
    created_at: dt.datetime
    revoked_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class CallRow:
    election_id: str
    candidate_id: str
    basis: str
    called_by: str
    called_at: dt.datetime


@dataclass(frozen=True, slots=True)
class CertificationRow:
    election_id: str
    certified_by: str
    certified_at: dt.datetime
    results: str  # the results digest certified


def now() -> dt.datetime:
    """The time recorded with a change: UTC, to the microsecond, without a zone (as stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class NightStore(Store):
    """The results store with the election-night tables (see the module docstring)."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False,
                 make_tables: bool = True):
        """As ``Store``; for writing, the night tables are made where missing (unless not
        ``make_tables``: ``api.open_store`` opens every store for writing so, and a store
        without them stays without them).

        Raises:
            NotFoundError, StoreError: as ``Store``.
        """
        self._depth = 0
        super().__init__(path, read_only=read_only)
        if not read_only and make_tables:
            try:
                self._db.execute(NIGHT_SCHEMA)
            except duckdb.Error:
                self.close()
                raise
        self._has_night = self._tables_present()
        self._read_only = read_only

    @property
    def audited(self) -> bool:
        """Whether every change to this store's results must go into its audit chain: it is
        open for writing and has the election-night tables (made the first time the store is
        served or a token is made for it; ``electoral.night`` says what is logged)."""
        return self._has_night and not self._read_only

    def _tables_present(self) -> bool:
        found = {str(r[0]) for r in self._db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_catalog = current_database()").fetchall()}
        return found >= set(NIGHT_TABLES)

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """As ``Store.transaction``, nesting: inside an open transaction it joins it, and only
        the outermost one commits (or rolls everything back)."""
        if self._depth:
            self._depth += 1
            try:
                yield self._db
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with super().transaction() as db:
                yield db
        finally:
            self._depth = 0

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Rows of a query on a night table; none from a store made before these tables (read
        only, so not upgraded)."""
        if not self._has_night:
            return []
        return self._db.execute(sql, list(params)).fetchall()

    # -- results digests and versions ------------------------------------------------------------

    def results_digest(self, election_id: str | None = None) -> str:
        """sha256 (hex) over every stored count, unit and candidate of ``election_id`` (of every
        election with ``None``), in a fixed order: equal digests, equal stored results."""
        where = "election_id = ?" if election_id is not None else "true"
        params = [election_id] * 3 if election_id is not None else []
        ((digest,),) = self._db.execute(_DIGEST.format(where=where), params).fetchall()
        return str(digest)

    def version(self) -> int:
        """The latest results version (0 before the first accepted change)."""
        rows = self._rows("SELECT coalesce(max(version), 0) FROM versions")
        return int(rows[0][0]) if rows else 0

    def new_version(self, audit_seq: int) -> int:
        """Record the next results version, made by audit entry ``audit_seq``; return it."""
        version = self.version() + 1
        self._db.execute("INSERT INTO versions VALUES (?, ?, ?)", [version, now(), audit_seq])
        return version

    def state(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM night_state WHERE key = ?", [key])
        return str(rows[0][0]) if rows else None

    def set_state(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO night_state VALUES (?, ?)", [key, value])

    # -- certified elections stay as certified ---------------------------------------------------

    def unchanged(self, election_ids: Iterable[str], change: str) -> None:
        """Refuse ``change`` (words for the message, e.g. "its results") if any of
        ``election_ids`` is certified. Every write of results, calls and expected vote through
        this store calls it first, so no route (server, local import, group, demo) can change
        a certified election.

        Raises:
            CertifiedError: naming each certified election, who certified it and when.
        """
        ids = sorted(set(election_ids))
        rows = self._rows("SELECT election_id, certified_by, certified_at FROM certifications "
                          "WHERE list_contains(?, election_id) ORDER BY election_id", [ids])
        if not rows:
            return
        signed = "; ".join(f"{e} is certified (by {by}, {at:%Y-%m-%d %H:%M} UTC)"
                           for e, by, at in rows)
        raise CertifiedError(
            f"{signed}: {change} can no longer be changed, and electoral has no way to undo a "
            "certification; nothing was changed", tuple(str(r[0]) for r in rows))

    def add(self, additions: Sequence[Addition]) -> list[ImportRecord]:
        """``Store.add``, refused whole if any election it touches is certified.

        Raises:
            CertifiedError: as ``unchanged``; StoreError: as ``Store.add``.
        """
        self.unchanged((a.table.election_id for a in additions), "their results")
        return super().add(additions)

    def delete(self, election_id: str) -> None:
        """``Store.delete``, refused for a certified election.

        Raises:
            CertifiedError: as ``unchanged``; NotFoundError: as ``Store.delete``.
        """
        self.unchanged([election_id], "its results")
        super().delete(election_id)

    # -- tokens ----------------------------------------------------------------------------------

    def add_token(self, row: TokenRow) -> None:
        self._db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [row.name, row.lookup, row.hash, row.role, list(row.scope),
                          row.created_at, row.revoked_at])

    def tokens(self) -> list[TokenRow]:
        return [_token(r) for r in self._rows("SELECT * FROM tokens ORDER BY created_at, name")]

    def token_by_lookup(self, lookup: str) -> TokenRow | None:
        rows = self._rows("SELECT * FROM tokens WHERE lookup = ?", [lookup])
        return _token(rows[0]) if rows else None

    def revoke_token(self, name: str) -> bool:
        """Mark the token ``name`` revoked; ``False`` if there is no such live token."""
        rows = self._db.execute("UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at "
                                "IS NULL RETURNING name", [now(), name]).fetchall()
        return bool(rows)

    # -- the audit chain and the uploaded files ----------------------------------------------------

    def last_audit(self) -> tuple[int, str] | None:
        """``(seq, hash)`` of the last audit entry, or ``None`` for an empty log."""
        rows = self._rows("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        return (int(rows[0][0]), str(rows[0][1])) if rows else None

    def append_audit(self, seq: int, entry: str, digest: str) -> None:
        """Append an entry and record it as the head (``HEAD``) in the same statement's
        transaction: the chain alone cannot show its last entries deleted; the head can."""
        self._db.execute("INSERT INTO audit_log VALUES (?, ?, ?)", [seq, entry, digest])
        self.set_state(HEAD, f"{seq} {digest}")

    def audit_rows(self) -> list[tuple[int, str, str]]:
        """Every audit entry as ``(seq, canonical JSON, hash)``, in order."""
        return [(int(s), str(e), str(h)) for s, e, h in
                self._rows("SELECT seq, entry, hash FROM audit_log ORDER BY seq")]

    def keep_upload(self, sha256: str, name: str, data: bytes) -> None:
        self._db.execute("INSERT OR IGNORE INTO uploads VALUES (?, ?, ?)", [sha256, name, data])

    def upload(self, sha256: str) -> bytes | None:
        rows = self._rows("SELECT data FROM uploads WHERE sha256 = ?", [sha256])
        return bytes(rows[0][0]) if rows else None

    # -- idempotency -----------------------------------------------------------------------------

    def idempotent(self, token: str, key: str) -> tuple[str, int, dict[str, Any]] | None:
        """``(request digest, status, body)`` first answered to ``key`` of ``token``, if any."""
        rows = self._rows("SELECT request, status, body FROM idempotency WHERE token = ? AND "
                          "key = ?", [token, key])
        return (str(rows[0][0]), int(rows[0][1]), json.loads(rows[0][2])) if rows else None

    def remember(self, token: str, key: str, request: str, status: int,
                 body: dict[str, Any]) -> None:
        self._db.execute("INSERT INTO idempotency VALUES (?, ?, ?, ?, ?)",
                         [token, key, request, status, json.dumps(body)])

    # -- calls, certifications, expected vote ----------------------------------------------------

    def set_call(self, row: CallRow, audit_seq: int) -> None:
        """Record the call of ``row.election_id`` (replacing an earlier one).

        Raises:
            CertifiedError: the election is certified.
        """
        self.unchanged([row.election_id], "its race call")
        self._db.execute("INSERT OR REPLACE INTO calls VALUES (?, ?, ?, ?, ?, ?)",
                         [row.election_id, row.candidate_id, row.basis, row.called_by,
                          row.called_at, audit_seq])

    def call(self, election_id: str) -> CallRow | None:
        rows = self._rows("SELECT election_id, candidate_id, basis, called_by, called_at FROM "
                          "calls WHERE election_id = ?", [election_id])
        return CallRow(*rows[0]) if rows else None

    def certify(self, row: CertificationRow, audit_seq: int) -> None:
        self._db.execute("INSERT INTO certifications VALUES (?, ?, ?, ?, ?)",
                         [row.election_id, row.certified_by, row.certified_at, row.results,
                          audit_seq])

    def certification(self, election_id: str) -> CertificationRow | None:
        rows = self._rows("SELECT election_id, certified_by, certified_at, results FROM "
                          "certifications WHERE election_id = ?", [election_id])
        return CertificationRow(*rows[0]) if rows else None

    def set_expected(self, election_id: str, votes: dict[str, int], source: str) -> None:
        """Replace the expected vote of ``election_id``: unit id → votes.

        Raises:
            CertifiedError: the election is certified.
        """
        self.unchanged([election_id], "its expected vote")
        self._db.execute("DELETE FROM expected_votes WHERE election_id = ?", [election_id])
        self._db.executemany("INSERT INTO expected_votes VALUES (?, ?, ?, ?)",
                             [[election_id, u, v, source] for u, v in sorted(votes.items())])

    def expected(self, election_id: str) -> tuple[dict[str, int], str | None]:
        """The expected vote stored for ``election_id`` (unit id → votes) and its source."""
        rows = self._rows("SELECT unit_id, votes, source FROM expected_votes WHERE "
                          "election_id = ?", [election_id])
        return {str(u): int(v) for u, v, _ in rows}, (str(rows[0][2]) if rows else None)


    # -- what `audit verify` compares with the log ------------------------------------------------

    def versions(self) -> list[tuple[int, int]]:
        """Every results version as ``(version, audit seq of the entry that made it)``."""
        return [(int(v), int(s)) for v, s in
                self._rows("SELECT version, audit_seq FROM versions ORDER BY version")]

    def calls(self) -> dict[str, tuple[CallRow, int]]:
        """Every stored race call, by election: the call and the audit seq recorded with it."""
        return {str(r[0]): (CallRow(*r[:5]), int(r[5])) for r in self._rows(
            "SELECT election_id, candidate_id, basis, called_by, called_at, audit_seq FROM calls")}

    def certifications(self) -> dict[str, tuple[CertificationRow, int]]:
        """Every certification, by election: the row and the audit seq recorded with it."""
        return {str(r[0]): (CertificationRow(*r[:4]), int(r[4])) for r in self._rows(
            "SELECT election_id, certified_by, certified_at, results, audit_seq FROM "
            "certifications")}

    def expected_elections(self) -> list[str]:
        """The elections with a stored expected vote."""
        return [str(r[0]) for r in self._rows(
            "SELECT DISTINCT election_id FROM expected_votes ORDER BY 1")]

    def last_imported(self) -> dict[str, dt.datetime]:
        """Each stored election → when its latest import was stored (UTC, no zone)."""
        return {str(e): t for e, t in self._db.execute(
            "SELECT e.id, max(i.imported_at) FROM elections e JOIN imports i ON "
            "i.election_id = e.id GROUP BY e.id").fetchall()}


def _token(row: tuple[Any, ...]) -> TokenRow:
    name, lookup, digest, role, scope, created, revoked = row
    return TokenRow(str(name), str(lookup), str(digest), str(role), tuple(scope or ()), created,
                    revoked)
