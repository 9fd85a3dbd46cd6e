"""Render a unit's history (``electoral.analyze.history``) as text or JSON. Nothing is computed
here beyond rounding the exact margins for display (half away from zero, once)."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from fractions import Fraction

from rich.console import Console
from rich.table import Table
from rich.text import Text

from electoral.analyze.history import DEMOCRATIC, REPUBLICAN, Flips, History, Year
from electoral.io.escaping import on_screen
from electoral.model import UnitKind
from electoral.numbers import percent

YES_NO = {True: "yes", False: "no", None: "–"}


def points(value: Fraction | None, places: int = 1) -> Decimal | None:
    """A margin (an exact fraction of the votes, −1..1) as percentage points with ``places``
    decimals, rounded once, half away from zero; ``None`` stays ``None``."""
    if value is None:
        return None
    return percent(value.numerator, value.denominator, places)


def lean(value: Fraction | None) -> str:
    """A margin (Democratic minus Republican, exact fraction) as ``D+4.2``, ``R+12.0``, ``even``
    (0.0 after rounding to one decimal) or ``–`` (unknown)."""
    shown = points(value)
    if shown is None:
        return "–"
    if shown == 0:
        return "even"
    return f"{'D' if shown > 0 else 'R'}+{abs(shown)}"


def render_history(history: History, fmt: str = "text") -> str:
    """A unit's record as a table plus sentences (``fmt="text"``) or as JSON (``"json"``): per year
    the winner, the two major parties' shares, margin, swing and lean as ``D+/R+`` points."""
    if fmt == "json":
        return json.dumps(_as_dict(history), indent=2) + "\n"
    # every string a Text: a place or candidate name is data, never Rich markup
    table = Table(title=Text(on_screen(f"{history.place.name}: presidential elections in the store")))
    for header in ("year", "winner", "D", "R", "margin", "swing", "vs state", "its trend",
                   "vs nation", "its trend ", "president", "with winner"):
        table.add_column(header, justify="right" if header not in ("winner", "president") else
                         "left")
    is_state = history.place.kind is UnitKind.STATE
    for year in history.years:
        winner = year.winner or ("not declared" if year.incomplete else "tie")
        cells = (str(year.year), winner, _share(year, DEMOCRATIC),
                 _share(year, REPUBLICAN), lean(year.margin), lean(year.swing),
                 "–" if is_state else lean(year.lean),
                 "–" if is_state else lean(year.trend), lean(year.national_lean),
                 lean(year.national_trend),
                 year.president or "–", YES_NO[year.with_winner])
        table.add_row(*(Text(on_screen(c)) for c in cells))
    out = io.StringIO()
    console = Console(file=out, width=150, highlight=False)
    console.print(table)
    for line in summary(history):
        console.print(Text(on_screen(line)))
    return out.getvalue()


def summary(history: History) -> list[str]:
    """The record in sentences: flips, bellwether, the last time each party won."""
    name = history.place.name
    lines = []
    for flip_year, before, after in history.flips:
        lines.append(f"{flip_year}: flipped from {before} to {after}")
    right, known = history.bellwether
    if known:
        lines.append(f"voted for the winner of the presidency {right} of {known} times"
                     f" (current streak {history.streak})")
    for party in (DEMOCRATIC, REPUBLICAN):
        last = history.last_time(party)
        lines.append(f"the last time {name} voted {party}: {last}" if last else
                     f"{name} voted {party} in none of the stored elections")
    for year in history.years:
        if year.since is not None and year.since != _previous(history, year):
            lines.append(f"{year.year}: {year.winner} for the first time since {year.since}")
    if history.missing:
        lines.append(f"no returns for {name} in: {', '.join(history.missing)}")
    for year in history.years:
        if year.incomplete:
            lines.append(f"{year.year}: incomplete returns, {year.incomplete}"
                         + ("; no winner declared" if history.place.kind is UnitKind.STATE else ""))
    return lines


def _previous(history: History, year: Year) -> int | None:
    years = [y.year for y in history.years]
    index = years.index(year.year)
    return years[index - 1] if index else None


def _share(year: Year, party: str) -> str:
    return f"{percent(year.votes.get(party, 0), year.total, 1)}%"


def _as_dict(history: History) -> dict[str, object]:
    right, known = history.bellwether
    return {
        "unit": {"id": history.place.id, "name": history.place.name,
                 "kind": str(history.place.kind), "state": history.place.state},
        # every margin, swing, lean and trend below: Democratic share minus Republican, points
        "margin": f"{DEMOCRATIC} minus {REPUBLICAN}",
        "years": [{"year": y.year, "election": y.election, "winner": y.winner,
                   "votes": dict(y.votes), "total": y.total,
                   "margin": str(points(y.margin, 2)), "swing": _num(y.swing),
                   "state_margin": str(points(y.state_margin, 2)),
                   "trend_vs_state": _num(y.trend), "trend_vs_nation": _num(y.national_trend),
                   "nation_margin": _num(y.nation_margin), "president": y.president,
                   "with_winner": y.with_winner, "since": y.since,
                   "incomplete": y.incomplete or None} for y in history.years],
        "flips": [{"year": y, "from": a, "to": b} for y, a, b in history.flips],
        "bellwether": {"with_winner": right, "known": known, "streak": history.streak},
        "last_time": {p: history.last_time(p) for p in (DEMOCRATIC, REPUBLICAN)},
        "missing": list(history.missing),
    }


def _num(value: Fraction | None) -> str | None:
    shown = points(value, 2)
    return None if shown is None else str(shown)


def render_flips(state: str, flips: Flips, fmt: str = "text") -> str:
    """Each pair of consecutive elections with the units that changed party and their swing in
    points of the margin ``first party minus second`` (``analyze.compare.swing_parties``:
    Democratic minus Republican wherever both ran, so positive is always toward the Democrats),
    then the years skipped for having no units at the level."""
    listed = [(earlier, later, [(c.unit.name, c.earlier_winner, c.later_winner,
                                 str(points(c.swing, 1))) for c in comparison.flips],
               comparison.parties) for earlier, later, comparison in flips]
    if fmt == "json":
        return json.dumps({
            "pairs": [{"earlier": earlier, "later": later,
                       "margin": f"{parties[0]} minus {parties[1]}", "toward": parties[0],
                       "flips": [{"unit": n, "from": a, "to": b, "swing": w}
                                 for n, a, b, w in flipped]}
                      for earlier, later, flipped, parties in listed],
            "skipped": [{"year": year, "why": why} for year, why in flips.skipped]},
            indent=2) + "\n"
    lines = []
    for earlier, later, flipped, parties in listed:
        lines.append(f"{state} {earlier} → {later}: {len(flipped)} flipped "
                     f"(swing: {parties[0]} minus {parties[1]} margin, in points)")
        lines += [f"  {name}: {a} → {b} (swing {_signed(w)})" for name, a, b, w in flipped]
    if not listed:
        lines.append(f"fewer than two stored elections of {state} with county returns")
    if flips.skipped:
        lines.append(f"skipped (no county returns): {', '.join(str(y) for y, _ in flips.skipped)}")
    return "\n".join(lines) + "\n"


def _signed(points_text: str) -> str:
    """A swing in points with its sign always written (``+3.2``, ``-0.4``, ``0.0``)."""
    return points_text if points_text.startswith("-") or points_text == "0.0" else f"+{points_text}"
