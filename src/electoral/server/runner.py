"""Running electoral's ASGI apps (``server.app``, ``server.public``) on a port: granian's embedded
server, whose HTTP stack is Rust (hyper) and whose app runs in this process's event loop: the
process that owns the store answers its requests itself (issue 12: one writer), on the port or,
with front processes (``server.front``) serving the port, on a private Unix socket.

Why granian and not uvicorn: the public read path under load (BENCHMARKS.md, live section) is
bound by the server's per-request cost, not the app's — the same app answered about 1.6 times
the requests/s under granian as under uvicorn with httptools and uvloop on this 2-core machine.

At shutdown a stream that never ends by itself (the live page's ``/api/v1/events``) would hold the
server open: sse-starlette ends its streams when ``AppStatus.should_exit`` is set, which is done
here for ``SHUTDOWN_GRACE`` seconds at most before the server stops anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from electoral.errors import ElectoralError

if TYPE_CHECKING:
    from granian.server.embed import Server
    from starlette.types import ASGIApp

START_TIMEOUT = 10.0  # seconds for the server to answer on its port
SHUTDOWN_GRACE = 2.0  # seconds open streams get to end at shutdown before the server stops
BACKLOG = 2048  # connections the kernel queues before the server accepts them (uvicorn's default)
# granian logs to stdout by default; a server's own words go to stderr, beside electoral's
_LOGGING = {"handlers": {
    "console": {"formatter": "generic", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
    "access": {"formatter": "access", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
}}


def _server(app: ASGIApp, host: str, port: int, lifespan: bool, uds: Path | None = None) -> Server:
    from granian.constants import HTTPModes, Interfaces
    from granian.log import LogLevels
    from granian.server.embed import Server

    # HTTP/1.1 only, as the nginx config and every client here speak it; no websockets: no route
    # uses them. Errors only: the embedded mode's "experimental" warning is said on every start.
    return Server(app, address=host, port=port, uds=uds,
                  interface=Interfaces.ASGI if lifespan else Interfaces.ASGINL,
                  http=HTTPModes.http1, websockets=False, backlog=BACKLOG,
                  log_level=LogLevels.error, log_dictconfig=_LOGGING)


async def _serve(server: Server, stop: asyncio.Event, signals: bool = False, shared: bool = False,
                 beside: Callable[[], AbstractContextManager[None]] | None = None,
                 ready: Callable[[], None] | None = None) -> None:
    """Serve until ``stop`` is set (or, with ``signals``, SIGINT or SIGTERM arrives), then end the
    open streams and stop. ``shared``: the port is shared on purpose (a front process), so
    another listener there is not refused; ``beside``: a context entered (in this thread)
    once the server listens and left before it stops (the front processes); ``ready``: called
    once the port is served (by the server, or with ``beside`` by the front processes).

    Raises:
        ElectoralError: the server ended by itself: the address in use or not allowed, or the
            app's startup failed.
    """
    from sse_starlette.sse import AppStatus

    if signals:
        for number in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(number, stop.set)
    if not shared and server.bind_uds is None:
        _refuse_shared(server.bind_addr, server.bind_port)
    if ready is not None and beside is None:
        server.on_startup(ready)
    serving = asyncio.ensure_future(server.serve())
    stopping = asyncio.ensure_future(stop.wait())
    try:
        with contextlib.ExitStack() as companions:
            if beside is not None:
                await _listening(server, serving)
                if not serving.done():
                    # entered in this thread, not a worker's: a front dies with the thread
                    # that started it (PR_SET_PDEATHSIG), and this one lasts as long as the server
                    context = beside()
                    context.__enter__()
                    companions.push(context.__exit__)
                    if ready is not None:
                        ready()
            if not serving.done():
                await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:  # the companions did not start: the server stops with them
        if not serving.done():
            with contextlib.suppress(BaseException):
                await _stop(server, serving)
        stopping.cancel()
        raise
    if serving.done():
        stopping.cancel()
        where = f"{server.bind_addr}:{server.bind_port}"
        failure = serving.exception()
        if failure is not None and server.wrks == []:  # before any worker: the address itself
            # str(failure) is granian's Rust error with its backtrace; the first line says it
            reason = str(failure).splitlines()[0] if str(failure) else type(failure).__name__
            raise ElectoralError(f"cannot serve on {where}: {reason}; choose another --port or "
                                 "--host") from failure
        raise ElectoralError(f"the server on {where} stopped by itself: its app did not start "
                             "(the store could not be opened, or the public folder written)"
                             ) from failure
    AppStatus.should_exit = True
    try:
        await asyncio.sleep(0.1)  # the streams see the flag at their next look
        await _stop(server, serving)
    finally:
        AppStatus.should_exit = False  # a later server in this process streams again


async def _stop(server: Server, serving: asyncio.Future[None]) -> None:
    """Stop ``server`` and wait for it, ``SHUTDOWN_GRACE`` and a margin at most."""
    server.stop()  # type: ignore[no-untyped-call]  # granian leaves it unannotated
    await asyncio.wait_for(serving, timeout=SHUTDOWN_GRACE + 5)


async def _listening(server: Server, serving: asyncio.Future[None]) -> None:
    """Until ``server`` listens on its Unix socket (or ends)."""
    deadline = time.monotonic() + START_TIMEOUT
    while not serving.done() and not (server.bind_uds and server.bind_uds.exists()):
        if time.monotonic() > deadline:
            raise ElectoralError("the results server did not start listening within "
                                 f"{START_TIMEOUT:g} s")
        await asyncio.sleep(0.01)


def _runner() -> asyncio.Runner:
    """An event loop (uvloop's where installed) that, when closed, cancels and awaits what is
    left of its tasks (sse-starlette's watchers) instead of dropping them."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is installed with the server extra on POSIX
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


def run_app(app: ASGIApp, host: str, port: int, *,
            beside: Callable[[Path], AbstractContextManager[None]] | None = None,
            ready: Callable[[], None] | None = None) -> None:
    """Serve ``app`` (its lifespan run) on ``host:port`` in this thread until SIGINT or SIGTERM.
    With ``beside``, ``app`` listens instead on a Unix socket in a private folder, and
    ``beside(socket)`` (the front processes of ``server.front``, which serve the port) runs while
    it does. ``ready`` is called once the port is served.

    Raises:
        ElectoralError: the address cannot be listened on, or the app's startup failed.
    """
    if beside is None:
        with _runner() as runner:
            runner.run(_serve(_server(app, host, port, lifespan=True), asyncio.Event(),
                              signals=True, ready=ready))
        return
    _refuse_shared(host, port)  # said before anything starts
    with tempfile.TemporaryDirectory(prefix="electoral-serve-") as private, _runner() as runner:
        owner = Path(private) / "owner.sock"
        runner.run(_serve(_server(app, host, port, lifespan=True, uds=owner), asyncio.Event(),
                          signals=True, beside=lambda: beside(owner), ready=ready))


def run_shared(app: ASGIApp, host: str, port: int) -> None:
    """Serve ``app`` (its lifespan run) on ``host:port`` beside the other processes that listen
    there (a front process) until SIGINT or SIGTERM."""
    with _runner() as runner:
        runner.run(_serve(_server(app, host, port, lifespan=True), asyncio.Event(),
                          signals=True, shared=True))


@contextlib.contextmanager
def serving(app: ASGIApp, *, host: str = "127.0.0.1", port: int = 8000) -> Iterator[str]:
    """Run ``app`` (no lifespan) in a background thread until the block ends; yields its URL once
    it answers.

    Raises:
        ElectoralError: the server could not listen on ``host:port`` (in use, not allowed).
    """
    stop = asyncio.Event()
    started = threading.Event()
    loops: list[asyncio.AbstractEventLoop] = []
    failed: list[BaseException] = []

    def run() -> None:
        server = _server(app, host, port, lifespan=False)
        server.on_startup(started.set)  # called once its address is bound
        try:
            with _runner() as runner:
                loops.append(runner.get_loop())
                runner.run(_serve(server, stop))
        except BaseException as exc:  # said by the waiting thread, not lost in this one
            failed.append(exc)

    thread = threading.Thread(target=run, name="electoral-public", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        # bound is not yet listening: on Linux each worker listens on its own socket of the port
        while not (started.wait(0.02) and answers(host, port)):
            if not thread.is_alive() or time.monotonic() > deadline:
                if failed and isinstance(failed[0], ElectoralError):
                    raise failed[0]
                raise ElectoralError(f"cannot serve on {host}:{port}: the server did not start "
                                     f"within {START_TIMEOUT:g} s")
        yield f"http://{host}:{port}/"
    finally:
        if thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop closed between the two calls
                loops[0].call_soon_threadsafe(stop.set)
        thread.join(timeout=SHUTDOWN_GRACE + 10)


def answers(host: str, port: int) -> bool:
    """Whether something accepts a connection on ``host:port`` now."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _refuse_shared(host: str, port: int) -> None:
    """Refuse an address another server listens on. granian binds with SO_REUSEPORT, so a second
    server on a port would silently share it, each answering some of the connections (two
    ``electoral serve`` of two stores, say); a bind without that option fails where anyone
    listens.

    Raises:
        ElectoralError: the address is in use or not allowed.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a closed one's TIME_WAIT
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ElectoralError(f"cannot serve on {host}:{port}: {exc.strerror or exc}; choose "
                                 "another --port or --host") from None
