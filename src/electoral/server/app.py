"""The results API: the same operations as the CLI (``electoral.api``), over HTTP, read-only.

    GET /elections                                    every stored election and its source
    GET /elections/{id}/results?by=county&compare=…    a results table (JSON contract of `report`)
    GET /elections/{id}/results.{fmt}                  the same as csv, md, wiki or html
    GET /elections/{id}/imports                       where the figures came from (sha256, time)

Errors come back as ``{"error": …, "problems": […]}`` with 404 for what is not there and 422 for a
bad request, never a stack trace. Run it with ``electoral serve``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from electoral import api
from electoral.api import ResultsStore
from electoral.errors import ElectoralError, NotFoundError, Problem, ValidationError

MEDIA = {"csv": "text/csv", "md": "text/markdown", "wiki": "text/plain", "html": "text/html",
         "text": "text/plain", "json": "application/json"}


def create_app(db: Path | str | None = None) -> FastAPI:
    """The read-only results API over the store at ``db`` (default: ``$ELECTORAL_DB``, else
    ``./electoral.duckdb``); every route makes one ``electoral.api`` call. A library error
    becomes a JSON answer: 404 for what is not stored, 422 for a bad request (``ElectoralError``
    handler), never a 500 with a traceback."""
    app = FastAPI(title="electoral", summary="Election results, tabulated and checked.")

    @contextmanager
    def store() -> Iterator[ResultsStore]:
        # One read-only connection per request: the API never writes, and holds the file only
        # while it answers, so a CLI can write to it between requests.
        with api.open_store(db) as opened:
            yield opened

    @app.exception_handler(ElectoralError)
    async def electoral_error(_request: Request, exc: ElectoralError) -> JSONResponse:
        status = 404 if isinstance(exc, NotFoundError) else 422
        problems = [str(p) for p in exc.problems] if isinstance(exc, ValidationError) else []
        return JSONResponse({"error": str(exc), "problems": problems}, status_code=status)

    @app.get("/elections")
    def elections() -> list[dict[str, object]]:
        with store() as s:
            return [{"id": e.id, "year": e.year, "state": e.state, "office": e.office,
                     "units": e.units, "counts": e.counts, "source": e.source}
                    for e in api.elections(s)]

    @app.get("/elections/{election}/imports")
    def imports(election: str) -> list[dict[str, object]]:
        with store() as s:
            return [{"source": r.source, "sha256": r.sha256, "format": r.format,
                     "imported_at": r.imported_at.isoformat(), "rows": r.rows}
                    for r in api.imports(s, election)]

    @app.get("/elections/{election}/results")
    def results(election: str, by: str = "state", compare: str | None = None) -> Response:
        with store() as s:
            view = api.results(s, election, by, compare)
        return JSONResponse(api.results_document(view))

    @app.get("/elections/{election}/results.{fmt}")
    def results_as(election: str, fmt: str, by: str = "state",
                   compare: str | None = None) -> Response:
        if fmt not in MEDIA:
            raise ValidationError([Problem("unknown-format", f"unknown format {fmt!r}; use one "
                                           f"of {', '.join(MEDIA)}", field="format")])
        with store() as s:
            view = api.results(s, election, by, compare)
        return PlainTextResponse(api.render_results(view, fmt), media_type=MEDIA[fmt])

    return app
