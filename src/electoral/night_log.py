"""The hash-chained audit log of an election-night store (issue 12): appending an entry, checking
the chain, rebuilding the stored results from the files it keeps, and logging the changes made
on this machine rather than through the server.

Each entry is a canonical JSON object (sorted keys, no spaces, UTF-8) holding its sequence
number, UTC time, token name, action, election, the sha256 of the uploaded file (and its name),
a digest of the change (the results digest of each election it touched, after it), a detail
object and the previous entry's hash; its own hash is the sha256 of that text.

Which stores have a chain: every store with the election-night tables (``NightStore.audited``).
They are made the first time the store is served (``electoral serve``) or a token is made for it
(``electoral token add``); from then on every change to its results is logged, whoever makes
it: through the server (``electoral.night``: ingest, calls, certification, expected vote,
tokens, refusals) or on this machine (``local_change``: ``electoral import`` with or without
``--replace``, ``electoral group``, ``electoral demo``, and ``electoral polls import``, which
changes no results and is not replayed), so that ``rebuild`` covers all of it.
Results stored before the store had the tables are not in the chain; ``rebuild`` compares only
the elections the log touched, so an election partly stored before then reads as different, and
``check_state`` names the elections the log does not cover.

The chain alone cannot show that its last entries were deleted, nor that a table the log
describes was changed beside it. ``check_state`` compares the log with what the store keeps:
the head entry the store records with every append (``store_night.HEAD``), the results versions
(each made by one entry of ``VERSIONED``), the race calls, certifications and expected votes
(what the log's last entry of each says), the certified results (their digest), and the
elections stored after the log began (each must be covered by an entry).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from electoral.errors import CertifiedError, Problem, ValidationError
from electoral.store_night import HEAD, NightStore, now

GENESIS = "0" * 64  # the "previous hash" of the first entry
# The actions whose kept files ``rebuild`` replays (what changes stored results); the others
# (calls, certification, expected vote, tokens, refusals) leave the results as they are.
REPLAYED = ("ingest", "group", "samples")
# The actions whose entry makes a results version (``NightStore.new_version``), one each; token
# changes and refusals make none.
VERSIONED = (*REPLAYED, "polls", "call", "certify", "expected")

# ``rebuild``'s way to redo one logged change in the scratch store: (scratch, action, detail,
# the kept files written out in order, the kept aliases file or None) → whether it succeeded.
Replay = Callable[[NightStore, str, Mapping[str, Any], list[Path], Path | None], bool]


def canonical(value: object) -> str:
    """``value`` as canonical JSON: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def append_audit(store: NightStore, *, token: str | None, action: str, election: str | None = None,
                 file_sha256: str | None = None, file: str | None = None,
                 change: str | None = None, detail: Mapping[str, object] | None = None) -> int:
    """Append one entry to the chain (inside the caller's transaction); return its number."""
    last = store.last_audit()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    entry = {"seq": seq, "time": now().isoformat() + "Z", "token": token, "action": action,
             "election": election, "file_sha256": file_sha256, "file": file, "change": change,
             "detail": dict(detail or {}), "prev": prev}
    text = canonical(entry)
    store.append_audit(seq, text, sha256_text(text))
    return seq


def append_refusal(store: NightStore, *, token: str | None, action: str, election: str | None,
                   code: str, reason: str, file_sha256: str | None = None) -> int:
    """Append the refusal of ``action`` in its own transaction (after the refused change has
    rolled back): action ``refused:ACTION``, detail ``{"code", "reason"}``."""
    with store.transaction():
        return append_audit(store, token=token, action=f"refused:{action}", election=election,
                            file_sha256=file_sha256, detail={"code": code, "reason": reason[:500]})


def change_digest(store: NightStore, elections: Sequence[str]) -> str:
    """The digest of a change: sha256 of the canonical ``{election: results digest}`` of each
    election it touched, as they are after it."""
    return sha256_text(canonical({e: store.results_digest(e) for e in elections}))


@dataclass(frozen=True, slots=True)
class Verdict:
    """What ``verify`` found: ``entries`` checked, the first bad one (``None``: all good), why;
    ``missing``: entries gone from the end of the log (``bad`` is the first of them);
    ``uncovered``: stored elections no entry covers, stored before the log began (not a fault)."""

    entries: int
    bad: int | None = None
    reason: str = ""
    missing: int = 0
    uncovered: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.bad is None

    def line(self) -> str:
        """The one line `electoral audit verify` prints for a bad verdict."""
        if self.missing:
            return (f"the log ends before entry {self.bad}: {self.missing} "
                    f"{'entry is' if self.missing == 1 else 'entries are'} missing ({self.reason})")
        return f"audit entry {self.bad} does not match: {self.reason}"


def verify(rows: Sequence[tuple[int, str, str]]) -> Verdict:
    """Check the chain: each entry's hash is the sha256 of its text, its number follows the one
    before, and it names the previous entry's hash."""
    prev, expected = GENESIS, 1
    for seq, text, digest in rows:
        if sha256_text(text) != digest:
            return Verdict(len(rows), seq, "its text does not hash to its recorded hash")
        entry = json.loads(text)
        if seq != expected or entry.get("seq") != seq:
            return Verdict(len(rows), seq, f"entry number {seq} where {expected} should be")
        if entry.get("prev") != prev:
            return Verdict(len(rows), seq, "it does not name the previous entry's hash")
        prev, expected = digest, seq + 1
    return Verdict(len(rows))


def check_state(store: NightStore, rows: Sequence[tuple[int, str, str]]) -> Verdict:
    """Compare a verified chain ``rows`` with what ``store`` keeps beside it (see the module
    docstring); the first mismatch found, in this order: the head, the results versions, the
    calls, the certifications and certified results, the expected votes, the elections stored
    after the log began. ``uncovered`` names the elections stored before it began."""
    entries = [json.loads(text) for _, text, _ in rows]
    last = rows[-1][0] if rows else 0
    for check in (_head, _versions, _calls, _certifications, _expected):
        found = check(store, rows, entries, last)
        if found is not None:
            return found
    return _covered(store, rows, entries, last)


def _head(store: NightStore, rows: Sequence[tuple[int, str, str]],
          entries: list[dict[str, Any]], last: int) -> Verdict | None:
    head = store.state(HEAD)
    if head is None:  # a store whose log began before the head was kept: versions still tell
        return None
    seq_text, _, digest = head.partition(" ")
    seq = int(seq_text)
    if seq > last:
        return Verdict(len(rows), last + 1, f"the store last appended entry {seq}", seq - last)
    if seq < last:
        return Verdict(len(rows), seq + 1, f"it was added after entry {seq}, the last the store "
                       "appended: not by electoral")
    if rows and rows[-1][2] != digest:
        return Verdict(len(rows), last, "it is not the entry the store last appended (another "
                       "hash)")
    return None


def _versions(store: NightStore, rows: Sequence[tuple[int, str, str]],
              entries: list[dict[str, Any]], last: int) -> Verdict | None:
    made = store.versions()
    beyond = [seq for _, seq in made if seq > last]
    if beyond:
        return Verdict(len(rows), last + 1, f"results version {made[-1][0]} was made by entry "
                       f"{max(beyond)}", max(beyond) - last)
    versioned = [e["seq"] for e in entries if e["action"] in VERSIONED]
    by_seq = {e["seq"]: e for e in entries}
    for number, (version, seq) in enumerate(made, 1):
        if version != number:
            return Verdict(len(rows), seq, f"results version {number} is missing from the "
                           "store's versions")
        if number > len(versioned) or versioned[number - 1] != seq:
            shown = versioned[number - 1] if number <= len(versioned) else None
            if shown is not None and shown < seq:
                return Verdict(len(rows), shown, f"it made no results version (version {number} "
                               f"names entry {seq})")
            action = by_seq[seq]["action"] if seq in by_seq else "no entry"
            return Verdict(len(rows), seq, f"results version {version} names it, but it is "
                           f"{action}, no change that makes a version")
    if len(versioned) > len(made):
        return Verdict(len(rows), versioned[len(made)], "it made no results version (the "
                       f"store's versions end at {len(made)})")
    return None


def _last_of(entries: list[dict[str, Any]], action: str) -> dict[str, dict[str, Any]]:
    """The last entry of ``action`` per election."""
    return {str(e["election"]): e for e in entries if e["action"] == action}


def _paired(rows: Sequence[tuple[int, str, str]], logged: Mapping[str, dict[str, Any]],
            stored: Mapping[str, tuple[Any, int]], last: int, verb: str, table: str,
            noun: str) -> Verdict | list[tuple[str, dict[str, Any], Any, int]]:
    """Each election's last entry ``logged`` beside its ``stored`` row and recorded seq, in
    log order; the first election with one and not the other as a bad ``Verdict``."""
    pairs = []
    for election in sorted(set(logged) | set(stored), key=lambda e: _order(logged, e)):
        entry, (row, seq) = logged.get(election), stored.get(election, (None, 0))
        if entry is None:
            return Verdict(len(rows), last, f"the {table} table has a {noun} of {election}, "
                           "and no entry makes it")
        if row is None:
            return Verdict(len(rows), entry["seq"], f"it {verb} {election}, and the {table} "
                           f"table has no {noun} of it")
        pairs.append((election, entry, row, seq))
    return pairs


def _calls(store: NightStore, rows: Sequence[tuple[int, str, str]],
           entries: list[dict[str, Any]], last: int) -> Verdict | None:
    pairs = _paired(rows, _last_of(entries, "call"), store.calls(), last, "calls", "calls",
                    "call")
    if isinstance(pairs, Verdict):
        return pairs
    for election, entry, row, seq in pairs:
        said = (entry["detail"]["candidate"], entry["detail"]["basis"], entry["token"],
                entry["seq"])
        if (row.candidate_id, row.basis, row.called_by, seq) != said:
            return Verdict(len(rows), entry["seq"], f"it calls {election} for {said[0]} (by "
                           f"{said[2]}), and the calls table says {row.candidate_id} (by "
                           f"{row.called_by}, entry {seq})")
    return None


def _certifications(store: NightStore, rows: Sequence[tuple[int, str, str]],
                    entries: list[dict[str, Any]], last: int) -> Verdict | None:
    pairs = _paired(rows, _last_of(entries, "certify"), store.certifications(), last,
                    "certifies", "certifications", "certification")
    if isinstance(pairs, Verdict):
        return pairs
    for election, entry, row, seq in pairs:
        if (row.results, row.certified_by, seq) != (entry["change"], entry["token"],
                                                   entry["seq"]):
            return Verdict(len(rows), entry["seq"], f"it certifies results "
                           f"{entry['change'][:12]} of {election} (by {entry['token']}), and the "
                           f"certifications table says {row.results[:12]} (by "
                           f"{row.certified_by}, entry {seq})")
        if store.results_digest(election) != row.results:
            return Verdict(len(rows), entry["seq"], f"the stored results of {election} are not "
                           "the ones it certified")
    return None


def _expected(store: NightStore, rows: Sequence[tuple[int, str, str]],
              entries: list[dict[str, Any]], last: int) -> Verdict | None:
    logged = _last_of(entries, "expected")
    for election in sorted(set(logged) | set(store.expected_elections()),
                           key=lambda e: _order(logged, e)):
        votes, _ = store.expected(election)
        entry = logged.get(election)
        if entry is None:
            return Verdict(len(rows), last, f"the expected vote of {election} is stored, and no "
                           "entry sets it")
        if expected_digest(votes) != entry["change"]:
            return Verdict(len(rows), entry["seq"], f"the stored expected vote of {election} is "
                           "not the one it set")
    return None


def expected_digest(votes: Mapping[str, int]) -> str:
    """The change digest of an expected vote (unit id → votes): sha256 of its sorted items."""
    return sha256_text(canonical(sorted(votes.items())))


def _order(logged: Mapping[str, Mapping[str, Any]], election: str) -> tuple[int, str]:
    """Elections in the order of their last entry (none: after every entry), to name the
    first mismatch first."""
    entry = logged.get(election)
    return (int(entry["seq"]) if entry else 1 << 62, election)


def _covered(store: NightStore, rows: Sequence[tuple[int, str, str]],
             entries: list[dict[str, Any]], last: int) -> Verdict:
    covered = {str(e) for entry in entries if entry["action"] in REPLAYED
               for e in entry["detail"].get("elections", [])}
    began = (dt.datetime.fromisoformat(str(entries[0]["time"]).removesuffix("Z"))
             if entries else None)
    before = []
    for election, stored_at in sorted(store.last_imported().items()):
        if election in covered:
            continue
        if began is not None and stored_at >= began:
            return Verdict(len(rows), last, f"the results of {election} were stored "
                           f"{stored_at:%Y-%m-%d %H:%M:%S} UTC, after the log began, and no "
                           "entry covers them")
        before.append(election)
    return Verdict(len(rows), uncovered=tuple(before))


def rebuild(store: NightStore, scratch: NightStore, replay: Replay) -> Verdict:
    """Redo every logged change of ``REPLAYED`` from its kept files, in log order, in the empty
    ``scratch`` store and compare each one's change digest, then every logged election's stored
    results, with the store's. An entry's files are ``detail.files`` (``[name, sha256]`` each,
    in the order imported) or, as the server logs an ingest, its one ``file``."""
    rows = store.audit_rows()
    touched: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="electoral-rebuild-") as folder:
        for seq, text, _ in rows:
            entry = json.loads(text)
            if entry["action"] not in REPLAYED:
                continue
            detail = entry["detail"]
            named = detail.get("files") or [[entry["file"], entry["file_sha256"]]]
            aliases = detail.get("aliases")
            kept = [_written(store, Path(folder) / str(seq) / str(i), name, sha)
                    for i, (name, sha) in enumerate([*named, *([aliases] if aliases else [])])]
            if any(path is None for path in kept):
                return Verdict(len(rows), seq, "a file it names is not kept")
            paths = [p for p in kept if p is not None]
            done = replay(scratch, entry["action"], detail, paths[:len(named)],
                          paths[len(named)] if aliases else None)
            elections = detail.get("elections", [])
            touched |= set(elections)
            if not done or change_digest(scratch, elections) != entry["change"]:
                return Verdict(len(rows), seq, "redoing it from its files gives other results")
    for election in sorted(touched):
        if scratch.results_digest(election) != store.results_digest(election):
            return Verdict(len(rows), rows[-1][0] if rows else 0,
                           f"the stored results of {election} differ from the rebuilt ones")
    return Verdict(len(rows))


def _written(store: NightStore, folder: Path, name: str, sha256: str) -> Path | None:
    """The kept file ``sha256`` written as ``folder/name`` (``None``: not kept, or a name that
    is no plain file name, as no logged change gives)."""
    data = store.upload(sha256)
    if data is None or not name or Path(name).name != name or name in (".", ".."):
        return None
    folder.mkdir(parents=True)
    (folder / name).write_bytes(data)
    return folder / name


# ---- changes made on this machine ---------------------------------------------------------------


def local_token() -> str:
    """The token name a change made on this machine is logged with: ``local:`` and the name of
    the user running it (``local:unknown`` where the system has none, as in some containers)."""
    import getpass

    try:
        return f"local:{getpass.getuser()}"
    except (OSError, KeyError):  # no LOGNAME/USER and no password-file entry for the uid
        return "local:unknown"


@dataclass(slots=True)
class LocalChange:
    """What a change made on this machine tells its audit entry: the files it read (name,
    sha256, bytes, in order), the aliases file, and the elections whose results it changed
    (none, and not ``other``: it changed nothing, and no entry is made)."""

    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    aliases: tuple[str, str, bytes] | None = None
    elections: list[str] = field(default_factory=list)
    # a change to the store that is not to its results (polls): logged, with no change digest
    other: bool = False

    def read(self, paths: Sequence[Path | str], aliases: Path | str | None = None,
             used: Sequence[str] = ()) -> None:
        """Keep the bytes of ``paths`` (and of ``aliases``) as the change read them: ``used``
        holds the sha256 of each file as the change read it, and a file whose bytes differ now
        (changed while it was read) refuses the change.

        Raises:
            ValidationError: a file cannot be read, or changed since the change read it.
        """
        self.files = [_kept(p) for p in paths]
        self.aliases = _kept(aliases) if aliases is not None else None
        have = {sha for _, sha, _ in self.files}
        changed = sorted(set(used) - have)
        if changed:
            raise ValidationError([Problem(
                "changed-while-read", "a file changed while it was being imported (its sha256 "
                f"was {changed[0][:12]}…); nothing was stored, import it again")])


def _kept(path: Path | str) -> tuple[str, str, bytes]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError([Problem("unreadable", f"cannot read: {exc.strerror or exc}",
                                       source=str(path))]) from None
    return Path(path).name, hashlib.sha256(data).hexdigest(), data


@contextmanager
def local_change(store: object, action: str, detail: Mapping[str, object],
                 by: str | None = None) -> Iterator[LocalChange | None]:
    """Run the block, a change to ``store`` made on this machine, in one transaction with its
    audit entry, if ``store`` has an audit chain (``NightStore.audited``; otherwise yield
    ``None`` and log nothing). The block reads its files through the ``LocalChange`` yielded
    and sets its ``elections``; if it set any, the files are kept (as the server keeps an
    upload), and an entry like an ingest's is appended: token ``by`` (default
    ``local_token()``), ``action``, the first file's name and sha256, the change digest, and
    ``detail`` with ``elections``, ``files`` (``[name, sha256]`` each) and ``aliases``; then a
    new results version. An error in the block rolls all of it back; a change to a certified
    election (``CertifiedError``) is then logged as a refusal, as the server logs one.
    """
    if not isinstance(store, NightStore) or not store.audited:
        yield None
        return
    change = LocalChange()
    try:
        with store.transaction():
            yield change
            if change.elections or change.other:
                _record(store, change, action, detail, by or local_token())
    except CertifiedError as exc:
        first = change.files[0][1] if change.files else None
        append_refusal(store, token=by or local_token(), action=action,
                       election=exc.elections[0] if len(exc.elections) == 1 else
                       _text(detail.get("election")), code=exc.code, reason=str(exc),
                       file_sha256=first)
        raise


def _record(store: NightStore, change: LocalChange, action: str, detail: Mapping[str, object],
            token: str) -> None:
    for name, sha, data in [*change.files, *([change.aliases] if change.aliases else [])]:
        store.keep_upload(sha, name, data)
    elections = sorted(set(change.elections))
    first = change.files[0] if change.files else (None, None, b"")
    seq = append_audit(
        store, token=token, action=action,
        election=elections[0] if len(elections) == 1 else _text(detail.get("election")),
        file_sha256=first[1], file=first[0],
        change=change_digest(store, elections) if elections else None,
        detail={**detail, "elections": elections,
                "files": [[name, sha] for name, sha, _ in change.files],
                "aliases": [change.aliases[0], change.aliases[1]] if change.aliases else None})
    store.new_version(seq)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
