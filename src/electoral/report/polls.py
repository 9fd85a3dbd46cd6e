"""Render poll averages (``electoral.analyze.polls``) and lists of polls as text, JSON, CSV or
Markdown. Nothing is computed here beyond rounding the estimates for display, once, half away from
zero, and a poll's lead (Democratic minus Republican share, exact as the shares are stated)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from electoral.analyze.polls import Z95, HouseEffect, PollAverages, StateAverage
from electoral.formats import PollsFormat
from electoral.io.escaping import md_cell, on_screen, write_csv
from electoral.model import Poll, PollQuestion

CSV_COLUMNS = ("record", "name", "polls", "effective_polls", "democratic", "republican", "margin",
               "margin_se", "low_95", "high_95", "house_effect")


def rounded(value: float, places: int = 1) -> Decimal:
    """``value`` with ``places`` decimals, half away from zero (from its shortest repr)."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def lean(value: float) -> str:
    """Points toward the Democrat as ``D+4.2``, ``R+1.0`` or ``even`` (0.0 at one decimal)."""
    shown = rounded(value)
    if shown == 0:
        return "even"
    return f"{'D' if shown > 0 else 'R'}+{abs(shown)}"


def render_polls(averages: PollAverages, fmt: PollsFormat | str = PollsFormat.TEXT) -> str:
    """The averages as a text table (margins as ``D+/R+`` with the 95% half-width), JSON (an object
    with ``as_of``, ``states`` and ``house_effects``, figures to two decimals), CSV
    (``CSV_COLUMNS``: a ``state`` row per geography, then a ``pollster`` row per house effect) or
    Markdown (the text's two tables).

    Raises:
        ValueError: for a format ``PollsFormat`` does not name.
    """
    fmt = PollsFormat(fmt)
    if fmt is PollsFormat.JSON:
        return json.dumps(_as_dict(averages), indent=2) + "\n"
    if fmt is PollsFormat.CSV:
        return _csv(averages)
    if fmt is PollsFormat.MD:
        return _md_averages(averages)
    return _text(averages)


def _state(s: StateAverage) -> dict[str, object]:
    low, high = s.interval
    return {"geography": s.geography, "polls": s.polls, "effective_polls": str(rounded(s.effective_polls, 2)),
            "democratic": str(rounded(s.democratic, 2)), "republican": str(rounded(s.republican, 2)),
            "margin": str(rounded(s.margin, 2)), "margin_se": str(rounded(s.margin_se, 2)),
            "low_95": str(rounded(low, 2)), "high_95": str(rounded(high, 2))}


def _house(h: HouseEffect) -> dict[str, object]:
    return {"pollster": h.pollster, "polls": h.polls, "effect": str(rounded(h.effect, 2))}


def _as_dict(averages: PollAverages) -> dict[str, object]:
    return {"as_of": averages.as_of.isoformat(), "states": [_state(s) for s in averages.states],
            "house_effects": [_house(h) for h in averages.house_effects]}


def _csv(averages: PollAverages) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for s in averages.states:
        row = _state(s)
        writer.writerow({"record": "state", "name": row.pop("geography"), **row})
    for h in averages.house_effects:
        writer.writerow({"record": "pollster", "name": h.pollster, "polls": h.polls,
                         "house_effect": str(rounded(h.effect, 2))})
    return out.getvalue()


def _text(averages: PollAverages) -> str:
    states = Table(title=f"Poll averages as of {averages.as_of.isoformat()} "
                         "(margin: Democratic − Republican, points; ± is the 95% interval's half-width)")
    for header in ("state", "polls", "effective", "D %", "R %", "margin", "±"):
        states.add_column(header, justify="left" if header == "state" else "right")
    for s in averages.states:
        states.add_row(s.geography, str(s.polls), str(rounded(s.effective_polls)),
                       str(rounded(s.democratic)), str(rounded(s.republican)), lean(s.margin),
                       str(rounded(Z95 * s.margin_se)))
    house = Table(title="House effects (lean of each pollster's margins from the averages, shrunk)")
    for header in ("pollster", "polls", "lean"):
        house.add_column(header, justify="left" if header == "pollster" else "right")
    for h in averages.house_effects:
        # a pollster's name is data, never Rich markup
        house.add_row(Text(on_screen(h.pollster)), str(h.polls), lean(h.effect))
    out = io.StringIO()
    console = Console(file=out, width=120, highlight=False)
    console.print(states)
    console.print(house)
    return out.getvalue()


def _md_table(header: list[str], rows: list[list[str]], right: Sequence[str] = ()) -> list[str]:
    """A pipe table, the columns named in ``right`` right-aligned (default: all but the first),
    the rest left-aligned; cells escaped."""
    right = right or header[1:]
    rule = ["---:" if h in right else ":---" for h in header]
    return ["| " + " | ".join(header) + " |", "|" + "|".join(rule) + "|",
            *("| " + " | ".join(md_cell(c) for c in r) + " |" for r in rows)]


def _md_averages(averages: PollAverages) -> str:
    states = [[s.geography, str(s.polls), str(rounded(s.effective_polls)), str(rounded(s.democratic)),
               str(rounded(s.republican)), lean(s.margin), str(rounded(Z95 * s.margin_se))]
              for s in averages.states]
    house = [[h.pollster, str(h.polls), lean(h.effect)] for h in averages.house_effects]
    return "\n".join([
        f"Poll averages as of {averages.as_of.isoformat()} (margin: Democratic − Republican, "
        "points; ± is the 95% interval's half-width)", "",
        *_md_table(["state", "polls", "effective", "D %", "R %", "margin", "±"], states), "",
        "House effects (lean of each pollster's margins from the averages, shrunk)", "",
        *_md_table(["pollster", "polls", "lean"], house)]) + "\n"


# ---- lists of polls ------------------------------------------------------------------------------

#: ``polls list --format csv``: one row per answer, as 538's president_polls.csv has them.
LIST_COLUMNS = ("poll_id", "question_id", "pollster_id", "pollster", "sponsors", "state",
                "start_date", "end_date", "population", "sample_size", "methodology",
                "margin_of_error", "partisan", "internal", "candidate", "party", "share", "source",
                "line")
_LIST_HEADER = ["end", "state", "pollster", "population", "sample", "D %", "R %", "lead",
                "source"]
_LIST_FIGURES = ("sample", "D %", "R %", "lead")


def render_poll_list(polls: Sequence[Poll], fmt: PollsFormat | str = PollsFormat.TEXT) -> str:
    """Polls as a table of one row per question (text, Markdown: end date, state, pollster,
    population, sample, Democratic and Republican shares and the lead, file and line), JSON (an
    object with ``polls``, each with its fields and questions and their answers, figures exactly as
    stated) or CSV (``LIST_COLUMNS``: one row per answer).

    Raises:
        ValueError: for a format ``PollsFormat`` does not name.
    """
    fmt = PollsFormat(fmt)
    if fmt is PollsFormat.JSON:
        return json.dumps({"polls": [_poll_json(p) for p in polls]}, indent=2) + "\n"
    if fmt is PollsFormat.CSV:
        return write_csv([LIST_COLUMNS, *(row for p in polls for row in _answer_rows(p))])
    rows = [_question_row(p, q) for p in polls for q in p.questions]
    title = f"{len(polls):,} poll(s), {len(rows):,} question(s) (lead: Democratic − Republican share)"
    if fmt is PollsFormat.MD:
        return "\n".join([title, "", *_md_table(_LIST_HEADER, rows, _LIST_FIGURES)]) + "\n"
    table = Table(title=title)
    for header in _LIST_HEADER:
        table.add_column(header, justify="right" if header in _LIST_FIGURES else "left")
    for row in rows:
        # names are data, never Rich markup
        table.add_row(*(Text(on_screen(c)) for c in row))
    out = io.StringIO()
    Console(file=out, width=160, highlight=False).print(table)
    return out.getvalue()


def _text_of(value: object) -> str:
    return "" if value is None else str(value)


def _question_row(poll: Poll, q: PollQuestion) -> list[str]:
    dem, rep = q.share("democratic"), q.share("republican")
    if dem is None or rep is None:
        lead = ""
    else:
        lead = "even" if dem == rep else f"{'D' if dem > rep else 'R'}+{abs(dem - rep)}"
    return [poll.end.isoformat(), poll.geography, poll.pollster.name, q.population.value.upper(),
            _text_of(q.sample_size), _text_of(dem), _text_of(rep), lead,
            f"{poll.source}:{q.line}" if poll.source else str(q.line)]


def _poll_json(poll: Poll) -> dict[str, object]:
    return {
        "id": poll.id, "pollster_id": poll.pollster.id, "pollster": poll.pollster.name,
        "grade": poll.pollster.grade, "numeric_grade": _text_or_none(poll.pollster.numeric_grade),
        "sponsors": list(poll.sponsors), "state": poll.geography,
        "start_date": poll.start.isoformat(), "end_date": poll.end.isoformat(),
        "methodology": poll.methodology, "margin_of_error": _text_or_none(poll.margin_of_error),
        "partisan": poll.partisan, "internal": poll.internal, "source": poll.source,
        "questions": [{"id": q.id, "population": q.population.value,
                       "sample_size": _text_or_none(q.sample_size), "line": q.line,
                       "answers": [{"candidate": a.candidate, "party": a.party.id if a.party else None,
                                    "share": str(a.share)} for a in q.answers]}
                      for q in poll.questions]}


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _answer_rows(poll: Poll) -> list[list[object]]:
    return [[poll.id, q.id, poll.pollster.id, poll.pollster.name, ", ".join(poll.sponsors),
             poll.geography, poll.start.isoformat(), poll.end.isoformat(), q.population.value,
             q.sample_size, poll.methodology, poll.margin_of_error, poll.partisan,
             str(poll.internal).lower(), a.candidate, a.party.id if a.party else None, a.share,
             poll.source, q.line]
            for q in poll.questions for a in q.answers]
