"""Election night: who may change the store (tokens and roles), the hash-chained audit log, and
authenticated ingest, race calls and certification (issue 12).

``api`` re-exports what the server and the CLI call; only ``api``, this module and
``electoral.night_log`` (the chain: its entries, ``verify``, ``rebuild``, and the changes made on
this machine) reach the night tables (``electoral.store_night``). Every accepted change and every
refusal is appended to the audit chain. An accepted change, its audit entry, the uploaded file,
its idempotency key and the new results version commit in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from electoral.errors import ElectoralError, NotFoundError, Problem, ValidationError
from electoral.night_log import GENESIS as GENESIS
from electoral.night_log import Verdict as Verdict
from electoral.night_log import (
    append_audit,
    append_refusal,
    canonical,
    change_digest,
    expected_digest,
    sha256_text,
)
from electoral.night_log import rebuild as rebuild
from electoral.night_log import verify as verify
from electoral.store_night import CallRow, CertificationRow, NightStore, TokenRow, now

if TYPE_CHECKING:
    from electoral.importing import ImportReport
    from electoral.store import Addition

ROLES = ("ingest", "call", "certify", "admin")
MAX_UPLOAD = 64 * 1024 * 1024  # bytes; the largest state precinct files are a few tens of MB
# a file name as an upload may give it: no folder, no leading dot, nothing a shell or path reads
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,199}")

# api's import_paths without its own audit entry (the ingest logs itself)
Importer = Callable[..., "ImportReport"]


class NightError(ElectoralError):
    """A refused election-night request: ``status`` is its HTTP status, ``code`` a stable name."""

    status = 400
    code = "refused"

    def __init__(self, message: str, code: str | None = None, body: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code or type(self).code
        self.body = body


class Unauthorized(NightError):
    """No token, an unknown or wrong one, or a revoked one (HTTP 401)."""

    status, code = 401, "unauthorized"


class Forbidden(NightError):
    """A valid token whose role or county scope does not allow the change (HTTP 403)."""

    status, code = 403, "forbidden"


class Conflict(NightError):
    """A change the race's state does not allow, or an idempotency key reused for another
    request (HTTP 409)."""

    status, code = 409, "conflict"


class TooLarge(NightError):
    """An upload over the size limit (HTTP 413)."""

    status, code = 413, "too-large"


class Rejected(NightError):
    """A returns file the import refuses: ``body`` is the import report JSON (HTTP 422)."""

    status, code = 422, "rejected"


@dataclass(frozen=True, slots=True)
class Answer:
    """What an accepted change answers: HTTP status, JSON body, the results version it made
    (``None``: a replayed answer, nothing new) and whether it is a replay."""

    status: int
    body: dict[str, Any]
    version: int | None
    replayed: bool = False


# ---- tokens ------------------------------------------------------------------------------------


def _hasher() -> Any:
    from argon2 import PasswordHasher

    # argon2-cffi's defaults are RFC 9106's second recommended (low-memory) argon2id profile
    return PasswordHasher()


def add_token(store: NightStore, name: str, role: str, scope: Sequence[str] = (),
              by: str = "cli") -> str:
    """Make a token ``name`` with ``role`` (limited to the county FIPS codes of ``scope``, if
    any); store its argon2id hash and a short lookup id; return the token, shown only now.
    Shape: ``LOOKUP.SECRET`` (12 hex digits, a dot, 43 URL-safe characters).

    Raises:
        ValidationError: an unknown role, a scope that is not 5-digit FIPS codes, or a name
            already taken.
    """
    problems = []
    if role not in ROLES:
        problems.append(Problem("unknown-role", f"unknown role {role!r}; choose from "
                                f"{', '.join(ROLES)}", field="role"))
    problems += [Problem("bad-scope", f"{f!r} is not a county FIPS code (5 digits)", field="scope")
                 for f in scope if not re.fullmatch(r"\d{5}", f)]
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name):
        problems.append(Problem("bad-name", "a token name is letters, digits, '.', '_' or '-'",
                                field="name"))
    if any(t.name == name for t in store.tokens()):
        problems.append(Problem("taken", f"a token named {name!r} exists; revoke it or choose "
                                "another name", field="name"))
    if problems:
        raise ValidationError(problems)
    lookup, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    with store.transaction():
        store.add_token(TokenRow(name, lookup, _hasher().hash(secret), role, tuple(scope), now(),
                                 None))
        append_audit(store, token=by, action="token-add",
                     detail={"name": name, "role": role, "scope": list(scope)})
    return f"{lookup}.{secret}"


def revoke_token(store: NightStore, name: str, by: str = "cli") -> None:
    """Revoke the token ``name``: it is refused from now on.

    Raises:
        NotFoundError: no live token has that name.
    """
    with store.transaction():
        if not store.revoke_token(name):
            raise NotFoundError(f"no live token named {name!r}; `electoral token list` lists them")
        append_audit(store, token=by, action="token-revoke", detail={"name": name})


def authenticate(store: NightStore, authorization: str | None, need: str, *, action: str,
                 election: str | None = None) -> TokenRow:
    """The token of an ``Authorization: Bearer LOOKUP.SECRET`` header, if it is live and its
    role is ``need`` or admin. A refusal is appended to the audit log before it is raised.

    Raises:
        Unauthorized: no header, an unknown or wrong token, a revoked one.
        Forbidden: a live token of another role.
    """
    scheme, _, given = (authorization or "").partition(" ")
    lookup, _, secret = given.strip().partition(".")
    row = store.token_by_lookup(lookup) if scheme.lower() == "bearer" and secret else None
    if row is None or not _matches(row.hash, secret):
        raise refuse(store, Unauthorized("a valid token is needed: Authorization: Bearer TOKEN"),
                     None, action, election)
    if row.revoked_at is not None:
        raise refuse(store, Unauthorized(f"token {row.name!r} is revoked", "revoked"), row.name,
                     action, election)
    if row.role not in (need, "admin"):
        raise refuse(store, Forbidden(f"token {row.name!r} has role {row.role}; {action} needs "
                                      f"role {need}", "wrong-role"), row.name, action, election)
    return row


# Tokens this process has verified: stored hash → sha256 of the secret. argon2id is slow on
# purpose (about half a second here), and a county sends a file every few minutes all night; the
# hash at rest is what must resist guessing, so a token once verified is recognised by a fast
# hash while the process lives. Revocation is read from the store on every request all the same.
_VERIFIED: dict[str, str] = {}


def _matches(digest: str, secret: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    quick = hashlib.sha256(secret.encode()).hexdigest()
    if secrets.compare_digest(_VERIFIED.get(digest, ""), quick):
        return True
    try:
        _hasher().verify(digest, secret)
    except (VerificationError, InvalidHashError):
        return False
    _VERIFIED[digest] = quick
    return True


# ---- refusals (the chain itself is electoral.night_log's) ------------------------------------


def refuse(store: NightStore, error: NightError | ElectoralError, token: str | None, action: str,
           election: str | None, file_sha256: str | None = None) -> ElectoralError:
    """Log the refusal of ``action`` in its own transaction; return ``error`` to raise."""
    code = getattr(error, "code", "invalid" if isinstance(error, ValidationError) else "refused")
    append_refusal(store, token=token, action=action, election=election, code=code,
                   reason=str(error), file_sha256=file_sha256)
    return error



# ---- ingest ------------------------------------------------------------------------------------


def safe_name(name: str | None) -> str:
    """The uploaded file's name, if it is a plain file name (no folder, no '..', no leading dot).

    Raises:
        ValidationError: a missing name, or one with a path in it.
    """
    if not name or not _SAFE_NAME.fullmatch(name) or ".." in name:
        raise ValidationError([Problem("bad-filename", "the file name must be a plain name "
                                       "(letters, digits, '.', '_', '-', ' '; no folder, no '..')",
                                       field="filename")])
    return name


def ingest(store: NightStore, data: bytes | None, name: str | None, election: str | None, *,
           authorization: str | None, key: str | None, replace: bool, importer: Importer,
           limit: int = MAX_UPLOAD, size: int | None = None) -> Answer:
    """Import one uploaded returns file as ``electoral import`` would (``importer`` is
    ``api.import_paths`` less its entry for a local change), all or nothing, with its audit
    entry, kept file, idempotency key and a new results version in the same transaction. A key
    already answered for the same token and request returns the first answer and changes
    nothing. ``data`` ``None``: the body was not read because its declared ``size`` is over
    ``limit``.

    Raises:
        Unauthorized, Forbidden: as ``authenticate``; Forbidden also for a county-scoped token
            whose file touches units outside its counties (naming them).
        TooLarge: ``data`` is over ``limit`` bytes.
        ValidationError: the file name has a path in it.
        Conflict: ``key`` was used for another request.
        Rejected: the import refuses the file (its report in ``body``).
        CertifiedError: the file would change a certified election (the whole file refused).
    """
    token = authenticate(store, authorization, "ingest", action="ingest", election=election)
    sha = hashlib.sha256(data).hexdigest() if data is not None else None
    try:
        if data is None or len(data) > limit:
            raise TooLarge(f"the upload is over the limit of {limit} bytes "
                           f"({size if data is None else len(data)} bytes)")
        safe = safe_name(name)
        request = sha256_text(canonical([election, replace, sha, safe]))
        if key:
            first = store.idempotent(token.name, key)
            if first is not None:
                if first[0] != request:
                    raise Conflict("this Idempotency-Key was used for another request",
                                   "idempotency-conflict")
                return Answer(first[1], first[2], None, replayed=True)
        if election is not None:  # said before the file is read; a file naming it is refused
            store.unchanged([election], "its results")  # in the import (NightStore.add)
        return _ingest(store, data, safe, str(sha), election, token, key, request, replace,
                       importer)
    except ElectoralError as exc:
        raise refuse(store, exc, token.name, "ingest", election, sha) from None


def _ingest(store: NightStore, data: bytes, safe: str, sha: str, election: str | None,
            token: TokenRow, key: str | None, request: str, replace: bool,
            importer: Importer) -> Answer:
    with tempfile.TemporaryDirectory(prefix="electoral-upload-") as folder:
        path = Path(folder) / safe
        path.write_bytes(data)

        def admit(additions: Sequence[Addition]) -> None:
            others = sorted({a.table.election_id for a in additions} - {election or ""})
            if election is not None and others:
                # the address names the election a file may change; the file may not say another
                raise ValidationError([Problem("other-election", f"{safe} holds "
                                               f"{', '.join(others)}, not {election}", safe)])
            if token.scope:
                _in_scope(store, token, additions)

        with store.transaction():
            report = importer(store, [path], None, election, replace=replace, admit=admit)
            document = _without(report.json(), folder, safe)
            if report.failed:
                raise Rejected("the file was refused; nothing was changed", body=document)
            elections = sorted({r.election_id for r in report.records})
            store.keep_upload(sha, safe, data)
            change = change_digest(store, elections)
            seq = append_audit(store, token=token.name, action="ingest",
                               election=elections[0] if len(elections) == 1 else election,
                               file_sha256=sha, file=safe, change=change,
                               detail={"election": election, "replace": replace,
                                       "elections": elections})
            version = store.new_version(seq)
            body = {"version": version, "audit": seq, "sha256": sha, "report": document}
            if key:
                store.remember(token.name, key, request, 200, body)
    return Answer(200, body, version)


def _without(document: object, folder: str, name: str) -> Any:
    """The import report with the upload's temporary path given as the file's name only."""
    if isinstance(document, dict):
        return {k: _without(v, folder, name) for k, v in document.items()}
    if isinstance(document, list):
        return [_without(v, folder, name) for v in document]
    if isinstance(document, str) and folder in document:
        return document.replace(str(Path(folder) / name), name).replace(folder, "")
    return document


def _in_scope(store: NightStore, token: TokenRow, additions: Sequence[Addition]) -> None:
    """Refuse additions that change units outside the token's counties.

    Raises:
        Forbidden: naming every unit outside the scope.
    """
    from electoral.geography import COUNTY_KINDS, county_fips
    from electoral.importing import counted_units

    outside: list[str] = []
    for addition in additions:
        eid, state = addition.table.election_id, addition.table.returns.election.state
        stored = {u.id: (u.name, u.kind, u.parent) for u in store.provenance([eid]).get(eid, [])}
        if addition.whole and stored:
            raise Forbidden(f"token {token.name!r} is limited to counties {', '.join(token.scope)} "
                            f"and this file would replace all of {eid}", "out-of-scope")
        units = stored | {u.id: (u.name, str(u.kind), u.parent) for u in addition.table.returns.units}
        fips = {u.id: u.fips for u in addition.table.returns.units if u.fips}
        for unit in sorted(counted_units(addition.table) | set(addition.drop)):
            county, seen = unit, set()
            while county in units and units[county][1] not in {str(k) for k in COUNTY_KINDS} \
                    and county not in seen:
                seen.add(county)
                county = units[county][2] or ""
            code = fips.get(county) or (county_fips(state, units[county][0])
                                        if county in units else None)
            if code not in token.scope:
                outside.append(units[unit][0] if unit in units else unit)
    if outside:
        shown = ", ".join(dict.fromkeys(outside))
        raise Forbidden(f"token {token.name!r} may change only the units of counties "
                        f"{', '.join(token.scope)}; outside them: {shown}", "out-of-scope")


# ---- calls and certification -------------------------------------------------------------------


def call_race(store: NightStore, election: str, candidate: str, basis: str, *,
              authorization: str | None) -> Answer:
    """Record the call of ``election`` for ``candidate`` (its id or name) on ``basis``, by the
    token's name, now; a later call replaces it (both stay in the audit log).

    Raises:
        Unauthorized, Forbidden: as ``authenticate`` (role ``call``).
        NotFoundError: the election is not stored.
        ValidationError: no such candidate, or no basis given.
        CertifiedError: the race is certified (``NightStore.set_call``).
    """
    token = authenticate(store, authorization, "call", action="call", election=election)
    try:
        store.unchanged([election], "its race call")
        chosen = _candidate(store, election, candidate)
        if not basis.strip():
            raise ValidationError([Problem("no-basis", "say on what basis the race is called",
                                           field="basis")])
        with store.transaction():
            seq = append_audit(store, token=token.name, action="call", election=election,
                               change=sha256_text(canonical([chosen, basis])),
                               detail={"candidate": chosen, "basis": basis})
            store.set_call(CallRow(election, chosen, basis, token.name, now()), seq)
            version = store.new_version(seq)
    except ElectoralError as exc:
        raise refuse(store, exc, token.name, "call", election) from None
    return Answer(200, {"version": version, "audit": seq, "election": election,
                        "candidate": chosen, "basis": basis, "called_by": token.name}, version)


def certify(store: NightStore, election: str, *, authorization: str | None,
            missing: Callable[[str], str]) -> Answer:
    """Certify ``election``'s stored results (their digest is recorded). ``missing`` says what
    units the election still lacks (``""``: none).

    Raises:
        Unauthorized, Forbidden: as ``authenticate`` (role ``certify``).
        NotFoundError: the election is not stored.
        Conflict: units are missing, or it is certified already.
    """
    token = authenticate(store, authorization, "certify", action="certify", election=election)
    try:
        if not store.has(election):
            raise NotFoundError(f"no election {election!r} in the store")
        lacking = missing(election)
        if lacking:
            raise Conflict(f"{election} cannot be certified: {lacking}", "incomplete")
        if store.certification(election) is not None:
            raise Conflict(f"{election} is certified already", "certified")
        digest = store.results_digest(election)
        with store.transaction():
            seq = append_audit(store, token=token.name, action="certify", election=election,
                               change=digest)
            store.certify(CertificationRow(election, token.name, now(), digest), seq)
            version = store.new_version(seq)
    except ElectoralError as exc:
        raise refuse(store, exc, token.name, "certify", election) from None
    return Answer(200, {"version": version, "audit": seq, "election": election,
                        "certified_by": token.name, "results": digest}, version)


def _candidate(store: NightStore, election: str, given: str) -> str:
    """The id of the stored candidate ``given`` names (id, or name ignoring case).

    Raises:
        NotFoundError: the election is not stored.
        ValidationError: no real candidate of the election is meant.
    """
    if not store.has(election):
        raise NotFoundError(f"no election {election!r} in the store")
    real = [c for c in store.candidates(election) if not c.aggregate]
    found = [c.id for c in real if given in (c.id,) or given.casefold() in
             (c.name.casefold(), c.label.casefold())]
    if len(found) != 1:
        names = ", ".join(c.label for c in real)
        raise ValidationError([Problem("unknown-candidate", f"no single candidate {given!r} in "
                                       f"{election}; the candidates: {names}", field="candidate")])
    return found[0]


# ---- the note a serving store carries ----------------------------------------------------------

SERVING = ".serving"  # beside the store: ``PATH.serving``, JSON {"url": …, "pid": …}


def note_path(db: Path) -> Path:
    return db.with_name(db.name + SERVING)


def served_by(db: Path) -> str | None:
    """The URL of the live ``electoral serve`` holding ``db`` (``None``: no note, or its process
    is gone, as after a crash)."""
    import os

    try:
        note = json.loads(note_path(db).read_text(encoding="utf-8"))
        os.kill(int(note["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(note["url"])


@contextmanager
def serving(db: Path, url: str) -> Iterator[None]:
    """Leave the note that ``db`` is served at ``url`` by this process while the block runs."""
    import os

    note = note_path(db)
    part = note.with_name(note.name + ".part")
    part.write_text(canonical({"url": url, "pid": os.getpid()}), encoding="utf-8")
    part.replace(note)
    try:
        yield
    finally:
        note.unlink(missing_ok=True)


# ---- expected vote -----------------------------------------------------------------------------


def set_expected(store: NightStore, election: str, data: bytes, name: str | None, *,
                 authorization: str | None, limit: int = MAX_UPLOAD) -> Answer:
    """Store the expected vote of ``election`` from a ``unit,votes`` CSV (``unit``: a stored
    unit's id, FIPS code or name; ``votes``: a whole number), replacing any stored before.

    Raises:
        Unauthorized, Forbidden: as ``authenticate`` (role ingest).
        TooLarge: ``data`` is over ``limit`` bytes.
        NotFoundError: the election is not stored.
        ValidationError: the file name, or rows that name no stored unit or no whole number
            (each by line and field); nothing is stored.
        CertifiedError: the election is certified.
    """
    token = authenticate(store, authorization, "ingest", action="expected", election=election)
    sha = hashlib.sha256(data).hexdigest()
    try:
        if len(data) > limit:
            raise TooLarge(f"the upload is over the limit of {limit} bytes")
        safe = safe_name(name)
        if not store.has(election):
            raise NotFoundError(f"no election {election!r} in the store")
        store.unchanged([election], "its expected vote")
        votes = _expected_rows(data, safe, store.load(election).units)
        with store.transaction():
            store.keep_upload(sha, safe, data)
            store.set_expected(election, votes, safe)
            seq = append_audit(store, token=token.name, action="expected", election=election,
                               file_sha256=sha, file=safe,
                               change=expected_digest(votes))
            version = store.new_version(seq)
    except ElectoralError as exc:
        raise refuse(store, exc, token.name, "expected", election, sha) from None
    return Answer(200, {"version": version, "audit": seq, "units": len(votes)}, version)


def _expected_rows(data: bytes, name: str, units: Sequence[Any]) -> dict[str, int]:
    import csv
    import io

    known = {key: u.id for u in units for key in (u.id, u.fips, u.name.casefold()) if key}
    problems, votes = [], {}
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationError([Problem("unreadable", f"not a UTF-8 CSV: {exc}", name)]) from None
    for line, row in enumerate(rows, 2):
        unit = known.get(str(row.get("unit") or "")) or known.get(str(row.get("unit") or "").casefold())
        text = str(row.get("votes") or "").strip()
        if unit is None:
            problems.append(Problem("unknown-unit", f"no stored unit {row.get('unit')!r}", name,
                                    line, "unit"))
        if not text.isdigit():
            problems.append(Problem("bad-votes", f"{text!r} is not a whole number of votes", name,
                                    line, "votes"))
        if unit is not None and text.isdigit():
            votes[unit] = int(text)
    if problems or not votes:
        raise ValidationError(problems or [Problem("empty", "no unit,votes rows", name)])
    return votes
