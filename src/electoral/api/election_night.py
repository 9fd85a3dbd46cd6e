"""Election night: tokens, ingest, calls, certification, the audit chain."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from electoral.api.pages import latest_earlier
from electoral.api.returns import _import_paths, _results, group, results_document, save_samples
from electoral.formats import (
    TextOrJson,
)
from electoral.model import Election, UnitKind

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from electoral.night import Answer, Verdict
    from electoral.store_night import NightStore as NightStore
    from electoral.store_night import TokenRow


# ---- election night (issue 12; the work is in electoral.night and electoral.night_view) ----------


def open_night_store(path: Path | str | None = None, *, write: bool = False) -> NightStore:
    """``open_store`` with the election-night tables (tokens, audit log, uploads, versions,
    calls, certifications): made on a write open, read as empty from an older store.

    Raises:
        NotFoundError, StoreError: as ``open_store``.
    """
    from electoral.store import default_path
    from electoral.store_night import NightStore

    return NightStore(Path(path) if path is not None else default_path(), read_only=not write)


def store_path(path: Path | str | None = None) -> Path:
    """``path``, or the default store's (``$ELECTORAL_DB``, else ``./electoral.duckdb``)."""
    from electoral.store import default_path
    return Path(path) if path is not None else default_path()


def served_by(path: Path | str | None) -> str | None:
    """The address of the ``electoral serve`` that holds the store at ``path``, from the note it
    leaves beside the store while it serves (``None``: no note)."""
    from electoral.night import served_by as note
    return note(store_path(path))


def add_token(store: NightStore, name: str, role: str, scope: Sequence[str] = ()) -> str:
    """``night.add_token``: a new token, returned once; only its argon2id hash is stored.

    Raises:
        ValidationError: an unknown role, a bad scope or name, or a name already taken.
    """
    from electoral.night import add_token as add
    return add(store, name, role, scope)


def tokens(store: NightStore) -> list[TokenRow]:
    """Every token (name, role, scope, when made, when revoked); never a secret."""
    return store.tokens()


def revoke_token(store: NightStore, name: str) -> None:
    """``night.revoke_token``.

    Raises:
        NotFoundError: no live token has that name.
    """
    from electoral.night import revoke_token as revoke
    revoke(store, name)


def authenticate(store: NightStore, authorization: str | None, need: str, *, action: str,
                 election: str | None = None) -> str:
    """``night.authenticate``: the name of the live token of an ``Authorization: Bearer``
    header whose role is ``need`` (or admin); a refusal is logged first. The server calls it
    before it reads an upload's body, so a stranger's upload costs nothing but its headers.

    Raises:
        NightError: Unauthorized (no, unknown, wrong or revoked token), Forbidden (other role).
    """
    from electoral.night import authenticate as check
    return check(store, authorization, need, action=action, election=election).name


def ingest(store: NightStore, data: bytes | None, name: str | None, election: str | None = None,
           *, authorization: str | None, key: str | None = None, replace: bool = False,
           limit: int | None = None, size: int | None = None) -> Answer:
    """``night.ingest`` of one uploaded returns file through ``import_paths`` (which logs no
    entry of its own: ``night.ingest`` logs the ingest).

    Raises:
        NightError (Unauthorized, Forbidden, Conflict, TooLarge, Rejected), ValidationError:
            as ``night.ingest``; nothing is changed but the audit log's refusal entry.
    """
    from electoral.night import MAX_UPLOAD
    from electoral.night import ingest as take
    return take(store, data, name, election, authorization=authorization, key=key,
                replace=replace, importer=_import_paths,
                limit=MAX_UPLOAD if limit is None else limit, size=size)


def call_race(store: NightStore, election: str, candidate: str, basis: str, *,
              authorization: str | None) -> Answer:
    """``night.call_race``: record who called ``election`` for ``candidate``, when, on what basis.

    Raises:
        NightError, NotFoundError, ValidationError: as ``night.call_race``.
    """
    from electoral.night import call_race as call
    return call(store, election, candidate, basis, authorization=authorization)


def certify(store: NightStore, election: str, *, authorization: str | None) -> Answer:
    """``night.certify``: certify an election every unit of which reports.

    Raises:
        NightError, NotFoundError: as ``night.certify``.
    """
    from electoral.night import certify as sign
    from electoral.tabulate.coverage import coverage

    return sign(store, election, authorization=authorization,
                missing=lambda e: coverage(store.load(e)).line())


def set_expected(store: NightStore, election: str, data: bytes, name: str | None, *,
                 authorization: str | None, limit: int | None = None) -> Answer:
    """``night.set_expected``: the expected vote of ``election`` from a ``unit,votes`` CSV.

    Raises:
        NightError, NotFoundError, ValidationError: as ``night.set_expected``.
    """
    from electoral.night import MAX_UPLOAD
    from electoral.night import set_expected as expect
    return expect(store, election, data, name, authorization=authorization,
                  limit=MAX_UPLOAD if limit is None else limit)


def night_status(store: NightStore, election: str) -> dict[str, object]:
    """The race on election night (``night_view.night_document``): status, units reporting of
    expected, vote types, expected vote (stored, else the latest earlier stored election's
    votes) and share counted, call, certification, and a winner only once called or complete.

    Raises:
        ValidationError: ``election`` is not an election id.
        NotFoundError: the election is not stored.
    """
    from electoral.night_view import Call, Certified, expected_from, night_document

    Election.from_id(election)
    returns = store.load(election)
    expected, source = store.expected(election)
    if not expected and (earlier := latest_earlier(store, returns)) is not None:
        expected, source = expected_from(store.load(earlier), returns), earlier
    called, signed = store.call(election), store.certification(election)
    return night_document(
        returns, version=store.version(), expected=expected, expected_source=source,
        call=None if called is None else Call(called.candidate_id, called.basis, called.called_by,
                                              called.called_at),
        certified=None if signed is None else Certified(signed.certified_by, signed.certified_at,
                                                        signed.results))


def called_results(store: NightStore, election: str, level: UnitKind | str = UnitKind.STATE,
                   earlier: str | None = None) -> dict[str, object]:
    """``results_document`` of ``results``, where a race call declares the winner that missing
    units withhold (``winner.called`` true).

    Raises:
        ValidationError, NotFoundError: as ``results``.
    """
    from electoral.night_view import Call, winner

    tabulation, view = _results(store, election, level, earlier, "all", False)
    document = results_document(view)
    called = store.call(election)
    if document.get("winner") is None and called is not None:
        document["winner"] = winner(tabulation.returns, tabulation, Call(
            called.candidate_id, called.basis, called.called_by, called.called_at))
    return document


def audit_verify(store: NightStore, rebuild: bool = False) -> Verdict:
    """Check the audit chain (``night_log.verify``), then the store against it: its head and
    results versions (a log cut short), its calls, certifications, certified results and
    expected votes, and the elections stored after the log began (``night_log.check_state``;
    ``uncovered``: those stored before it); with ``rebuild``, also redo every logged change of
    the results (server ingests, local imports, groupings, samples) from its kept files in a
    scratch store in memory and compare the results (``night_log.rebuild``)."""
    import dataclasses

    from electoral.night_log import check_state, verify
    from electoral.night_log import rebuild as again
    from electoral.store import MEMORY
    from electoral.store_night import NightStore

    rows = store.audit_rows()
    verdict = verify(rows)
    if verdict.ok:
        verdict = check_state(store, rows)
    if not verdict.ok or not rebuild:
        return verdict
    scratch = NightStore(MEMORY, make_tables=False)  # no chain: the replay logs nothing
    try:
        return dataclasses.replace(again(store, scratch, _replay), uncovered=verdict.uncovered)
    finally:
        scratch.close()


def _replay(scratch: NightStore, action: str, detail: Mapping[str, Any], files: list[Path],
            aliases: Path | None) -> bool:
    """Redo one logged change in ``scratch`` from its kept files (``night_log.Replay``)."""
    from electoral.errors import ElectoralError

    try:
        if action == "group":
            group(scratch, str(detail["election"]), files[0])
        elif action == "samples":
            save_samples(scratch, [(f.name, f.read_text(encoding="utf-8")) for f in files])
        else:
            report = _import_paths(
                scratch, files, detail.get("format"), detail.get("election"), aliases=aliases,
                contest=detail.get("contest"), replace=bool(detail.get("replace")),
                skip_existing=bool(detail.get("skip_existing")), encoding=detail.get("encoding"))
            return not report.failed
    except ElectoralError:
        return False
    return True


def audit_log(store: NightStore, fmt: TextOrJson | str = "text") -> str:
    """The audit log as text (one line an entry) or json (the entries, each with its hash)."""
    import json

    entries = [json.loads(text) | {"hash": digest} for _, text, digest in store.audit_rows()]
    if str(fmt) == "json":
        return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"
    return "".join(f"{e['seq']:>5} {e['time']} {e['token'] or '-':<12} {e['action']:<16} "
                   f"{e['election'] or '-'} {(e['file_sha256'] or '')[:12]} {e['hash'][:12]}\n"
                   for e in entries)


