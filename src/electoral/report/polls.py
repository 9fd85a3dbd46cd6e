"""Render poll averages (``electoral.analyze.polls``) as text, JSON or CSV. Nothing is computed here
beyond rounding the estimates for display, once, half away from zero."""

from __future__ import annotations

import csv
import io
import json
from decimal import ROUND_HALF_UP, Decimal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from electoral.analyze.polls import Z95, HouseEffect, PollAverages, StateAverage
from electoral.formats import PollsFormat
from electoral.io.escaping import on_screen

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
    with ``as_of``, ``states`` and ``house_effects``, figures to two decimals) or CSV
    (``CSV_COLUMNS``: a ``state`` row per geography, then a ``pollster`` row per house effect).

    Raises:
        ValueError: for a format ``PollsFormat`` does not name.
    """
    fmt = PollsFormat(fmt)
    if fmt is PollsFormat.JSON:
        return json.dumps(_as_dict(averages), indent=2) + "\n"
    if fmt is PollsFormat.CSV:
        return _csv(averages)
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
