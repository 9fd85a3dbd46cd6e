"""An SVG bar chart of a ranked-choice count: one horizontal bar per round, split into each
candidate's votes (a colour per candidate, the same in every round), then the inactive ballots
in grey, so the eye follows each eliminated candidate's share flowing into the others. Each
segment carries a ``<title>`` (name, votes, share) for readers that hover; a legend names the
colours. Text goes through ``html.escape`` and ``electoral.io.escaping.xml_text``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from html import escape

from electoral.io.escaping import xml_text
from electoral.rcv.rounds import RcvTabulation

# Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2002), then Tableau 10's rest
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
           "#4E79A7", "#59A14F", "#B07AA1", "#9C755F", "#76B7B2", "#EDC948", "#FF9DA7")
INACTIVE = "#BBBBBB"
WIDTH, LEFT, BAR, GAP, TOP = 760, 90, 22, 10, 40


def share(votes: Decimal, total: Decimal) -> str:
    """Percent of ``total`` to one place, rounded once, half away from zero, from exact values
    ("" when ``total`` is 0)."""
    if total == 0:
        return ""
    scaled = Fraction(votes) * 1000 / Fraction(total)
    tenths = int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)
    return f"{Decimal(tenths).scaleb(-1)}%"


def _text(value: str) -> str:
    return escape(xml_text(value))


def bars(tab: RcvTabulation, title: str, parties: Mapping[str, str]) -> str:
    """The chart as an SVG document (a string); ``parties`` adds each name's party to the
    legend."""
    names = list(tab.first_round_order)
    colour = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}
    first = tab.rounds[0].tally
    total = first.active_and_locked + first.inactive_total
    scale = (WIDTH - LEFT - 20) / float(total or 1)
    out: list[str] = []
    y = TOP
    for rnd in tab.rounds:
        out.append(f'<text x="{LEFT - 8}" y="{y + BAR * 0.7:.1f}" text-anchor="end">Round '
                   f"{rnd.number}</text>")
        x = float(LEFT)
        parts = [(n, rnd.tally.votes.get(n, Decimal(0)), colour[n]) for n in names]
        parts.append(("Inactive ballots", rnd.tally.inactive_total, INACTIVE))
        for name, votes, fill in parts:
            if votes <= 0:
                continue
            width = float(votes) * scale
            cell = share(votes, total)
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" '
                       f'fill="{fill}"><title>{_text(name)}: {votes:,} ({cell} of all '
                       "ballots)</title></rect>")
            x += width
        y += BAR + GAP
    y += GAP
    for i, name in enumerate([*names, "Inactive ballots"]):
        fill = colour.get(name, INACTIVE)
        shown = f"{name} ({parties[name]})" if parties.get(name) else name
        mark = " (elected)" if name in tab.winners else ""
        row_y = y + 18 * i
        out.append(f'<rect x="{LEFT}" y="{row_y}" width="12" height="12" fill="{fill}"/>'
                   f'<text x="{LEFT + 18}" y="{row_y + 10}">{_text(shown + mark)}</text>')
    height = y + 18 * (len(names) + 1) + GAP
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12" '
            f'role="img"><title>{_text(title)}</title>'
            f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{_text(title)}</text>')
    return head + "".join(out) + "</svg>\n"
