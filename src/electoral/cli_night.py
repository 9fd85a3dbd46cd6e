"""The election-night commands: ``publish``, ``serve``, ``push``, ``token …`` and ``audit …``
(issue 12), as thin as the rest of the command line: each opens the store through ``api`` (or
talks to a running server), makes one call, and prints.

``electoral.cli`` registers ``COMMANDS`` and ``GROUPS`` on the app, where ``electoral --help``
has always listed them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from electoral.cli_common import (
    DbOption,
    ElectionOption,
    PublicOption,
    ReplaceOption,
    console,
    handled,
    opened,
    say,
    served,
)
from electoral.formats import TextOrJson

if TYPE_CHECKING:
    from electoral.api import NightStore


def publish(
    db: DbOption = None,
    public: PublicOption = Path("public"),
    keep: Annotated[int, typer.Option(min=1, help="Versions to keep.")] = 20,
) -> None:
    """Publish every stored election as a new immutable version under --public (summary.json,
    per level JSON and CSV, NIST SP 1500-100 JSON, a map) and point current_ver.txt at it."""
    from electoral import api

    with opened(db) as store:
        version = api.publish(store, public, keep=keep)
    say(f"published version {version} in {public}", to=console())


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    public: Annotated[Path | None, typer.Option(
        help="Public folder: a version of the results is published into it after every "
        "accepted change and served beside the API (new versions pushed at /api/v1/events); "
        "with --nginx, nginx serves it.",
        show_default=False)] = None,
    nginx: Annotated[bool, typer.Option(
        "--nginx", help="Serve --public with nginx in the foreground (config written to "
        "--nginx-dir) instead of the API.")] = False,
    nginx_dir: Annotated[Path | None, typer.Option(
        help="nginx's private folder: config, pid, logs (default: beside --public).",
        show_default=False)] = None,
    fronts: Annotated[int | None, typer.Option(
        min=0, help="With --public: processes that serve the public folder themselves and pass "
        "every other request to the one that owns the store (0: that one serves all; default "
        "2).", show_default=False)] = None,
) -> None:
    """Serve the results API from the store, and own it: while it runs, files reach the store
    only through it (`electoral push`)."""
    if nginx:
        _serve_nginx(public, nginx_dir, host, port)
        return
    try:
        from electoral.server.app import run
    except ImportError as exc:
        say(f"{exc.name} is not installed; pip install 'electoral[server]'", error=True)
        raise typer.Exit(1) from None

    with opened(db):
        pass  # a missing, foreign or already served --db is said now, not on every request
    def ready(url: str) -> None:
        shown = f"; public folder {public}" if public is not None else ""
        say(f"electoral serve: {db or 'the store'} at {url}{shown} (Ctrl-C stops)", to=console())

    with handled():
        run(db, host, port, public, fronts, ready)


def _serve_nginx(public: Path | None, nginx_dir: Path | None, host: str, port: int) -> None:
    from electoral.server.nginx import running_nginx

    if public is None:
        raise typer.BadParameter("--nginx serves a public folder: give --public DIR")
    prefix = nginx_dir or public.resolve().parent / f".{public.resolve().name}-nginx"
    with handled(), running_nginx(public, prefix, port=port, host=host) as server:
        say(f"nginx serves {public} at {server.url} (config {prefix / 'nginx.conf'}; Ctrl-C stops)",
            to=console())
        with suppress(KeyboardInterrupt):
            server.process.wait()


def push(
    files: Annotated[list[Path], typer.Argument(help="Files of returns to send.", exists=False)],
    server: Annotated[str, typer.Option(help="The address `electoral serve` printed.")],
    token: Annotated[str, typer.Option(help="An ingest token (`electoral token add`).",
                                       envvar="ELECTORAL_TOKEN")],
    election: ElectionOption = None,
    replace: ReplaceOption = False,
) -> None:
    """Send files of returns to a running `electoral serve`, one ingest each, in order (per-county
    files add up as in `import`); stops at the first the server refuses (exit 1). A file sent
    again is answered as the first time and counted once."""
    import hashlib

    import httpx

    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            say(f"cannot read {path}: {exc.strerror or exc}", error=True)
            raise typer.Exit(1) from None
        # the same file to the same election is one ingest however often it is sent
        key = hashlib.sha256(b"%s\0%s\0%s" % (data, path.name.encode(),
                                              str((election, replace)).encode())).hexdigest()
        try:
            answer = httpx.post(
                f"{server.rstrip('/')}/api/v1/" + (f"elections/{election}/" if election else "")
                + "results",
                params={"replace": "true"} if replace else None, content=data, timeout=300,
                headers={"Authorization": f"Bearer {token}", "X-Filename": path.name,
                         "Idempotency-Key": key})
        except httpx.HTTPError as exc:
            say(f"cannot reach {server}: {exc}", error=True)
            raise typer.Exit(1) from None
        body: dict[str, Any] = answer.json() if answer.headers.get("content-type", "").startswith(
            "application/json") else {"error": answer.text, "problems": []}
        if answer.status_code != 200:
            say(f"{path.name}: {body.get('error')} ({answer.status_code})", error=True)
            report = body.get("report") or {}
            for problem in [*report.get("problems", []), *(p for e in report.get("elections", [])
                                                         for p in e.get("problems", []))][:50]:
                say(f"  {problem.get('file') or path.name}:{problem.get('line') or ''} "
                    f"{problem.get('detail')}")
            raise typer.Exit(1)
        again = " (sent before; counted once)" if answer.headers.get("idempotent-replayed") else ""
        say(f"{path.name}: results version {body['version']}{again}", to=console())


token_app = typer.Typer(help="Tokens that may change a served store: add, list, revoke.",
                        no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained log of every change and refusal.",
                        no_args_is_help=True)


@contextmanager
def night_store(db: Path | None, *, write: bool = False) -> Iterator[NightStore]:
    """``opened`` with the election-night tables."""
    from electoral import api

    with served(db, write=write):
        store = api.open_night_store(db, write=write)
    with handled(), store:
        yield store


@token_app.command("add")
def token_add(
    name: Annotated[str, typer.Argument(help="Who holds the token, e.g. kent-county.")],
    role: Annotated[str, typer.Option(help="ingest, call, certify or admin.")],
    scope: Annotated[list[str] | None, typer.Option(
        help="County FIPS code the token may change (repeat for several); none: all.")] = None,
    db: DbOption = None,
) -> None:
    """Make a token and print it, once: only its hash is stored."""
    from electoral import api

    with night_store(db, write=True) as store:
        secret = api.add_token(store, name, role, scope or ())
    console().print(secret, soft_wrap=True)
    say(f"token {name} ({role}) made; it is shown only now")


@token_app.command("list")
def token_list(db: DbOption = None) -> None:
    """Every token: name, role, scope, when made, whether revoked (never the token)."""
    from electoral import api

    with night_store(db) as store:
        rows = api.tokens(store)
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "live"
        say(f"{row.name}\t{row.role}\t{','.join(row.scope) or 'all'}\t"
            f"{row.created_at:%Y-%m-%d %H:%M}\t{state}", to=console())


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """Refuse the token ``name`` from now on."""
    from electoral import api

    with night_store(db, write=True) as store:
        api.revoke_token(store, name)
    say(f"token {name} revoked")


@audit_app.command("verify")
def audit_verify(
    db: DbOption = None,
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="Also re-import the logged files into a scratch store and compare.")
    ] = False,
) -> None:
    """Check every entry's hash and link, and the store against the log (its last entries,
    results versions, calls, certifications, expected votes); exit 1 naming the first that does
    not match. Elections stored before the store had a log are named, not failed."""
    from electoral import api

    with night_store(db) as store:
        verdict = api.audit_verify(store, rebuild)
    if verdict.uncovered:
        say("not covered by the audit log (stored before it began): "
            f"{', '.join(verdict.uncovered)}", to=console())
    if not verdict.ok:
        say(verdict.line(), error=True)
        raise typer.Exit(1)
    say(f"{verdict.entries} audit entries verified" + (" and rebuilt" if rebuild else ""),
        to=console())


@audit_app.command("log")
def audit_log(
    db: DbOption = None,
    fmt: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.TEXT,
) -> None:
    """List the audit log: number, time, token, action, election, file sha256, hash."""
    from electoral import api

    with night_store(db) as store:
        text = api.audit_log(store, fmt)
    sys.stdout.write(text)


COMMANDS = (publish, serve, push)
GROUPS = {"token": token_app, "audit": audit_app}
