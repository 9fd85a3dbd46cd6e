"""The results API: the same operations as the CLI (``electoral.api``), over HTTP, and on election
night the one way to change the store while it is served (issue 12).

    GET  /elections                                    every stored election and its source
    GET  /elections/{id}/results?by=county&compare=…    a results table (JSON contract of `report`)
    GET  /elections/{id}/results.{fmt}                  the same as csv, md, wiki or html
    GET  /elections/{id}/imports                       where the figures came from (sha256, time)
    GET  /api/v1/version                               {"version": N}: the latest results version
    GET  /api/v1/elections/{id}/results?by=…            the JSON contract, a race call declaring
                                                       the winner missing units withhold
    GET  /api/v1/elections/{id}/status                 the race on election night
                                                       (``night_view.night_document``)
    POST /api/v1/elections/{id}/results?replace=…       a returns file as the body (role ingest);
                                                       its name in ``X-Filename``; optional
                                                       ``Idempotency-Key``
    POST /api/v1/results?replace=…                     the same, the election(s) the file names
    PUT  /api/v1/elections/{id}/expected               a unit,votes CSV: the expected vote (role
                                                       ingest)
    POST /api/v1/elections/{id}/calls                  {"candidate", "basis"} (role call)
    POST /api/v1/elections/{id}/certification          (role certify)

Writes need ``Authorization: Bearer TOKEN`` (``electoral token add``). Errors are
``{"error", "code", "problems"}`` (``server.hygiene``): 401 no or bad token, 403 wrong role or
county scope, 404 not stored, 409 conflict (code ``certified``: any change to a certified
election's results, call or expected vote, refused and logged), 413 too large, 422 a refused
file (with the import report under ``report``), 503 busy or no store to open
(``Retry-After``); never a path or a process id. Every GET also answers HEAD and carries an
ETag. Run it with ``electoral serve``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel

from electoral import api
from electoral.errors import Problem, ValidationError
from electoral.night import MAX_UPLOAD, Answer, serving
from electoral.server.hygiene import Caching, install_errors
from electoral.server.owner import Owner

if TYPE_CHECKING:
    from electoral.api import NightStore

MEDIA = {"csv": "text/csv", "md": "text/markdown", "wiki": "text/plain", "html": "text/html",
         "text": "text/plain", "json": "application/json"}
READ = ["GET", "HEAD"]
#: Front processes of ``electoral serve --public`` by default: two, so that reading the public
#: folder goes on at full speed on a 2-core machine while the owner ingests (BENCHMARKS.md, live
#: section)
FRONTS = 2


class CallBody(BaseModel):
    candidate: str
    basis: str


def create_app(db: Path | str | None = None, *, public: Path | None = None,
               limit: int = MAX_UPLOAD, busy_after: float = 10.0) -> FastAPI:
    """The results API over the store at ``db`` (default: ``$ELECTORAL_DB``, else
    ``./electoral.duckdb``), which the app opens once, for writing, on its first request and
    keeps until shutdown. ``public``: the folder the publisher writes versions into (see
    ``owner._after_change``); ``limit``: the largest upload in bytes; ``busy_after``: seconds a
    request waits for the store before a 503. A library error becomes a JSON answer
    (``server.hygiene``), never a 500 with a traceback."""
    owner = Owner(db, public, busy_after)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if public is not None:  # the public folder has a version before anyone asks
            with owner.store():
                pass
        yield
        owner.close()

    app = FastAPI(title="electoral", summary="Election results, tabulated and checked.",
                  lifespan=lifespan)
    app.add_middleware(Caching)
    install_errors(app)
    app.state.owner = owner

    @app.api_route("/elections", methods=READ)
    def elections() -> list[dict[str, object]]:
        with owner.store() as s:
            return [{"id": e.id, "year": e.year, "state": e.state, "office": e.office,
                     "units": e.units, "counts": e.counts, "source": e.source}
                    for e in api.elections(s)]

    @app.api_route("/elections/{election}/imports", methods=READ)
    def imports(election: str) -> list[dict[str, object]]:
        with owner.store() as s:
            return [{"source": r.source, "sha256": r.sha256, "format": r.format,
                     "imported_at": r.imported_at.isoformat(), "rows": r.rows}
                    for r in api.imports(s, election)]

    @app.api_route("/elections/{election}/results", methods=READ)
    async def results(election: str, by: str = "state", compare: str | None = None) -> Response:
        return await _answer(owner, ("results", election, by, compare), lambda s: _encoded(
            api.results_document(api.results(s, election, by, compare))))

    @app.api_route("/elections/{election}/results.{fmt}", methods=READ)
    def results_as(election: str, fmt: str, by: str = "state",
                   compare: str | None = None) -> Response:
        if fmt not in MEDIA:
            raise ValidationError([Problem("unknown-format", f"unknown format {fmt!r}; use one "
                                           f"of {', '.join(MEDIA)}", field="format")])
        with owner.store() as s:
            view = api.results(s, election, by, compare)
        return PlainTextResponse(api.render_results(view, fmt), media_type=MEDIA[fmt])

    _night_routes(app, owner, limit)
    if public is not None:
        from electoral.server.public import mount_public
        mount_public(app, public)  # outermost, after every other middleware is added
    return app


def _night_routes(app: FastAPI, owner: Owner, limit: int) -> None:
    """The /api/v1 routes (see the module docstring)."""

    def answered(answer: Answer) -> JSONResponse:
        headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
        return JSONResponse(answer.body, status_code=answer.status, headers=headers)

    @app.api_route("/api/v1/version", methods=READ)
    def version() -> dict[str, int]:
        with owner.store() as s:
            return {"version": s.version()}

    @app.api_route("/api/v1/elections/{election}/results", methods=READ)
    async def called_results(election: str, by: str = "state",
                             compare: str | None = None) -> Response:
        return await _answer(owner, ("called", election, by, compare), lambda s: _encoded(
            api.called_results(s, election, by, compare)))

    @app.api_route("/api/v1/elections/{election}/status", methods=READ)
    async def status(election: str) -> Response:
        return await _answer(owner, ("status", election),
                             lambda s: _encoded(api.night_status(s, election)))

    @app.post("/api/v1/elections/{election}/results")
    async def ingest(election: str, request: Request, replace: bool = False) -> Response:
        return await take(election, request, replace)

    @app.post("/api/v1/results")
    async def ingest_named(request: Request, replace: bool = False) -> Response:
        return await take(None, request, replace)

    async def take(election: str | None, request: Request, replace: bool) -> Response:
        await admitted(request, "ingest", election)
        declared = request.headers.get("content-length", "")
        size = int(declared) if declared.isdigit() else None
        data = None if size is not None and size > limit else await _body(request, limit)

        def work() -> Answer:
            with owner.store() as s:
                answer = api.ingest(s, data, request.headers.get("x-filename"), election,
                                    authorization=request.headers.get("authorization"),
                                    key=request.headers.get("idempotency-key"), replace=replace,
                                    limit=limit, size=size)
                if answer.version is not None:
                    owner.after_change(s, answer.version)
                return answer

        return answered(await anyio.to_thread.run_sync(work))

    async def admitted(request: Request, action: str, election: str | None) -> None:
        """Refuse (401/403, logged) a request without a live token of the ingest role before a
        byte of its body is read; the change itself checks the token again, under the same
        lock as the change (a token revoked meanwhile is refused there)."""
        authorization = request.headers.get("authorization")

        def check() -> None:
            with owner.store() as s:
                api.authenticate(s, authorization, "ingest", action=action, election=election)

        await anyio.to_thread.run_sync(check)

    @app.put("/api/v1/elections/{election}/expected")
    async def expected(election: str, request: Request) -> Response:
        await admitted(request, "expected", election)
        data = await _body(request, limit)

        def work() -> Answer:
            with owner.store() as s:
                answer = api.set_expected(s, election, data, request.headers.get("x-filename"),
                                          authorization=request.headers.get("authorization"),
                                          limit=limit)
                owner.after_change(s, int(answer.body["version"]))
                return answer

        return answered(await anyio.to_thread.run_sync(work))

    @app.post("/api/v1/elections/{election}/calls")
    def call(election: str, body: CallBody, request: Request) -> Response:
        with owner.store() as s:
            answer = api.call_race(s, election, body.candidate, body.basis,
                                   authorization=request.headers.get("authorization"))
            owner.after_change(s, int(answer.body["version"]))
        return answered(answer)

    @app.post("/api/v1/elections/{election}/certification")
    def certification(election: str, request: Request) -> Response:
        with owner.store() as s:
            answer = api.certify(s, election, authorization=request.headers.get("authorization"))
            owner.after_change(s, int(answer.body["version"]))
        return answered(answer)


async def _answer(owner: Owner, key: Hashable, compute: Callable[[NightStore], bytes]) -> Response:
    """``owner.answer`` as a JSON response: a kept answer straight from the event loop (no
    worker thread, no lock: under load most readers ask for the same few answers), else
    computed in a worker thread with the store held."""
    kept = owner.kept(key)
    if kept is None:
        kept = await anyio.to_thread.run_sync(owner.answer, key, compute)
    return _json(kept)


def _encoded(document: object) -> bytes:
    """``document`` as the JSON bytes FastAPI's ``JSONResponse`` sends."""
    return bytes(JSONResponse(document).body)


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


async def _body(request: Request, limit: int) -> bytes:
    """The request body, read no further than one byte past ``limit`` (the rest is left
    unread: a larger body is refused whole, never buffered)."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            break
    return bytes(data)


def run(db: Path | str | None, host: str, port: int, public: Path | None = None,
        fronts: int | None = None, ready: Callable[[str], None] | None = None) -> None:
    """Serve the store at ``db`` on ``host:port`` until SIGINT or SIGTERM, with the note that says
    so beside it (``night.serving``). With ``public``, ``fronts`` (default ``FRONTS``) front
    processes serve the port (``server.front``: the public folder themselves, the rest forwarded
    to this process); 0 serves everything from this one process. ``ready(url)`` is called once
    the port is served.

    Raises:
        ElectoralError: the address cannot be listened on, or the app could not start
            (``server.runner.run_app``).
    """
    from electoral.server.runner import run_app

    count = FRONTS if fronts is None else fronts
    url = f"http://{host}:{port}"
    told = None if ready is None else (lambda: ready(url))
    with serving(api.store_path(db), url):
        if public is None or not count:
            run_app(create_app(db, public=public), host, port, ready=told)
            return
        from electoral.server.front import front_processes

        run_app(create_app(db, public=public), host, port, ready=told,
                beside=lambda owner: front_processes(count, public, owner, host, port))
