"""electoral's own server of the public folder (``report.public``), for when nginx is not there:
Starlette's ``StaticFiles`` (ETag, Last-Modified, 304 on ``If-None-Match``, HEAD) with the same
caching rules as the nginx config (``server.nginx``): the pointer and the live page ``no-cache``,
the numbered version folders immutable for a year, hidden files never served.

A version's files never change once the pointer can name them, so they are kept in memory after
the first read (the newest few versions only): Starlette's file response reads the disk in a
worker thread per request, about fifty times slower than answering from memory. A client that
accepts gzip gets the ``.gz`` written beside a file at publish (as nginx's ``gzip_static``), with
``Content-Encoding: gzip`` and its own ETag.

``/api/v1/events`` pushes each new version as it is published (Server-Sent Events, through
sse-starlette): ``event: version``, ``id`` and ``data`` the version id, first the current one on
connecting. One watcher looks at ``current_ver.txt`` every 0.2 s while anyone listens, for every
listener (``Pointer``). nginx has no such route: the live page then polls the pointer.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import mimetypes
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import NamedTuple

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from electoral.server.nginx import IMMUTABLE

_VERSIONED = re.compile(r"^/[0-9]+/")
_HIDDEN = re.compile(r"(^|/)\.")
CACHED_VERSIONS = 3  # versions whose files are kept in memory: the current one and two before
# report.public.POINTER, not imported from there: that module brings the report layer (about
# 90 MB) into a process that only serves files (tests/server/test_live_load.py keeps them equal)
POINTER = "current_ver.txt"
EVENTS = "/api/v1/events"  # the push channel of new versions (Server-Sent Events)
WATCH_EVERY = 0.2  # seconds between two looks at the pointer while anyone listens
PING_EVERY = 15  # seconds between keep-alive comments, for proxies that close idle streams


class Cached(NamedTuple):
    """A version file as kept in memory: its bytes as sent, ETag, and the headers of a 304
    (``revalidated``) and of a 200 (``headers``), raw as ASGI sends them."""

    body: bytes
    etag: bytes
    revalidated: list[tuple[bytes, bytes]]
    headers: list[tuple[bytes, bytes]]


def _cached_entry(body: bytes, media: str, encoding: str | None) -> Cached:
    etag = f'"{hashlib.sha1(body, usedforsecurity=False).hexdigest()}"'.encode()
    # Vary: a shared cache keeps the gzip and the plain answer apart
    kept = [(b"etag", etag), (b"cache-control", IMMUTABLE.encode()),
            (b"vary", b"Accept-Encoding")]
    if encoding:
        kept.append((b"content-encoding", encoding.encode()))
    if media.startswith("text/"):  # the files are written as UTF-8 (report.public)
        media += "; charset=utf-8"
    return Cached(body, etag, kept, [*kept, (b"content-type", media.encode()),
                                     (b"content-length", str(len(body)).encode())])


def _accepts_gzip(accepted: str) -> bool:
    """Whether an ``Accept-Encoding`` value lists gzip (or ``*``) with a weight above zero
    (RFC 9110 §12.5.3)."""
    for part in accepted.split(","):
        name, _, params = part.strip().partition(";")
        weight = params.strip().removeprefix("q=").strip() if params else "1"
        if name.strip().lower() in ("gzip", "*"):
            try:
                return float(weight) > 0
            except ValueError:
                return False
    return False


class Pointer:
    """``current_ver.txt`` watched for every listener at once: one task reads it every
    ``every`` seconds while at least one listener is there, and wakes them all when it names
    another version."""

    def __init__(self, public: Path, every: float = WATCH_EVERY):
        self.path = public / POINTER
        self.every = every
        self.version: str | None = None
        self._changed = asyncio.Event()
        self._listeners = 0
        self._watcher: asyncio.Task[None] | None = None

    def _read(self) -> str | None:
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except OSError:  # not published yet, or being replaced (rename is atomic; a race is not)
            return self.version
        return text if text.isdigit() else self.version

    async def versions(self) -> AsyncIterator[str]:
        """The current version (once there is one), then each new one as it is published."""
        self._listeners += 1
        if self._watcher is None or self._watcher.done():
            # a new watcher, perhaps in another event loop than the last (an Event belongs to
            # the loop that first waited on it)
            self.version, self._changed = self._read(), asyncio.Event()
            self._watcher = asyncio.get_running_loop().create_task(self._watch())
        try:
            sent = None
            while True:
                changed = self._changed
                if self.version is not None and self.version != sent:
                    sent = self.version
                    yield sent
                await changed.wait()
        finally:
            self._listeners -= 1

    async def _watch(self) -> None:
        while self._listeners > 0:
            await asyncio.sleep(self.every)
            found = self._read()
            if found != self.version:
                self.version = found
                woken, self._changed = self._changed, asyncio.Event()
                woken.set()


class PublicFiles:
    """ASGI app: the files of ``public`` with the public read path's caching headers."""

    def __init__(self, public: Path | str) -> None:
        self.files = StaticFiles(directory=Path(public), html=True, check_dir=False)
        # version → (file path, gzip asked) → what is sent
        self.cache: dict[str, dict[tuple[str, bool], Cached]] = {}
        self.pointer = Pointer(Path(public))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.files(scope, receive, send)
            return
        path = scope["path"]
        if path == EVENTS and scope["method"] in ("GET", "HEAD"):
            await self._events(scope, receive, send)
            return
        if _HIDDEN.search(path):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        if _VERSIONED.match(path) and scope["method"] in ("GET", "HEAD"):
            accepted, tag = "", b""
            for name, value in scope["headers"]:  # one pass: this is the hot path under load
                if name == b"accept-encoding":
                    accepted = value.decode("latin-1")
                elif name == b"if-none-match":
                    tag = value
            cached = self._cached(path, _accepts_gzip(accepted))
            if cached is not None:
                await _answer(cached, tag == cached.etag, scope["method"] == "HEAD", send)
                return
        policy = IMMUTABLE if _VERSIONED.match(path) else "no-cache"

        async def with_policy(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                MutableHeaders(scope=message)["Cache-Control"] = policy
            await send(message)

        try:
            await self.files(scope, receive, with_policy)
        except HTTPException as exc:  # raised, not answered, outside an app's error handling
            await PlainTextResponse(exc.detail, status_code=exc.status_code,
                                    headers=exc.headers)(scope, receive, send)


    async def _events(self, scope: Scope, receive: Receive, send: Send) -> None:
        from sse_starlette import EventSourceResponse, ServerSentEvent

        async def events() -> AsyncIterator[ServerSentEvent]:
            async for version in self.pointer.versions():
                yield ServerSentEvent(data=version, event="version", id=version)

        # no-store: a stream is never kept; X-Accel-Buffering: a proxy in front sends each event
        # as it comes
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        if scope["method"] == "HEAD":
            await Response(headers=headers, media_type="text/event-stream")(scope, receive, send)
            return
        ended = False

        async def sending(message: Message) -> None:
            nonlocal ended
            ended = message["type"] == "http.response.body" and not message.get("more_body")
            await send(message)

        await EventSourceResponse(events(), headers=headers, ping=PING_EVERY)(
            scope, receive, sending)
        if not ended:
            # at the server's shutdown sse-starlette stops the stream without its last message
            # (the server then logs an unfinished response): the stream is ended here instead
            with contextlib.suppress(Exception):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

    def _cached(self, path: str, gzipped: bool) -> Cached | None:
        """The version file at ``path`` from memory (its ``.gz`` if ``gzipped`` and there is
        one), read and kept on first use; ``None`` for what is not a regular file (StaticFiles
        then answers, 404 or a folder's index)."""
        version = path.split("/", 2)[1]
        files = self.cache.get(version)
        if files is not None and (path, gzipped) in files:
            return files[path, gzipped]
        full, found = self.files.lookup_path(path.lstrip("/"))
        if found is None or not Path(full).is_file():
            return None
        packed = Path(f"{full}.gz")
        encoding = "gzip" if gzipped and packed.is_file() else None
        entry = _cached_entry((packed if encoding else Path(full)).read_bytes(),
                              mimetypes.guess_type(full)[0] or "application/octet-stream",
                              encoding)
        if files is None:
            files = self.cache[version] = {}
            for old in sorted(self.cache, key=int)[:-CACHED_VERSIONS]:
                del self.cache[old]
        files[path, gzipped] = entry
        return entry


async def _answer(cached: Cached, unchanged: bool, head: bool, send: Send) -> None:
    """A kept version file, sent as raw ASGI messages (Starlette's ``Response`` costs a third
    of the time of a request here)."""
    if unchanged:
        await send({"type": "http.response.start", "status": 304, "headers": cached.revalidated})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": cached.headers})
    await send({"type": "http.response.body", "body": b"" if head else cached.body})


def mount_public(app: ASGIApp, public: Path | str) -> None:
    """Serve ``public`` from ``/`` of a Starlette or FastAPI ``app``: the live page, the pointer,
    the event stream and the version folders ahead of everything else the app does
    (``PublicFirst``: no routing, no middleware of the API's, about ten times the requests/s),
    any other path after the app's own routes (an API route keeps its path)."""
    routes = getattr(app, "routes", None)
    add = getattr(app, "add_middleware", None)
    if routes is None or add is None:
        raise TypeError("mount_public needs a Starlette or FastAPI app")
    files = PublicFiles(public)
    add(PublicFirst, files=files)
    routes.append(Mount("/", app=files))


_FRONT = frozenset({"/", "/index.html", "/live.js", "/live.css", f"/{POINTER}", EVENTS})


def is_public_path(path: str) -> bool:
    """Whether ``path`` is one of the public folder's own (the live page, the pointer, the event
    stream, a version folder's file), which ``PublicFiles`` answers ahead of any API route."""
    return path in _FRONT or _VERSIONED.match(path) is not None


class PublicFirst:
    """ASGI middleware sending the public folder's own paths (``_FRONT`` and the version
    folders) straight to ``files``, which gives them their ETag, caching and HEAD itself."""

    def __init__(self, app: ASGIApp, files: PublicFiles):
        self.app = app
        self.files = files

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_public_path(scope["path"]):
            await self.files(scope, receive, send)
            return
        await self.app(scope, receive, send)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (for tests and benchmarks)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port
