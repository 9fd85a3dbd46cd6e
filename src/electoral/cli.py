"""The command line: a thin Typer + Rich layer over ``electoral.api``. No logic lives here.

Every command opens the store through ``api``, makes one ``api`` call, prints, and turns a library
error into exit code 1 (usage mistakes exit 2, through Typer). Option types are the library's own
enums (``electoral.formats``, ``electoral.rcv.rules``). Nothing heavy is imported at the top:
DuckDB, pyarrow and numpy load only inside the commands that use them, so ``--help`` is quick.

The app and what the commands share are in ``cli_common``; the election-night commands in
``cli_night``, the poll and forecast commands in ``cli_polls``, the audits in ``cli_rla``; this
module holds the rest and registers theirs, in the order ``electoral --help`` lists them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from electoral import cli_night, cli_polls
from electoral.cli_common import (
    DbOption,
    ElectionOption,
    OutOption,
    PublicOption,
    ReplaceOption,
    app,
    as_of_day,
    console,
    emit,
    err_console,
    handled,
    opened,
    progress,
    say,
)
from electoral.cli_rla import rla_app
from electoral.errors import ValidationError
from electoral.formats import (
    ElectorsFormat,
    ExportFormat,
    MapKind,
    MapLevel,
    OutputFormat,
    Palette,
    ReportLevel,
    TextOrJson,
)

__all__ = ["app", "console", "err_console", "main"]

# ---- results: import, elections, report, check, demo ------------------------------------------

FormatChoice = Annotated[str | None, typer.Option(
    "--format", "-f", help="json or text: what the import prints (input format detected); or the "
                           "input format (openelections, clarity, …).")]
AliasesOption = Annotated[Path | None, typer.Option(
    help="CSV spelling,candidate: spellings that are that candidate.")]
ContestOption = Annotated[str | None, typer.Option(
    help="The contest title to read, where a file has several.")]
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
        day = as_of_day(as_of)
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

# the election-night commands (cli_night), where `--help` has always listed them
for command in cli_night.COMMANDS:
    app.command()(command)

# ---- end of results commands ------------------------------------------------------------------

# ---- electors: apportion, college --------------------------------------------------------------


ElectorsFormatOption = Annotated[ElectorsFormat, typer.Option("--format", "-f")]


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


@app.command(add_help_option=False,
             context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def rcv(ctx: typer.Context) -> None:
    """Count a ranked-choice contest: an RCTab config (its reports, identical to RCTab's), or
    CVR files (a round-by-round table). `electoral rcv --help` lists its options."""
    # the options are parsed in electoral.cli_rcv (argparse: no pydantic on the count's path)
    from electoral.cli_rcv import run_rcv

    raise typer.Exit(run_rcv(ctx.args))

# ---- end of ranked-choice -------------------------------------------------------------------------

# Typer lists the groups after the commands, in the order they are added.
for name, group_app in {**cli_night.GROUPS, **cli_polls.GROUPS, "rla": rla_app}.items():
    app.add_typer(group_app, name=name)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
