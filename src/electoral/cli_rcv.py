"""``electoral rcv``: the ranked-choice command, parsed with the standard library's argparse.

The rest of the command line is Typer (``electoral.cli``), but Typer 0.29 validates every option
through a pydantic ``TypeAdapter``: importing pydantic and building twenty adapters cost about a
quarter of a second, more than a whole count of a million ballots takes (issue 13: the count is
timed as a whole process). So the ``electoral`` script and ``python -m electoral``
(``electoral.__main__.main``) hand ``rcv ...`` straight to ``run_rcv`` and everything else to
Typer; Typer's own ``rcv`` command forwards its arguments here too, so the options are defined
once, in ``parser``.

Exit codes as in the rest of the command line: 0 done, 1 a library error (printed as its
problems, never as a traceback), 2 a usage mistake.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from electoral.errors import ElectoralError, ValidationError

PROG = "electoral rcv"
SHOWN_PROBLEMS = 50  # a file with thousands of bad rows: the first ones say enough


def _at_least(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number no lower than ``low``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} is below the minimum of {low}")
        return value
    return parse


def parser() -> argparse.ArgumentParser:
    """The rcv command's options (choices from the library's own enums)."""
    from electoral.api import OvervoteRule, Provider, Tiebreak
    from electoral.formats import RcvFormat

    p = argparse.ArgumentParser(
        prog=PROG, description="Count a ranked-choice contest: an RCTab config (its reports, "
        "identical to RCTab's), or CVR files (a round-by-round table).")
    p.add_argument("files", nargs="*", type=Path, metavar="FILE",
                   help="CVR files for a quick count, layout found in each: .csv (rank1.. "
                        "columns, or RCTab's generic CSV), .blt, .xlsx ES&S, .json/.xml CDF, a "
                        "folder for Dominion or Hart.")
    p.add_argument("--rctab-config", type=Path,
                   help="An RCTab contest config: count it exactly as RCTab does.")
    p.add_argument("--output", type=Path,
                   help="With --rctab-config: the folder for RCTab's report files.")
    p.add_argument("--rules", help="A jurisdiction's rules: minneapolis, maine, portland-me, "
                   "portland (Oregon), alaska, nyc, sf, burlington, scotland. Options below "
                   "override it.")
    p.add_argument("--seats", type=_at_least(1),
                   help="Seats to fill (more than 1: STV). Default: a BLT file's own, else 1.")
    p.add_argument("--format", dest="fmt", default=RcvFormat.TEXT.value,
                   choices=[f.value for f in RcvFormat],
                   help="text (default), md, wiki, html, csv, json (RCTab's detailed report) "
                        "or svg.")
    p.add_argument("--chart", type=Path,
                   help="Also write an SVG bar chart of the rounds to this file.")
    p.add_argument("--save-config", type=Path,
                   help="Also write the RCTab config that counts these files the same way "
                        "(re-run it with --rctab-config).")
    p.add_argument("--audit", type=Path,
                   help="Write each ballot's path through the rounds to this Parquet file.")
    p.add_argument("--provider", choices=[v.value for v in Provider],
                   help="The CVR format when the file does not tell.")
    p.add_argument("--overvote", choices=[v.value for v in OvervoteRule],
                   help="exhaustImmediately (default), alwaysSkipToNextRank or "
                        "exhaustIfMultipleContinuing.")
    p.add_argument("--skipped-rankings", "--max-skipped", dest="max_skipped",
                   type=_at_least(0),
                   help="Skipped ranks in a row allowed before a ballot exhausts (default: any).")
    p.add_argument("--duplicate-rankings", choices=["skip", "exhaust"],
                   help="A candidate ranked twice: skip the repeat (default) or exhaust the "
                        "ballot.")
    p.add_argument("--batch-elimination", action=argparse.BooleanOptionalAction,
                   help="Drop together every candidate who can no longer win.")
    p.add_argument("--continue-until-two", dest="continue_until_two", action="store_true",
                   default=None, help="Keep counting until two candidates remain.")
    p.add_argument("--stop-at-majority", dest="continue_until_two", action="store_false",
                   help="Stop when a candidate has a majority (the default).")
    p.add_argument("--tiebreak", choices=[v.value for v in Tiebreak],
                   help="How ties are broken: previousRoundCountsThenRandom (default), random, "
                        "useCandidateOrder (the order first met in the files) or "
                        "generatePermutation.")
    p.add_argument("--seed", type=int, help="Seed for random tie-breaks (default 0).")
    p.add_argument("--contest", help="The contest to count in a multi-contest CVR (its id, or "
                   "its name for CDF).")
    return p


def run_rcv(args: Sequence[str]) -> int:
    """Parse ``args`` (what follows ``rcv``), count, print; the exit code.

    Raises:
        SystemExit: 2 on a usage mistake, 0 after ``--help`` (argparse's own).
    """
    p = parser()
    given = p.parse_args(list(args))
    if (given.rctab_config is None) == (not given.files):
        p.error("give either CVR files or --rctab-config")
    if given.rctab_config is not None and given.output is None:
        p.error("--rctab-config needs --output DIR")
    from electoral import api

    try:
        if given.rctab_config is not None:
            for path in api.rcv_config(given.rctab_config, given.output):
                say(f"wrote {path}")
            return 0
        text = api.rcv_count(
            given.files, seats=given.seats, provider=given.provider, overvote=given.overvote,
            tiebreak=given.tiebreak, max_skipped=given.max_skipped, seed=given.seed,
            contest=given.contest, batch_elimination=given.batch_elimination,
            duplicate_rankings=given.duplicate_rankings,
            continue_until_two=given.continue_until_two, rules=given.rules, fmt=given.fmt,
            audit=given.audit, save_config=given.save_config, chart=given.chart)
    except ElectoralError as exc:
        for number, line in enumerate(problem_lines(exc)):
            say(line, error=number == 0)
        return 1
    if sys.stdout.isatty():
        from electoral.io.escaping import screen_output
        text = screen_output(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def problem_lines(exc: ElectoralError) -> list[str]:
    """A library error as the lines a user can act on: a count, then each problem indented
    (the first ``SHOWN_PROBLEMS``); any other error as its message."""
    if not isinstance(exc, ValidationError):
        return [str(exc)]
    lines = [f"{len(exc.problems)} problem(s)"]
    lines += [f"  {problem}" for problem in exc.problems[:SHOWN_PROBLEMS]]
    if len(exc.problems) > SHOWN_PROBLEMS:
        lines.append(f"  … and {len(exc.problems) - SHOWN_PROBLEMS} more")
    return lines


def say(text: str, *, error: bool = False) -> None:
    """One line on stderr, shown literally (names and paths are data: escape sequences and
    control characters stripped); ``error`` prefixes ``error:``."""
    from electoral.io.escaping import on_screen

    sys.stderr.write(f"{'error: ' if error else ''}{on_screen(text)}\n")
