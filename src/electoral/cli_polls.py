"""The poll and forecast commands: ``polls import|list|average`` and ``forecast [backtest]``,
as thin as the rest of the command line. ``electoral.cli`` registers ``GROUPS`` on the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from electoral.cli_common import (
    DbOption,
    OutOption,
    as_of_day,
    console,
    emit,
    handled,
    opened,
    progress,
    say,
)
from electoral.formats import ForecastFormat, PollsFormat, TextOrJson


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

    day = as_of_day(as_of)
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

    day = as_of_day(as_of)
    if files:
        with handled():
            text = api.render_polls(api.poll_averages(files, state, day), fmt)
    else:
        with opened(db) as store:
            text = api.render_polls(api.poll_averages([], state, day, store=store), fmt)
    emit(text, out)


# ---- forecast ------------------------------------------------------------------------------------

forecast_app = typer.Typer(
    help="An Electoral College forecast from polls (each state's win probability, the electoral-vote "
    "distribution, P(win), P(269–269), tipping points, ratings), and its back-test.",
    rich_markup_mode=None)

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
        result = api.forecast(store, polls or [], year, as_of_day(as_of), sims, seed)
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
    day = as_of_day(as_of)
    cutoffs = {presidential_year(day): day} if day else {}
    with opened(db) as store:
        result = api.backtest(store, polls or [], chosen, cutoffs, sims, seed)
    emit(api.render_backtest(result, fmt), out)
    if figures is not None:
        with handled():
            for path in api.backtest_figures(result, figures):
                say(f"wrote {path}")


GROUPS = {"polls": polls_app, "forecast": forecast_app}
