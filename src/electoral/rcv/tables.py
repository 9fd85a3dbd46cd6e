"""Render a ranked-choice count round by round, as the CT 2024 article shows its straw poll: votes
and share of active ballots per round, the transfer into the next round (+1, –4), "Eliminated"
once a candidate is out, then active and inactive ballots. Formats: text (Rich), md, wiki, and json
in RCTab's detailed-report shape. Nothing here counts: figures are read off the ``RcvTabulation``.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from rich.console import Console
from rich.table import Table

from electoral.formats import RcvFormat as RcvFormat
from electoral.rcv.rctab_report import RctabContest, View, detailed_json
from electoral.rcv.rounds import RcvTabulation

MINUS = "–"  # the article's en dash




@dataclass(frozen=True, slots=True)
class RoundTable:
    """The rendered grid: a title, two header rows, body rows; winners' row names in ``bold``."""

    title: str
    rounds: int
    rows: tuple[tuple[str, ...], ...]
    bold: frozenset[str]


def round_table(tab: RcvTabulation, title: str) -> RoundTable:
    rounds = tab.rounds
    out_round = {d.candidate: r.number for r in rounds for d in r.eliminated}

    def place(name: str) -> tuple[bool, int, Decimal]:
        """Winners first, then the longest in the count, then the most votes at the end."""
        last = out_round.get(name, len(rounds))
        return (name not in tab.winners, -last,
                -rounds[last - 1].tally.votes.get(name, Decimal(0)))

    order = sorted(tab.first_round_order, key=place)
    rows = [tuple([name, *_candidate_cells(tab, name, out_round.get(name))]) for name in order]
    rows.append(("Active ballots", *_flow_cells([r.tally.active for r in rounds])))
    rows.append(("Inactive ballots", *_flow_cells([r.tally.inactive_total for r in rounds])))
    return RoundTable(title, len(rounds), tuple(rows), frozenset(tab.winners))


def _candidate_cells(tab: RcvTabulation, name: str, out: int | None) -> list[str]:
    cells: list[str] = []
    rounds = tab.rounds
    for i, rnd in enumerate(rounds):
        if out is not None and rnd.number > out:
            cells += ["Eliminated" if rnd.number == out + 1 else "", ""]
            cells += [""] if i + 1 < len(rounds) else []
            continue
        votes = rnd.tally.votes.get(name, Decimal(0))
        cells += [_number(votes), _share(votes, rnd.tally.active)]
        if i + 1 < len(rounds):
            following = rounds[i + 1].tally.votes.get(name, Decimal(0))
            cells.append(_change(following - votes))
    return cells


def _flow_cells(values: list[Decimal]) -> list[str]:
    cells: list[str] = []
    for i, value in enumerate(values):
        cells += [_number(value), ""]
        if i + 1 < len(values):
            cells.append(_change(values[i + 1] - value))
    return cells


def _number(value: Decimal) -> str:
    return f"{value:,}" if value == value.to_integral_value() else f"{value:,f}"


def _change(value: Decimal) -> str:
    if value == 0:
        return ""
    return ("+" if value > 0 else MINUS) + _number(abs(value))


def _share(votes: Decimal, total: Decimal) -> str:
    """Percent of ``total`` to one place, rounded once, half away from zero, from exact values."""
    if total == 0:
        return ""
    scaled = Fraction(votes) * 1000 / Fraction(total)
    tenths = int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)
    return f"{Decimal(tenths).scaleb(-1)}%"


def _header(table: RoundTable) -> tuple[list[str], list[str]]:
    top, sub = ["Candidate"], [""]
    for n in range(1, table.rounds + 1):
        top += [f"Round {n}", ""] + ([""] if n < table.rounds else [])
        sub += ["Votes", "%"] + (["Transfer"] if n < table.rounds else [])
    return top, sub


def render_rcv(tab: RcvTabulation, fmt: RcvFormat | str, title: str = "Ranked-choice count") -> str:
    """``tab`` as text: a Rich table (``text``), Markdown (``md``), a MediaWiki table (``wiki``) or
    RCTab's detailed-report JSON (``json``): a row per candidate, a column per round.

    Raises:
        ValueError: ``fmt`` is not one of ``RcvFormat``'s values.
    """
    fmt = RcvFormat(fmt)
    if fmt is RcvFormat.JSON:
        return json.dumps(detailed_json(View(tab, RctabContest(title))), indent=2,
                          ensure_ascii=False) + "\n"
    table = round_table(tab, title)
    return {RcvFormat.TEXT: _text, RcvFormat.MD: _md, RcvFormat.WIKI: _wiki}[fmt](table)


def _name(table: RoundTable, name: str, bold: tuple[str, str]) -> str:
    return f"{bold[0]}{name}{bold[1]}" if name in table.bold else name


def _text(table: RoundTable) -> str:
    top, sub = _header(table)
    grid = Table(title=table.title, show_lines=False)
    for i, (a, b) in enumerate(zip(top, sub, strict=True)):
        grid.add_column(f"{a}\n{b}".strip(), justify="left" if i == 0 else "right")
    for row in table.rows:
        grid.add_row(_name(table, row[0], ("", " (elected)")), *row[1:])
    widest = max(len(row[0]) for row in table.rows) + 12
    console = Console(file=io.StringIO(), width=max(100, widest + 11 * len(top)), record=True,
                      highlight=False)
    console.print(grid)
    return console.export_text()


def _md(table: RoundTable) -> str:
    top, sub = _header(table)
    lines = [f"**{table.title}**", "", _md_row(top), _md_row(["---"] * len(top)), _md_row(sub)]
    lines += [_md_row([_name(table, row[0], ("**", "**")), *row[1:]]) for row in table.rows]
    return "\n".join(lines) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _wiki(table: RoundTable) -> str:
    lines = ['{| class="wikitable"', f"|+ {table.title}", "|-", '! rowspan="2" | Candidate']
    for n in range(1, table.rounds + 1):
        lines.append(f'! colspan="{3 if n < table.rounds else 2}" | Round {n}')
    lines.append("|-")
    for n in range(1, table.rounds + 1):
        lines.append("! Votes !! % " + ("!! Transfer" if n < table.rounds else ""))
    for row in table.rows:
        lines += ["|-", "| " + " || ".join([_name(table, row[0], ("'''", "'''")), *row[1:]])]
    lines.append("|}")
    return "\n".join(lines) + "\n"
