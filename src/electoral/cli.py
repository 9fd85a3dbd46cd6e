"""The command line: a thin Typer + Rich layer over the library. No logic lives here.

Every command opens the store, calls one library function, prints, and turns a library error into
exit code 1 (usage mistakes exit 2, through Typer).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from electoral.errors import ElectoralError, ValidationError
from electoral.store import Store

app = typer.Typer(
    name="electoral",
    help="Official-grade election results from raw returns: import, tabulate, check, publish.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Results database file (default: $ELECTORAL_DB, else ./electoral.duckdb).",
                 show_default=False),
]


def fail(exc: ElectoralError) -> typer.Exit:
    """Print a library error the way a user can act on it, and choose exit code 1."""
    if isinstance(exc, ValidationError):
        err_console.print(f"[bold red]error:[/] {len(exc.problems)} problem(s)")
        for problem in exc.problems[:50]:
            err_console.print(f"  {problem}", markup=False)
        if len(exc.problems) > 50:
            err_console.print(f"  … and {len(exc.problems) - 50} more")
    else:
        err_console.print(f"[bold red]error:[/] {exc}")
    return typer.Exit(1)


@contextmanager
def handled() -> Iterator[None]:
    try:
        yield
    except ElectoralError as exc:
        raise fail(exc) from None


@contextmanager
def opened(db: Path | None) -> Iterator[Store]:
    """The store, open for the length of a command; library errors become exit code 1."""
    with handled():
        store = Store(db)
    with handled(), store:
        yield store


def emit(text: str, out: Path | None) -> None:
    """Write ``text`` to ``out``, or print it raw to stdout."""
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {out}")


# ---- results: import, elections, report, check, demo ------------------------------------------

# ---- end of results commands ------------------------------------------------------------------


def main() -> None:
    app()


if __name__ == "__main__":
    main()
