"""What every answer of the server keeps to (issue 12, "Serving hygiene"):

- an error is ``{"error": message, "code": stable-name, "problems": [...]}``, never a path, a
  process id, a traceback or a library's internals (``install_errors``); a store held too long
  by another request is 503 with ``Retry-After``;
- HEAD answers wherever GET does, with GET's headers and no body; every GET answer carries an
  ``ETag`` (a hash of its body) and ``Cache-Control``, and ``If-None-Match`` with that tag gets
  304 (``Caching``).
"""

from __future__ import annotations

import hashlib
import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from electoral.errors import (
    CertifiedError,
    ElectoralError,
    NotFoundError,
    StoreError,
    ValidationError,
)
from electoral.night import NightError
from electoral.server.owner import Busy, Unavailable

log = logging.getLogger("electoral.server")

# what a StoreError says when the store, not the request, is at fault (store._REASONS)
_UNAVAILABLE = ("another program", "disk is full", "damaged", "permission denied", "read-only",
                "another version")
# POSIX paths of two segments or more but the server's own routes; C:\…
_PATH = re.compile(r"(?<![\w.:/])(?:~|\.{1,2})?/(?!api/|elections/)(?:[^\s/;:,'\"()]+/)+"
                   r"[^\s;:,'\"()]*|[A-Za-z]:\\[^\s;:,'\"]+")
_PID = re.compile(r"\b(?:PID|pid|process id|process)\s*[:=]?\s*\d+\b")

# Results change as they arrive: a client may keep an answer but asks again each time (the ETag
# makes the asking cheap). Errors are not kept at all.
FRESH = "no-cache"
ERRORS = "no-store"


def error(status: int, code: str, message: str, problems: list[str] | None = None,
          headers: dict[str, str] | None = None,
          report: dict[str, object] | None = None) -> JSONResponse:
    """The error body; ``report``: a refused file's import report (docs/import-json.md)."""
    more = {"report": report} if report else {}
    return JSONResponse({"error": scrub(message), "code": code,
                         "problems": [scrub(p) for p in problems or []], **more},
                        status_code=status, headers=headers)


def scrub(text: str) -> str:
    """``text`` with what would show the server's insides taken out: a file path (two or more
    ``/`` segments; the server's routes, ``/elections/…`` and ``/api/…``, stay) and a process
    id. The last guard:
    each error is worded for a client where it is raised; this catches a library's message
    that names a file (DuckDB's lock error names the file and the holder's PID)."""
    return _PID.sub("another process", _PATH.sub("(a server file)", text))


def install_errors(app: FastAPI) -> None:
    """Every error the app can meet, as the JSON error body (see the module docstring)."""

    @app.exception_handler(ElectoralError)
    async def electoral_error(_request: Request, exc: ElectoralError) -> JSONResponse:
        if isinstance(exc, NightError):
            return error(exc.status, exc.code, str(exc), report=exc.body)
        if isinstance(exc, CertifiedError):
            return error(409, exc.code, str(exc), [str(exc)])
        if isinstance(exc, NotFoundError):
            return error(404, "not-found", str(exc))
        if isinstance(exc, ValidationError):
            problems = [str(p) for p in exc.problems]
            return error(422, exc.problems[0].code if exc.problems else "invalid",
                         "; ".join(problems[:5]) or "invalid request", problems)
        if isinstance(exc, StoreError):
            log.error("store error: %s", exc)
            if any(word in str(exc) for word in _UNAVAILABLE):
                return error(503, "store-unavailable", "the results store could not do this now; "
                             "nothing was changed", headers={"Retry-After": "5"})
            # a refusal of the data (a candidate id given another party): said, the file's
            # path left out
            return error(409, "store-refused", str(exc))
        return error(422, "invalid", str(exc))

    @app.exception_handler(Unavailable)
    async def unavailable(_request: Request, exc: Unavailable) -> JSONResponse:
        return error(503, exc.code, str(exc), headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(Busy)
    async def busy(_request: Request, exc: Busy) -> JSONResponse:
        return error(503, "busy", "the results store is busy; try again shortly",
                     headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        codes = {404: "not-found", 405: "method-not-allowed"}
        return error(exc.status_code, codes.get(exc.status_code, f"http-{exc.status_code}"),
                     str(exc.detail), headers=dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
                    for e in exc.errors()]
        return error(422, "invalid", "; ".join(problems[:5]) or "invalid request", problems)

    @app.exception_handler(Exception)
    async def internal(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error", exc_info=exc)
        return error(500, "internal", "internal error; nothing was changed")


class Caching:
    """HEAD as GET without the body; ETag, Cache-Control and 304 on GET (see the module
    docstring). Answers are buffered whole: the API's are small JSON and text documents; an
    event stream (``text/event-stream``) is passed on unbuffered and untagged."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []
        streamed = False

        async def keep(message: Message) -> None:
            nonlocal streamed
            if message["type"] == "http.response.start":
                start.update(message)
                media = MutableHeaders(raw=list(message.get("headers", []))).get("content-type", "")
                # an event stream never ends: it is passed on as it comes, never buffered
                streamed = media.startswith("text/event-stream")
            if streamed:
                await send(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(dict(scope, method="GET"), receive, keep)
        if streamed:
            return
        body, status = b"".join(chunks), int(start["status"])
        headers = MutableHeaders(raw=list(start.get("headers", [])))
        if status == 200:
            tag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
            headers["ETag"] = tag
            if "cache-control" not in headers:
                headers["Cache-Control"] = FRESH
            asked = Headers(scope=scope).get("if-none-match", "")
            if tag in [t.strip() for t in asked.split(",")] or asked.strip() == "*":
                status, body = 304, b""
                for name in ("content-length", "content-type"):
                    if name in headers:
                        del headers[name]
        elif "cache-control" not in headers:
            headers["Cache-Control"] = ERRORS
        if status != 304:
            headers["Content-Length"] = str(len(body))
        await send({"type": "http.response.start", "status": status, "headers": headers.raw})
        await send({"type": "http.response.body",
                    "body": b"" if scope["method"] == "HEAD" else body})
