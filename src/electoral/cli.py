"""The command line: a thin Typer + Rich layer over ``electoral.api``. No logic lives here.

Every command opens the store through ``api``, makes one ``api`` call, prints, and turns a library
error into exit code 1 (usage mistakes exit 2, through Typer). Option types are the library's own
enums (``electoral.formats``, ``electoral.rcv.rules``). Nothing heavy is imported at the top:
DuckDB, pyarrow and numpy load only inside the commands that use them, so ``--help`` is quick.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from electoral.errors import ElectoralError, ValidationError
from electoral.formats import (
    ElectorsFormat,
    ExportFormat,
    ForecastFormat,
    MapKind,
    MapLevel,
    OutputFormat,
    Palette,
    PollsFormat,
    ReportLevel,
    TextOrJson,
)

if TYPE_CHECKING:
    from rich.console import Console

    from electoral.api import NightStore, ResultsStore

app = typer.Typer(
    name="electoral",
    help="Official-grade election results from raw returns: import, tabulate, check, publish.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Click's plain help and usage errors: Typer's Rich formatting imports Markdown and syntax
    # highlighting, which would more than double the time `--help` takes.
    rich_markup_mode=None,
)


@cache
def console() -> Console:
    """Rich's console on stdout, made on first use (importing Rich's console costs start-up).
    Strings printed are never read as markup or emoji codes: they quote names, paths and arguments
    (data: "[/]" in a file name crashed Rich's markup parser); styling goes in ``Text`` objects."""
    from rich.console import Console
    return Console(highlight=False, markup=False, emoji=False)


@cache
def err_console() -> Console:
    """Rich's console on stderr: errors, progress and "wrote FILE" lines."""
    from rich.console import Console
    return Console(stderr=True, highlight=False, markup=False, emoji=False)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Results database file (default: $ELECTORAL_DB, else ./electoral.duckdb).",
                 show_default=False),
]


def _version(value: bool) -> None:
    if value:
        import electoral

        console().print(f"electoral {electoral.__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    show_version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Official-grade election results from raw returns: import, tabulate, check, publish."""


def say(text: str, *, error: bool = False, to: Console | None = None) -> None:
    """Print ``text`` (which may quote names, paths or arguments: data) literally: never read as
    Rich markup, escape sequences and control characters stripped. ``error`` prefixes a red
    ``error:``; ``to`` defaults to stderr."""
    from rich.text import Text

    from electoral.io.escaping import on_screen

    line = Text(on_screen(text))
    if error:
        line = Text.assemble(("error:", "bold red"), " ", line)
    (to or err_console()).print(line, soft_wrap=True)


def fail(exc: ElectoralError) -> typer.Exit:
    """Print a library error the way a user can act on it, and choose exit code 1."""
    from electoral.cli_rcv import problem_lines

    for number, line in enumerate(problem_lines(exc)):
        say(line, error=number == 0)
    return typer.Exit(1)


@contextmanager
def handled() -> Iterator[None]:
    try:
        yield
    except ElectoralError as exc:
        raise fail(exc) from None


@contextmanager
def opened(db: Path | None, *, write: bool = False,
           empty_if_missing: bool = False) -> Iterator[ResultsStore]:
    """The store, open for the length of a command (read-only unless ``write``: a read command
    on a missing file says so and makes none); library errors, and DuckDB's through the store,
    become exit code 1."""
    from electoral import api

    with served(db):
        store = api.open_store(db, write=write, empty_if_missing=empty_if_missing)
    with handled(), store:
        yield store


@contextmanager
def served(db: Path | None) -> Iterator[None]:
    """``handled``, where a store that cannot be opened because `electoral serve` holds it says
    so, with the server's address and how to send it files, instead of the lock error."""
    from electoral import api
    from electoral.errors import StoreError

    try:
        yield
    except StoreError as exc:
        url = api.served_by(db)
        if url is None:
            raise fail(exc) from None
        say(f"{db or 'the store'} is served by electoral serve at {url}; use `electoral push "
            f"FILE… --server {url} --token T`", error=True)
        raise typer.Exit(1) from None
    except ElectoralError as exc:
        raise fail(exc) from None


@contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Callable[[int, int], None]]:
    """A Rich progress bar on stderr for long work, shown only when stderr is a terminal (never
    in pipes, files or tests). Yields ``update(done, total)``; with ``total`` None the bar is a
    spinner with the time elapsed until the block ends."""
    if not err_console().is_terminal:
        yield lambda _done, _total: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    counted = [BarColumn(), MofNCompleteColumn()] if total is not None else []
    columns = [SpinnerColumn(), TextColumn("{task.description}"), *counted, TimeElapsedColumn()]
    with Progress(*columns, console=err_console(), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, of: bar.update(task, completed=done, total=of)


def emit(text: str, out: Path | None) -> None:
    """Write ``text`` to ``out`` (atomically, never through a link: ``io.outfile.write_file``;
    says whether it replaced a file), or print it to stdout: as it is into a pipe or file, with
    escape sequences and control characters stripped on a terminal. A file that cannot be
    written is a one-line error and exit code 1."""
    if out is None:
        if sys.stdout.isatty():
            from electoral.io.escaping import screen_output
            text = screen_output(text)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    from electoral.io.outfile import write_file

    with handled():
        replaced = write_file(out, text)
    say(f"{'replaced' if replaced else 'wrote'} {out}")


# ---- results: import, elections, report, check, demo ------------------------------------------

PublicOption = Annotated[Path, typer.Option(
    help="The public folder: current_ver.txt, the version folders, the live page.")]

FormatChoice = Annotated[str | None, typer.Option(
    "--format", "-f", help="json or text: what the import prints (input format detected); or the "
                           "input format (openelections, clarity, …).")]
ElectionOption = Annotated[str | None, typer.Option(
    help="Election id (e.g. 2004-CT-president) for files whose name does not say it.")]
AliasesOption = Annotated[Path | None, typer.Option(
    help="CSV spelling,candidate: spellings that are that candidate.")]
ContestOption = Annotated[str | None, typer.Option(
    help="The contest title to read, where a file has several.")]
ReplaceOption = Annotated[bool, typer.Option(
    "--replace", help="Replace stored units of the same election (the output says which).")]
SkipOption = Annotated[bool, typer.Option(
    "--skip-existing", help="Leave what is stored of the election as it is.")]
EncodingOption = Annotated[str | None, typer.Option(
    help="The files' text encoding (e.g. cp1252), where it is not UTF-8 or UTF-16 with a BOM.")]
OUTPUTS = ("json", "text")


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="Files of returns to import.", exists=False)],
    db: DbOption = None,
    fmt: FormatChoice = None,
    election: ElectionOption = None,
    aliases: AliasesOption = None,
    contest: ContestOption = None,
    replace: ReplaceOption = False,
    skip_existing: SkipOption = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Say what would be stored, store nothing (= audit-import).")] = False,
    encoding: EncodingOption = None,
) -> None:
    """Import returns. All files are read together (one file per county adds up to one election)
    and stored in one transaction: a problem in any file stores nothing (exit 1)."""
    _import(files, db, fmt, election, aliases, contest, replace, skip_existing, dry_run, encoding)


@app.command("audit-import")
def audit_import(
    files: Annotated[list[Path], typer.Argument(help="Files of returns to audit.", exists=False)],
    db: DbOption = None,
    fmt: FormatChoice = None,
    election: ElectionOption = None,
    aliases: AliasesOption = None,
    contest: ContestOption = None,
    replace: ReplaceOption = False,
    skip_existing: SkipOption = False,
    encoding: EncodingOption = None,
) -> None:
    """What `import` would count, merge, leave out and flag, against the current store, without
    storing anything; exit 1 when a problem is found."""
    _import(files, db, fmt, election, aliases, contest, replace, skip_existing, True, encoding)


def _import(files: list[Path], db: Path | None, fmt: str | None, election: str | None,
            aliases: Path | None, contest: str | None, replace: bool, skip_existing: bool,
            dry_run: bool, encoding: str | None = None) -> None:
    import codecs

    from electoral import api

    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise typer.BadParameter(f"{encoding!r} is no text encoding (e.g. utf-8, cp1252, "
                                     "latin-1)", param_hint="--encoding") from None

    output = fmt if fmt in OUTPUTS else "text"
    source_format = None if fmt in OUTPUTS else fmt
    if source_format is not None:
        try:
            api.input_format(source_format)
        except ValidationError as exc:
            raise typer.BadParameter(f"{exc.problems[0].message}, json, text",
                                     param_hint="--format") from None
    if replace and skip_existing:
        raise typer.BadParameter("--replace and --skip-existing exclude each other",
                                 param_hint="--replace")
    # a dry run reads the store, and against a store not made yet audits as if it were empty
    with opened(db, write=not dry_run, empty_if_missing=dry_run) as store, \
            progress(f"reading {len(files)} file(s)"):
        report = api.import_paths(store, files, source_format, election, aliases=aliases,
                                  contest=contest, replace=replace, skip_existing=skip_existing,
                                  dry_run=dry_run, encoding=encoding)
    if output == "json":
        import json
        sys.stdout.write(json.dumps(report.json(), indent=2, ensure_ascii=False) + "\n")
    for line in report.text():
        say(line, to=err_console() if output == "json" else console())
    if report.failed:
        say("nothing was stored" if not dry_run else "problems found", error=True)
        raise typer.Exit(1)


@app.command()
def elections(db: DbOption = None) -> None:
    """List the elections in the store, with where each came from."""
    from rich.table import Table
    from rich.text import Text

    from electoral import api
    from electoral.io.escaping import on_screen

    with opened(db) as store:
        rows = api.elections(store)
    table = Table("election", "units", "counts", "source")
    for row in rows:
        # ids and sources are data (a file name may hold "[/]"): Text, never markup
        table.add_row(*(Text(on_screen(c)) for c in (row.id, f"{row.units:,}", f"{row.counts:,}",
                                                     row.source)))
    console().print(table if rows else "no elections stored yet: `electoral import FILE` adds one")


@app.command()
def report(
    election: Annotated[str, typer.Argument(help="Election id, e.g. 2004-MA-president.")],
    by: Annotated[ReportLevel, typer.Option(help="Level of the rows.")] = ReportLevel.STATE,
    compare: Annotated[str | None, typer.Option(
        help="An earlier election to compare with: flips and swing.")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.TEXT,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    columns: Annotated[str | None, typer.Option(
        help="all (every candidate; the json and csv default) or leaders (the two leading "
             "candidates per unit and \"other\"; the text, md, wiki and html default).",
        show_default=False)] = None,
    assume_complete: Annotated[bool, typer.Option(
        "--assume-complete", help="Declare the winner although units are missing.")] = False,
    with_forecast: Annotated[bool, typer.Option(
        "--forecast", help="With --format html --out DIR: add the Electoral College forecast of "
        "the election's year from the stored polls (histogram, probability map, ratings).")
    ] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="With --forecast: use the polls ending by this date (YYYY-MM-DD).",
        show_default=False)] = None,
    db: DbOption = None,
) -> None:
    """A results table with percentages, margins, "other" and totals. With --format html and
    --out DIR: a self-contained results page (maps, tables, downloads) in DIR, and with --forecast
    the forecast of its year. While units are missing the report says which, and declares no
    winner (unless --assume-complete)."""
    from electoral import api

    page_wanted = fmt == OutputFormat.HTML and out is not None and (out.is_dir() or not out.suffix)
    if (with_forecast or as_of) and not page_wanted:
        raise typer.BadParameter("--forecast and --as-of go with --format html --out DIR (a page)",
                                 param_hint="--forecast")
    if page_wanted and out is not None:
        existed = (out / "index.html").exists()
        day = _day(as_of)
        with opened(db) as store, progress(f"writing the page of {election}") as update:
            result = api.election_forecast(store, election, day) if with_forecast else None
            page = api.write_page(store, election, out, compare_with=compare or "auto",
                                  progress=update, assume_complete=assume_complete,
                                  forecast=result)
        say(f"{'replaced' if existed else 'wrote'} {page}")
        return
    with opened(db) as store:
        text = api.report(store, election, by, compare, fmt, columns=columns,
                          assume_complete=assume_complete)
    emit(text, out)


@app.command()
def check(
    files: Annotated[list[Path] | None, typer.Argument(help="Articles or sample files to check.",
                                                       show_default=False)] = None,
    fmt: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.TEXT,
    list_: Annotated[bool, typer.Option("--list", help="List every check and its rule.")] = False,
) -> None:
    """Recompute every published figure; exit 1 if any is wrong (rounding slips alone exit 0)."""
    from electoral import api

    if list_:
        sys.stdout.write(api.list_checks(fmt))
        return
    if not files:
        raise typer.BadParameter("name at least one file to check (or --list)", param_hint="FILES")
    with handled():
        found = api.check_paths(files)
    sys.stdout.write(api.render_check(found, fmt))
    if api.has_errors(found):
        raise typer.Exit(1)


@app.command()
def demo(
    db: DbOption = None,
    out: Annotated[Path, typer.Option(help="Folder for the demo's pages.")] = Path("out"),
    live: Annotated[bool, typer.Option(
        "--live", help="Replay an election night: counties report in batches into a public "
        "folder, served with the live page.")] = False,
    public: PublicOption = Path("live"),
    host: Annotated[str, typer.Option(help="With --live: address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="With --live: port to listen on.")] = 8000,
    batches: Annotated[int, typer.Option(min=1, help="With --live: batches of counties.")] = 10,
    interval: Annotated[float, typer.Option(min=0, help="With --live: seconds between batches.")
                        ] = 3.0,
    keep_serving: Annotated[bool, typer.Option(
        help="With --live: keep serving after the last batch, until Ctrl-C.")] = True,
) -> None:
    """Load the bundled sample elections and show what electoral does with them."""
    if live:
        _live_demo(public, host, port, batches, interval, keep_serving)
        return
    from electoral.demo import run_demo

    with opened(db, write=True) as store:
        run_demo(store, console(), out)


def _live_demo(public: Path, host: str, port: int, batches: int, interval: float,
               keep_serving: bool) -> None:
    """Replay the night into a fresh store (a temporary folder) while serving ``public``."""
    import tempfile
    import time

    from electoral.demo import Batch, replay_night
    from electoral.report.public import write_live_page
    from electoral.server.public import PublicFiles
    from electoral.server.runner import serving

    def told(batch: Batch) -> None:
        say(f"batch {batch.number} of {batch.of}: {batch.reporting} of {batch.expected} counties "
            f"reporting, version {batch.version}", to=console())

    with handled(), tempfile.TemporaryDirectory(prefix="electoral-night-") as scratch:
        write_live_page(public)
        with serving(PublicFiles(public), host=host, port=port) as url, \
                opened(Path(scratch) / "night.duckdb", write=True) as store:
            say(f"live results at {url} (Ctrl-C stops)", to=console())
            try:
                replay_night(store, public, batches=batches, interval=interval, told=told)
                while keep_serving:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    say("stopped")


@app.command()
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

@app.command()
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
    with handled():
        run(db, host, port, public)


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


@app.command()
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
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")


@contextmanager
def night_store(db: Path | None, *, write: bool = False) -> Iterator[NightStore]:
    """``opened`` with the election-night tables."""
    from electoral import api

    with served(db):
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
    """Check every entry's hash and link; exit 1 naming the first that does not match."""
    from electoral import api

    with night_store(db) as store:
        verdict = api.audit_verify(store, rebuild)
    if not verdict.ok:
        say(f"audit entry {verdict.bad} does not match: {verdict.reason}", error=True)
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

# ---- end of results commands ------------------------------------------------------------------

# ---- electors: apportion, college --------------------------------------------------------------


ElectorsFormatOption = Annotated[ElectorsFormat, typer.Option("--format", "-f")]
OutOption = Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")]


@app.command()
def apportion(
    census: Annotated[int | None, typer.Option(
        help="Census whose apportionment populations to use: 2000, 2010 or 2020 (default 2020).",
        show_default=False)] = None,
    populations: Annotated[Path | None, typer.Option(
        help="What-if populations: a CSV with columns state_po,population for all 50 states.",
        show_default=False)] = None,
    seats: Annotated[int, typer.Option(help="Size of the House.")] = 435,
    fmt: ElectorsFormatOption = ElectorsFormat.TEXT,
    out: OutOption = None,
) -> None:
    """Apportion House seats by the method of equal proportions; electors are seats + 2."""
    from electoral import api

    if census is not None and populations is not None:
        raise typer.BadParameter("give --census or --populations, not both",
                                 param_hint="--populations")
    with handled():
        text = api.apportion(census, populations, seats, fmt)
    emit(text, out)


@app.command()
def college(
    year: Annotated[int, typer.Argument(help="Presidential election year, e.g. 2004.")],
    flip: Annotated[str | None, typer.Option(
        help="Give these states' electors to the runner-up: OH,FL (or a district: NE-02).",
        show_default=False)] = None,
    swing: Annotated[str | None, typer.Option(
        help="Uniform swing of the margin before re-deciding every state: D+2 or R+1.5.",
        show_default=False)] = None,
    state: Annotated[str | None, typer.Option(
        help="Show one state's Electors section instead of the national count.",
        show_default=False)] = None,
    fmt: ElectorsFormatOption = ElectorsFormat.TEXT,
    out: OutOption = None,
    assume_complete: Annotated[bool, typer.Option(
        "--assume-complete", help="Declare a state's electors although units of it are "
        "missing.")] = False,
    db: DbOption = None,
) -> None:
    """The Electoral College for YEAR from the stored state returns: pledged and cast electors,
    the winner or a contingent election, the tipping point and the closest states."""
    from electoral import api

    with opened(db) as store:
        text = api.render_college(api.college(store, year, flip, swing,
                                              assume_complete=assume_complete), fmt, state)
    emit(text, out)

# ---- end of electors commands -------------------------------------------------------------------

# ---- formats and history: history, export ------------------------------------------------------


@app.command()
def history(
    unit: Annotated[str, typer.Argument(
        help='A state (MO), a county FIPS code (29019) or "Boone County, MO".')],
    fmt: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.TEXT,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    db: DbOption = None,
) -> None:
    """One county's or state's record: winners, margins, swing, lean, bellwether, last times."""
    from electoral import api

    with opened(db) as store:
        text = api.render_history(api.history(store, unit), fmt)
    emit(text, out)

@app.command()
def flips(
    state: Annotated[str, typer.Argument(help="A state's USPS code, e.g. MO.")],
    fmt: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.TEXT,
    db: DbOption = None,
) -> None:
    """The counties that flipped between each pair of consecutive stored elections of a state."""
    from electoral import api

    with opened(db) as store:
        text = api.render_flips(state, api.every_flip(store, state), fmt)
    emit(text, None)


@app.command()
def export(
    election: Annotated[str, typer.Argument(help="Election id, e.g. 2004-MO-president.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="nist-json, nist-xml "
                                              "(NIST SP 1500-100 v2) or csv.")] = ExportFormat.CSV,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    db: DbOption = None,
) -> None:
    """Write a stored election as NIST SP 1500-100 v2 JSON or XML, or as electoral's CSV."""
    from electoral import api

    with opened(db) as store:
        text = api.export(store, election, fmt)
    emit(text, out)

@app.command()
def group(
    file: Annotated[Path, typer.Argument(help="CSV of unit,kind,group[,fips] (kind: county, cog "
                                         "or district).")],
    election: Annotated[str, typer.Option(help="The stored election to group, e.g. "
                                          "2016-CT-president.")],
    db: DbOption = None,
) -> None:
    """Place a stored election's units in counties, councils of government or districts."""
    from electoral import api

    with opened(db, write=True) as store:
        grouped, left = api.group(store, election, file)
    say(f"grouped {election}: {len(grouped.units):,} units", to=console())
    for kind, units in left.items():
        kinds = sorted({str(u.kind) for u in units})
        of = sum(1 for u in grouped.units if str(u.kind) in kinds)
        names = ", ".join(u.name for u in units[:10]) + (", …" if len(units) > 10 else "")
        say(f"warning: {len(units):,} of {of:,} {' and '.join(kinds)} units are in no {kind}: "
            f"{names}; their votes are in no {kind}'s row, and no {kind} is complete until "
            f"the groupings file places them", to=err_console())

# ---- end of formats and history -----------------------------------------------------------------

# ---- maps and pages: map (report --format html writes a page) ----------------------------------


def _map_file(out: Path) -> Path:
    if out.suffix.lower() not in (".svg", ".png"):
        raise typer.BadParameter("name the map file .svg or .png", param_hint="--out")
    return out


@app.command("map")
def map_(
    election: Annotated[str, typer.Argument(
        help="Election id, e.g. 2004-MO-president; 2020-US-president puts every stored state's "
             "2020 returns together.")],
    out: Annotated[Path, typer.Option(help="The map file: FILE.svg or FILE.png.",
                                      callback=_map_file)],
    by: Annotated[MapLevel, typer.Option(help="Units to shade.")] = MapLevel.COUNTY,
    kind: Annotated[MapKind, typer.Option(
        help="winner, margin, flips or swing (these two need --compare), or college: the "
             "national Electoral College of the election's year.")] = MapKind.WINNER,
    compare: Annotated[str | None, typer.Option(
        help="The earlier election for a flips or swing map.", show_default=False)] = None,
    palette: Annotated[Palette, typer.Option(
        help="standard (blue/red) or colorblind (blue/vermillion).")] = Palette.STANDARD,
    assume_complete: Annotated[bool, typer.Option(
        "--assume-complete", help="Declare a state's winner (and count its electors on the college "
        "map) although some of its units are missing.")] = False,
    db: DbOption = None,
) -> None:
    """Draw a map: every unit an SVG element with its FIPS and result in data- attributes. A
    state missing some of its units says so, and its electors are not counted."""
    from electoral import api

    with opened(db) as store:
        svg = api.map_svg(store, election, by=by, kind=kind, compare_with=compare,
                          palette=palette, assume_complete=assume_complete)
    existed = out.exists()
    with handled():
        api.write_map(svg, out)
    say(f"{'replaced' if existed else 'wrote'} {out}")

# ---- end of maps and pages ----------------------------------------------------------------------


# ---- ranked-choice: rcv ------------------------------------------------------------------------


class _PollsGroup(TyperGroup):
    """``electoral polls FILE…``, as before the sub-commands: arguments naming no sub-command
    (a file, an option) are those of ``polls average``."""

    # ctx: the Context of the click Typer vendors (typer._click, private), hence Any
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["average", *args]
        return super().parse_args(ctx, args)


polls_app = typer.Typer(
    cls=_PollsGroup, no_args_is_help=True, rich_markup_mode=None,
    help="538 poll files: store them (import), list the stored polls (list), and each state's "
    "weighted average with each pollster's house effect (average; `polls FILE…` is `polls "
    "average FILE…`).")
app.add_typer(polls_app, name="polls")

PollStateOption = Annotated[str | None, typer.Option(
    help="Only this state (USPS code, e.g. PA) or district (ME-02).", show_default=False)]
PollsFormatOption = Annotated[PollsFormat, typer.Option("--format", "-f")]


@polls_app.command("import")
def polls_import(
    files: Annotated[list[Path], typer.Argument(
        help="538 poll files: president_polls.csv (either schema) or raw-polls.csv.")],
    replace: Annotated[bool, typer.Option(
        "--replace", help="A poll another stored file has (same poll id): store this file's.")
    ] = False,
    skip_existing: Annotated[bool, typer.Option(
        "--skip-existing", help="A poll another stored file has: keep the stored one.")] = False,
    fmt: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.TEXT,
    db: DbOption = None,
) -> None:
    """Store poll files in one transaction: any bad row (or a poll id another file holds, unless
    --replace or --skip-existing) stores nothing and exits 1. A file imported again replaces the
    polls it stored before."""
    import json

    from electoral import api

    with opened(db, write=True) as store, progress(f"storing {len(files)} poll file(s)"):
        reports = api.import_polls(store, files, replace=replace, skip_existing=skip_existing)
    if fmt is TextOrJson.JSON:
        emit(json.dumps({"stored": True, "files": [r.json() for r in reports]}, indent=2), None)
        return
    for report in reports:
        say(report.text(), to=console())


@polls_app.command("list")
def polls_list(
    state: PollStateOption = None,
    pollster: Annotated[str | None, typer.Option(
        help="Only pollsters whose name contains this (any case).", show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Only polls ending by this date (YYYY-MM-DD).", show_default=False)] = None,
    fmt: PollsFormatOption = PollsFormat.TEXT,
    out: OutOption = None,
    db: DbOption = None,
) -> None:
    """The stored polls, one row per question (csv: one row per answer, as 538's files), with the
    file and line each came from."""
    from electoral import api

    day = _day(as_of)
    with opened(db) as store:
        text = api.render_poll_list(api.stored_polls(store, state, pollster, day), fmt)
    emit(text, out)


@polls_app.command("average")
def polls_average(
    files: Annotated[list[Path] | None, typer.Argument(
        help="538 poll files: president_polls.csv (either schema) or raw-polls.csv (default: the "
        "stored polls).", show_default=False)] = None,
    state: PollStateOption = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Average the polls ending by this date (YYYY-MM-DD; default: the last).",
        show_default=False)] = None,
    fmt: PollsFormatOption = PollsFormat.TEXT,
    out: OutOption = None,
    db: DbOption = None,
) -> None:
    """Each state's weighted poll average with its 95% interval, and each pollster's house effect,
    from the files given or else the stored polls."""
    from electoral import api

    day = _day(as_of)
    if files:
        with handled():
            text = api.render_polls(api.poll_averages(files, state, day), fmt)
    else:
        with opened(db) as store:
            text = api.render_polls(api.poll_averages([], state, day, store=store), fmt)
    emit(text, out)


@app.command(add_help_option=False,
             context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def rcv(ctx: typer.Context) -> None:
    """Count a ranked-choice contest: an RCTab config (its reports, identical to RCTab's), or
    CVR files (a round-by-round table). `electoral rcv --help` lists its options."""
    # the options are parsed in electoral.cli_rcv (argparse: no pydantic on the count's path)
    from electoral.cli_rcv import run_rcv

    raise typer.Exit(run_rcv(ctx.args))

# ---- end of ranked-choice -------------------------------------------------------------------------

# ---- forecast ------------------------------------------------------------------------------------

forecast_app = typer.Typer(
    help="An Electoral College forecast from polls (each state's win probability, the electoral-vote "
    "distribution, P(win), P(269–269), tipping points, ratings), and its back-test.",
    rich_markup_mode=None)
app.add_typer(forecast_app, name="forecast")

PollFilesOption = Annotated[list[Path] | None, typer.Option(
    "--polls", metavar="FILE", help="538 poll files (president_polls.csv, raw-polls.csv); repeat "
    "the option (default: the stored polls, `electoral polls import`). A year's polls come from "
    "the first file with any for it; earlier years' polls fit the errors.",
    show_default=False)]
AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", help="Use polls ending by this date (YYYY-MM-DD).", show_default=False)]
SimsOption = Annotated[int, typer.Option("--sims", min=1, help="Simulations.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the simulations (same seed, same output).")]
ForecastFormatOption = Annotated[ForecastFormat, typer.Option("--format", "-f")]


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date YYYY-MM-DD", param_hint="--as-of") from None


@forecast_app.callback(invoke_without_command=True)
def forecast(
    ctx: typer.Context,
    polls: PollFilesOption = None,
    year: Annotated[int | None, typer.Option(
        help="Election year (default: the latest the poll files cover).", show_default=False)] = None,
    as_of: AsOfOption = None,
    sims: SimsOption = 100_000,
    seed: SeedOption = 0,
    fmt: ForecastFormatOption = ForecastFormat.TEXT,
    figures: Annotated[Path | None, typer.Option(
        help="Also write the pictures (EC histogram, probability map, averages) into this folder.",
        show_default=False)] = None,
    out: OutOption = None,
    db: DbOption = None,
) -> None:
    """Each state's win probability, the electoral-vote distribution, P(win), P(269–269),
    tipping points and ratings, simulated from the polls, past results in the store and errors
    fit on earlier elections."""
    from electoral import api

    if ctx.invoked_subcommand is not None:
        return
    written: list[Path] = []
    with opened(db) as store:
        result = api.forecast(store, polls or [], year, _day(as_of), sims, seed)
        if figures is not None:
            written = api.forecast_figures(result, polls or [], figures, store=store)
    emit(api.render_forecast(result, fmt), out)
    for path in written:
        say(f"wrote {path}")


@forecast_app.command("backtest")
def forecast_backtest(
    polls: PollFilesOption = None,
    years: Annotated[str, typer.Option(help="Years to score, comma-separated.")] = "2008,2012,2016,2020",
    as_of: AsOfOption = None,
    sims: SimsOption = 100_000,
    seed: SeedOption = 0,
    fmt: ForecastFormatOption = ForecastFormat.TEXT,
    figures: Annotated[Path | None, typer.Option(
        help="Also write the calibration chart into this folder.", show_default=False)] = None,
    out: OutOption = None,
    db: DbOption = None,
) -> None:
    """Score each year's forecast (parameters fit on earlier years only) against the stored
    results: Brier scores, states called, calibration and interval coverage, beside the plain
    baseline. --as-of applies to the election it falls before; other years use election day."""
    from electoral import api
    from electoral.analyze.forecast_fit import presidential_year

    try:
        chosen = [int(y) for y in years.split(",") if y.strip()]
    except ValueError:
        raise typer.BadParameter(f"{years!r} is not a list of years", param_hint="--years") from None
    day = _day(as_of)
    cutoffs = {presidential_year(day): day} if day else {}
    with opened(db) as store:
        result = api.backtest(store, polls or [], chosen, cutoffs, sims, seed)
    emit(api.render_backtest(result, fmt), out)
    if figures is not None:
        with handled():
            for path in api.backtest_figures(result, figures):
                say(f"wrote {path}")


# The audit commands live in their own module; registered here so `electoral rla …` is one app.
from electoral.cli_rla import rla_app  # noqa: E402

app.add_typer(rla_app, name="rla")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
