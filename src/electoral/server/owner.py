"""The server's one connection to the store: opened for writing on first use, shared by every
request under one lock (a DuckDB connection is not for two threads at once), closed at shutdown.

The server is the store's only writer while it runs, and reads go through the same connection,
so no reader ever takes or meets the writer's file lock. A request that waits longer than
``busy_after`` seconds for the lock is answered 503 with ``Retry-After`` (``Busy``).

A read's answer depends only on the results version (every change the server makes is a new
one), so ``Owner.answer`` keeps each answer of the current version: thousands of readers cost one
tabulation per version, and a reader asking while an ingest holds the store is answered from the
last version without waiting for it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from electoral import api
from electoral.errors import NotFoundError, StoreError

if TYPE_CHECKING:
    from electoral.api import NightStore

log = logging.getLogger("electoral.server")

PUBLISHED = "published_version"  # night_state key: the last version _after_change finished
KEPT_ANSWERS = 256  # answers kept for the current version (by route and query)


class Busy(Exception):
    """The store is held by another request for longer than the wait allowed."""

    retry_after = 1  # seconds


class Unavailable(Exception):
    """The store cannot be opened (missing, a folder, damaged, held by another program): a fault
    of the server's setup, said to clients without its path (the server's log has it)."""

    retry_after = 5  # seconds

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class Owner:
    """Holds the store for the server (see the module docstring)."""

    def __init__(self, db: Path | str | None, public: Path | None = None,
                 busy_after: float = 10.0):
        self.db = db
        self.public = public
        self.busy_after = busy_after
        self._lock = threading.RLock()
        self._store: NightStore | None = None
        self._version: int | None = None  # the results version the kept answers are of
        self._answers: dict[Hashable, bytes] = {}

    def kept(self, key: Hashable) -> bytes | None:
        """The kept answer for ``key`` at the current version, if there is one (no lock: one
        dict read, safe beside a writer thread)."""
        return self._answers.get(key)

    def answer(self, key: Hashable, compute: Callable[[NightStore], bytes]) -> bytes:
        """The answer ``compute`` gives for ``key`` (a route and its query) at the current
        results version: kept from an earlier request of this version, else computed with the
        store held (and kept).

        Raises:
            Busy, NotFoundError, StoreError: as ``store``; whatever ``compute`` raises (an
            error is never kept).
        """
        kept = self.kept(key)
        if kept is not None:
            return kept
        with self.store() as s:
            version = s.version()
            if version != self._version:
                self._answers, self._version = {}, version
            kept = self._answers.get(key)
            if kept is None:
                kept = compute(s)
                if len(self._answers) >= KEPT_ANSWERS:
                    self._answers = {}
                self._answers[key] = kept
            return kept

    @contextmanager
    def store(self) -> Iterator[NightStore]:
        """The open store, held by this request until the block ends.

        Raises:
            Busy: the lock was not free within ``busy_after`` seconds.
            Unavailable: there is no store file (the server makes none), or it cannot be
                opened for writing.
        """
        if not self._lock.acquire(timeout=self.busy_after):
            raise Busy
        try:
            if self._store is None:
                self._store = self._opened()
            yield self._store
        finally:
            self._lock.release()

    def _opened(self) -> NightStore:
        try:
            return self._open()
        except NotFoundError as exc:
            log.error("no results store: %s", exc)
            raise Unavailable("no-store", "the server has no results store yet; its operator "
                              "makes one with `electoral import` (nothing was changed)") from exc
        except StoreError as exc:
            log.error("the results store cannot be opened: %s", exc)
            raise Unavailable("store-unavailable", "the results store cannot be opened now; "
                              "nothing was changed") from exc

    def _open(self) -> NightStore:
        # a missing store is said, as every read command says it, and not made
        with api.open_store(self.db):
            pass
        store = api.open_night_store(self.db, write=True)
        published = int(store.state(PUBLISHED) or 0)
        unpublished = self.public is not None and not (self.public / "current_ver.txt").exists()
        if store.version() > published or unpublished:
            # a crash after a change committed and before it was published: publish it now
            _after_change(store, store.version(), self.public)
        return store

    def after_change(self, store: NightStore, version: int) -> None:
        """Run ``_after_change`` for an accepted change (the caller holds the store); the kept
        answers, of the version before, are dropped once it is published, or its publishing
        failed (the change is in the store all the same)."""
        try:
            _after_change(store, version, self.public)
        finally:
            self._answers, self._version = {}, version

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def _after_change(store: NightStore, version: int, public: Path | None) -> None:
    """What follows every accepted ingest, call and certification: the public versioned files
    (``api.publish``: a new immutable version, then the pointer; the live page beside them),
    then ``version`` recorded as published — in that order, so that a crash in between
    publishes again at the next start (``Owner.store``)."""
    if public is not None:
        from electoral import api
        from electoral.report.public import write_live_page

        write_live_page(public)
        published = api.publish(store, public, extra=_night_extra(store))
        log.info("results version %d published as %s", version, published)
    with store.transaction():
        store.set_state(PUBLISHED, str(version))
    log.info("results version %d", version)


def _night_extra(store: NightStore) -> dict[str, dict[str, object]]:
    """Each election's race call and certification, for its ``summary.json`` entry."""
    extra: dict[str, dict[str, object]] = {}
    for summary in store.elections():
        entry: dict[str, object] = {}
        called = store.call(summary.id)
        if called is not None:
            name = next((c.name for c in store.candidates(summary.id)
                         if c.id == called.candidate_id), called.candidate_id)
            entry["call"] = {"candidate": name, "by": called.called_by,
                             "at": called.called_at.isoformat(), "basis": called.basis}
        if store.certification(summary.id) is not None:
            entry["status"] = "certified"
        if entry:
            extra[summary.id] = entry
    return extra
