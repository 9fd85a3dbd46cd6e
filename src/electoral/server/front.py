"""The front of ``electoral serve --public``: processes that answer the public folder themselves
and forward everything else to the one process that owns the store.

Why: under load the public read path is bound by one interpreter's per-request cost, and while
an ingest lands (parse, store, publish) the owner's interpreter is busy with it. The owner
therefore listens only on a Unix socket in a private folder, and ``fronts`` front processes
share the public port (granian binds it with SO_REUSEPORT, the kernel spreads the connections):
each answers the live page, the pointer, the version folders and the event stream from the
public folder (``public.PublicFiles``, as the owner would) and forwards any other request —
the API, ingests, calls — to the owner unchanged, streaming both ways. Nothing a front holds
needs saving: it is killed when the owner ends, however it ends (``PR_SET_PDEATHSIG``).

One writer still: only the owner opens the store; a front never does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
from starlette.types import Receive, Scope, Send

from electoral.errors import ElectoralError
from electoral.server.public import PublicFiles, is_public_path

# hop-by-hop headers (RFC 9110 §7.6.1): about one connection, never forwarded
_HOP = frozenset({b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization",
                  b"te", b"trailer", b"transfer-encoding", b"upgrade"})
# headers aiohttp would add that the client did not send: the owner must see the request as sent
_NOT_ADDED = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")
CONNECT_TIMEOUT = 5.0  # seconds to reach the owner's socket before a 503
RETRY_AFTER = "2"  # seconds a client is told to wait when the owner cannot be reached
_UNAVAILABLE = (b'{"error":"the results server is not answering; try again shortly",'
                b'"code":"unavailable","problems":[]}')


class Front:
    """ASGI app of a front process: ``public``'s own paths (``public.is_public_path``) answered
    from the folder, any other request forwarded to the owner listening on ``owner`` (aiohttp's
    client: httpx's reached about a sixth of its requests/s over the owner's socket here)."""

    def __init__(self, public: Path, owner: Path) -> None:
        self.files = PublicFiles(public)
        self.owner = owner
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:  # in the server's event loop, on the first forwarded request
            # no read timeout: an ingest of a large file takes as long as it takes; bytes pass
            # as they are (a gzip body stays gzip, with its header)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.UnixConnector(path=str(self.owner), limit=0),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=CONNECT_TIMEOUT),
                auto_decompress=False, skip_auto_headers=_NOT_ADDED)
        return self._session

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if is_public_path(scope["path"]):
            await self.files(scope, receive, send)
            return
        await self._forward(scope, receive, send)

    async def aclose(self) -> None:
        """Close the connections to the owner (at the server's shutdown)."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def body() -> AsyncIterator[bytes]:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                if message.get("body"):
                    yield message["body"]
                if not message.get("more_body"):
                    return

        target = scope.get("raw_path") or scope["path"].encode()
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]
                   if k.lower() not in _HOP]
        sends_body = any(k.lower() in (b"content-length", b"transfer-encoding")
                         for k, _ in scope["headers"])
        answered = False
        try:
            async with self._client().request(
                    scope["method"], "http://electoral" + target.decode("latin-1"),
                    headers=headers, data=body() if sends_body else None,
                    allow_redirects=False) as answer:
                start = {"type": "http.response.start", "status": answer.status,
                         "headers": [(k, v) for k, v in answer.raw_headers
                                     if k.lower() not in _HOP]}
                if answer.content_length is not None:
                    # one write: a response sent in pieces meets Nagle's algorithm and the
                    # client's delayed ACK (tens of milliseconds a request)
                    whole = await answer.read()
                    answered = True
                    await send(start)
                    await send({"type": "http.response.body", "body": whole})
                    return
                answered = True
                await send(start)
                async for chunk in answer.content.iter_any():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b""})
        except aiohttp.ClientConnectionError:
            if answered:  # the owner went away mid-answer: the client sees the connection end
                raise
            await send({"type": "http.response.start", "status": 503, "headers": [
                (b"content-type", b"application/json"), (b"retry-after", RETRY_AFTER.encode()),
                (b"cache-control", b"no-store"),
                (b"content-length", str(len(_UNAVAILABLE)).encode())]})
            await send({"type": "http.response.body", "body": _UNAVAILABLE})


def _die_with_parent() -> None:
    """Have the kernel kill this process when its parent (the owner) ends, even by kill -9
    (Linux ``prctl(PR_SET_PDEATHSIG)``; elsewhere only the owner's own shutdown ends the fronts,
    ``front_processes``)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1  # <linux/prctl.h>
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def main(argv: list[str]) -> None:
    """``python -m electoral.server.front PUBLIC OWNER_SOCKET HOST PORT OWNER_PID``: one front
    process, until SIGTERM or its owner's end."""
    from electoral.server.runner import run_shared

    public, owner, host, port, parent = argv
    _die_with_parent()
    if os.getppid() != int(parent):  # the owner ended before the line above took effect
        return
    run_shared(Front(Path(public), Path(owner)), host, int(port))


@contextlib.contextmanager
def front_processes(count: int, public: Path, owner: Path, host: str, port: int) -> Iterator[None]:
    """``count`` front processes on ``host:port`` forwarding to ``owner``, until the block ends;
    entered once all of them answer on the port.

    Raises:
        ElectoralError: a front ended, or the port did not answer within ``runner.START_TIMEOUT``.
    """
    from electoral.server.runner import START_TIMEOUT, answers

    command = [sys.executable, "-m", "electoral.server.front", str(public), str(owner), host,
               str(port), str(os.getpid())]
    processes = [subprocess.Popen(command) for _ in range(count)]
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not answers(host, port):
            ended = [p for p in processes if p.poll() is not None]
            if ended or time.monotonic() > deadline:
                raise ElectoralError(f"cannot serve on {host}:{port}: a front process did not "
                                     "start; see the lines above")
            time.sleep(0.05)
        yield
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
