"""What every part of the command line shares: the one Typer app, Rich's consoles, printing,
errors, the store opened for a command, progress, output, and the options several commands take.

``electoral.cli`` registers the commands on ``app`` (its own, ``cli_night``'s, ``cli_polls``'s and
``cli_rla``'s), in the order ``electoral --help`` lists them. Nothing heavy is imported at the top:
DuckDB, pyarrow and numpy load only inside the commands that use them, so ``--help`` is quick.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from electoral.errors import ElectoralError

if TYPE_CHECKING:
    from rich.console import Console

    from electoral.api import ResultsStore

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

    with served(db, write=write):
        store = api.open_store(db, write=write, empty_if_missing=empty_if_missing)
    with handled(), store:
        yield store


@contextmanager
def served(db: Path | None, *, write: bool = False) -> Iterator[None]:
    """``handled``, where a store that cannot be opened because `electoral serve` holds it says
    so, with the server's address and what to do instead of the lock error: read through the
    server's API, send files with `electoral push`, or stop the server for other changes."""
    from electoral import api
    from electoral.errors import StoreError

    try:
        yield
    except StoreError as exc:
        url = api.served_by(db)
        if url is None:
            raise fail(exc) from None
        where = f"{db or 'the store'} is served by electoral serve at {url}"
        if write:
            say(f"{where}; send files with `electoral push FILE… --server {url} --token T`; "
                "other changes wait until the server stops", error=True)
        else:
            say(f"{where}; read it there ({url}/elections, {url}/api/v1/elections/ID/status, "
                f"the public folder's files) or after the server stops", error=True)
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


OutOption = Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")]
PublicOption = Annotated[Path, typer.Option(
    help="The public folder: current_ver.txt, the version folders, the live page.")]
ElectionOption = Annotated[str | None, typer.Option(
    help="Election id (e.g. 2004-CT-president) for files whose name does not say it.")]
ReplaceOption = Annotated[bool, typer.Option(
    "--replace", help="Replace stored units of the same election (the output says which).")]


def as_of_day(text: str | None) -> dt.date | None:
    """The date an ``--as-of`` option gives (``None``: not given).

    Raises:
        typer.BadParameter: not a date YYYY-MM-DD (exit code 2).
    """
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date YYYY-MM-DD", param_hint="--as-of") from None

