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
the elections the log touched, so an election partly stored before then reads as different.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from electoral.errors import Problem, ValidationError
from electoral.store_night import NightStore, now

GENESIS = "0" * 64  # the "previous hash" of the first entry
# The actions whose kept files ``rebuild`` replays (what changes stored results); the others
# (calls, certification, expected vote, tokens, refusals) leave the results as they are.
REPLAYED = ("ingest", "group", "samples")

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


def change_digest(store: NightStore, elections: Sequence[str]) -> str:
    """The digest of a change: sha256 of the canonical ``{election: results digest}`` of each
    election it touched, as they are after it."""
    return sha256_text(canonical({e: store.results_digest(e) for e in elections}))


@dataclass(frozen=True, slots=True)
class Verdict:
    """What ``verify`` found: ``entries`` checked, the first bad one (``None``: all good), why."""

    entries: int
    bad: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.bad is None


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
    new results version. An error in the block rolls all of it back.
    """
    if not isinstance(store, NightStore) or not store.audited:
        yield None
        return
    change = LocalChange()
    with store.transaction():
        yield change
        if change.elections or change.other:
            _record(store, change, action, detail, by or local_token())


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
