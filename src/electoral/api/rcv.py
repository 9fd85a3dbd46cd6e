"""Ranked-choice counts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from electoral.api.core import _choice, _write_text
from electoral.errors import Problem, ValidationError
from electoral.formats import (
    RcvFormat,
)
from electoral.rcv.cvr.provider import Provider
from electoral.rcv.rules import OvervoteRule, Tiebreak

if TYPE_CHECKING:
    from electoral.store_night import NightStore as NightStore


# ---- ranked choice -----------------------------------------------------------------------------


def rcv_config(config: Path | str, output: Path | str) -> list[Path]:
    """Count an RCTab contest config exactly as RCTab does and write its reports into
    ``output``; return the files written. Nothing is written unless the whole count succeeds.

    Raises:
        ValidationError: the config or a CVR file has problems (located by file and field).
    """
    from electoral.rcv import tabulate_config
    return tabulate_config(config, output)


def rcv_format(name: str) -> RcvFormat:
    """The round table format called ``name`` (text, md, wiki, html, csv, json or svg).

    Raises:
        ValidationError: no format has that name; the problem lists the choices.
    """
    return _choice(name, RcvFormat, "format")


def rcv_count(paths: Sequence[Path], *, seats: int | None = None,
              provider: Provider | str | None = None,
              overvote: OvervoteRule | str | None = None, tiebreak: Tiebreak | str | None = None,
              max_skipped: int | None = None, seed: int | None = None,
              contest: str | None = None, batch_elimination: bool | None = None,
              duplicate_rankings: str | None = None, continue_until_two: bool | None = None,
              rules: str | None = None, fmt: RcvFormat | str = RcvFormat.TEXT,
              audit: Path | None = None, save_config: Path | None = None,
              chart: Path | None = None) -> str:
    """A quick count of CVR files (layout found in each file unless ``provider`` says),
    rendered as a round-by-round table (``RcvFormat``: text, md, wiki, html, csv, json, svg).

    ``rules`` names a preset (``electoral.rcv.presets``); every other rule given here (not None)
    wins over it. ``duplicate_rankings`` is ``skip`` (the default) or ``exhaust``. With
    ``audit``, each ballot's path through the rounds is written there as Parquet; with
    ``save_config``, the RCTab config that counts the same way; with ``chart``, the SVG chart.
    ``seats`` above 1 count by STV; None takes a BLT file's own seat count (else 1).

    Raises:
        ValidationError: an unknown format, preset or rule value, a file with problems (file,
            ballot/line, field), or a count RCTab cannot re-run (``save_config``); nothing is
            written then.
    """
    from dataclasses import replace

    from electoral.rcv import QuickOptions, quick_count, render_rcv, write_audit

    form = rcv_format(str(fmt))
    options = QuickOptions(provider=provider, contest=contest, audit=audit is not None)
    if rules is not None:
        from electoral.rcv.presets import preset
        options = replace(options, **preset(rules).rules)
    given: dict[str, Any] = {"seats": seats, "max_skipped": max_skipped, "seed": seed,
             "batch_elimination": batch_elimination, "continue_until_two": continue_until_two,
             "overvote": None if overvote is None else _choice(overvote, OvervoteRule, "overvote"),
             "tiebreak": None if tiebreak is None else _choice(tiebreak, Tiebreak, "tiebreak")}
    if duplicate_rankings is not None:
        if duplicate_rankings not in ("skip", "exhaust"):
            raise ValidationError([Problem("unknown-choice", f"unknown duplicate-rankings rule "
                                           f"{duplicate_rankings!r}; choose skip or exhaust",
                                           field="duplicate_rankings")])
        given["exhaust_on_duplicate"] = duplicate_rankings == "exhaust"
    options = replace(options, **{k: v for k, v in given.items() if v is not None})
    result = quick_count(list(paths), options)
    text = render_rcv(result.tabulation, form, result.title, result.parties)
    if save_config is not None:  # (these modules load only when asked for: start-up counts)
        from electoral.rcv.session.save import save_config as write_config
        write_config(result, options, save_config)
    if chart is not None:
        from electoral.rcv.tables import render_svg
        _write_text(chart, render_svg(result.tabulation, result.title, result.parties))
    if audit is not None:
        write_audit(result, audit)
    return text


def rcv_rankings(paths: Sequence[Path | str], *, provider: Provider | str | None = None
                 ) -> tuple[tuple[str, ...], dict[tuple[int, ...], int]]:
    """The CVR files of one contest as a quick count reads them (format from each name unless
    ``provider`` says): the candidates, and each distinct ballot's meaning in a single-winner
    count under the default rules — the candidates it ranks, in order, each once, cut at its first
    overvote — as indices into the candidates, with how many ballots have it.

    Raises:
        ValidationError: no files, an unknown format, or every problem in every file (file,
            ballot/line, field).
        NotFoundError: a file is missing or unreadable.
    """
    from electoral.rcv import QuickOptions, read_rankings

    return read_rankings([Path(p) for p in paths], QuickOptions(provider=provider))


