"""Render a ranked-choice count round by round, as the CT 2024 article shows its straw poll: votes
and share per round, the transfer into the next round (+1, –4), "Eliminated" once a candidate is
out, then the ballots still counting and the inactive ones by reason. Formats: text, md,
wiki, html, csv, json (RCTab's detailed-report shape) and svg (``chart``). Nothing here counts:
figures are read off the ``RcvTabulation``.

Shares are of the votes in the count that round: the continuing ballots, plus in a multi-seat
count the quotas winners hold (shown as "held"), so no share is above 100% and a round's shares
add up to 100%. A decision a tie-break made is marked ``*`` and a note below the table says how
the tie was broken (previous rounds' counts, a random draw with its seed, candidate order).
Names go through the project's escapers (``electoral.io.escaping``) for each format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from electoral.formats import RcvFormat as RcvFormat
from electoral.io.escaping import md_cell, on_screen, wiki_cell, write_csv, xml_text
from electoral.rcv.chart import bars, share
from electoral.rcv.rounds import RcvTabulation
from electoral.rcv.rules import Status
from electoral.rcv.tiebreak import BY_RANDOM

MINUS = "–"  # the article's en dash
HELD = "held"
# inactive ballots by reason, in the order the table lists them
REASONS = ((Status.OVERVOTE, "Exhausted: overvote"), (Status.SKIPPED, "Exhausted: skipped rankings"),
           (Status.EXHAUSTED, "Exhausted: no more rankings"),
           (Status.REPEATED, "Exhausted: duplicate rankings"),
           (Status.NO_RANKINGS, "Ranked nobody"))


@dataclass(frozen=True, slots=True)
class RoundTable:
    """The rendered grid: a title, body rows (each a label and 3 cells a round: votes, %,
    transfer into the next; the last round has 2), winners' rows in ``bold``, and notes."""

    title: str
    rounds: int
    rows: tuple[tuple[str, ...], ...]
    bold: frozenset[str]
    notes: tuple[str, ...] = ()


def label(name: str, parties: Mapping[str, str]) -> str:
    """A candidate as the table shows them: the name, then the party in brackets if known."""
    party = parties.get(name)
    return f"{name} ({party})" if party else name


def round_table(tab: RcvTabulation, title: str,
                parties: Mapping[str, str] | None = None) -> RoundTable:
    """The grid for ``tab``: one row per candidate (winners first, then by how long they
    lasted), then ballots counting and inactive ones, by reason and in all."""
    parties = parties or {}
    rounds = tab.rounds
    out_round = {d.candidate: r.number for r in rounds for d in r.eliminated}
    won_round = {d.candidate: r.number for r in rounds for d in r.elected}

    def place(name: str) -> tuple[bool, int, Decimal]:
        last = out_round.get(name, len(rounds))
        return (name not in tab.winners, -last,
                -rounds[last - 1].tally.votes.get(name, Decimal(0)))

    order = sorted(tab.first_round_order, key=place)
    rows = [(label(n, parties), *_candidate_cells(tab, n, out_round.get(n), won_round.get(n)))
            for n in order]
    rows.append(("Continuing ballots", *_flow_cells([r.tally.active for r in rounds])))
    for status, text in REASONS:
        values = [r.tally.inactive.get(status, Decimal(0)) for r in rounds]
        if any(values):
            rows.append((text, *_flow_cells(values)))
    rows.append(("Inactive ballots", *_flow_cells([r.tally.inactive_total for r in rounds])))
    bold = frozenset(label(w, parties) for w in tab.winners)
    return RoundTable(title, len(rounds), tuple(rows), bold, _notes(tab, parties))


def _notes(tab: RcvTabulation, parties: Mapping[str, str]) -> tuple[str, ...]:
    # the labels merged for a code after a name (session.quick.code_aliases); a file's own
    # declared aliases (a BLT name with its party) are how it names its candidates, not news
    notes = [f"* {alias!r} is counted as {name!r}, the same candidate."
             for alias, name in tab.rules.aliases
             if alias.startswith(name) and re.fullmatch(r"\s*\(\s*\d+\s*\)", alias[len(name):])]
    for rnd in tab.rounds:
        for verb, decisions in (("elected", rnd.elected), ("eliminated", rnd.eliminated)):
            for d in decisions:
                if not d.tiebreak:
                    continue
                votes = _number(rnd.tally.votes.get(d.candidate, Decimal(0)))
                how = d.how or tab.rules.tiebreak.value
                if how == BY_RANDOM:
                    how += f" (seed {tab.rules.seed})"
                notes.append(f"* Round {rnd.number}: {label(d.candidate, parties)} {verb} after a "
                             f"tie at {votes} votes each, broken by {how}.")
    return tuple(notes)


def _candidate_cells(tab: RcvTabulation, name: str, out: int | None,
                     won: int | None) -> list[str]:
    cells: list[str] = []
    rounds = tab.rounds
    tied = {(r.number, d.candidate) for r in rounds for d in (*r.elected, *r.eliminated)
            if d.tiebreak}
    for i, rnd in enumerate(rounds):
        last = i + 1 == len(rounds)
        if out is not None and rnd.number > out:
            mark = "*" if (out, name) in tied else ""
            cells += ["Eliminated" + mark if rnd.number == out + 1 else "", ""]
            cells += [] if last else [""]
            continue
        votes = rnd.tally.votes.get(name, Decimal(0))
        held = won is not None and rnd.number > won and tab.rules.seats > 1
        cell = share(votes, rnd.tally.active_and_locked)
        cells += [_number(votes) + (f" {HELD}" if held else ""), cell]
        if not last:
            following = rounds[i + 1].tally.votes.get(name, Decimal(0))
            cells.append(_change(following - votes))
    if won is not None and (won, name) in tied:
        cells[3 * (won - 1)] += "*"
    return cells


def _flow_cells(values: list[Decimal]) -> list[str]:
    cells: list[str] = []
    for i, value in enumerate(values):
        cells += [_number(value), ""]
        if i + 1 < len(values):
            cells.append(_change(values[i + 1] - value))
    return cells


def _number(value: Decimal) -> str:
    return f"{int(value):,}" if value == value.to_integral_value() else f"{value.normalize():,f}"


def _change(value: Decimal) -> str:
    if value == 0:
        return ""
    return ("+" if value > 0 else MINUS) + _number(abs(value))


def _header(table: RoundTable) -> tuple[list[str], list[str]]:
    top, sub = ["Candidate"], [""]
    for n in range(1, table.rounds + 1):
        top += [f"Round {n}", ""] + ([""] if n < table.rounds else [])
        sub += ["Votes", "%"] + (["Transfer"] if n < table.rounds else [])
    return top, sub


def render_rcv(tab: RcvTabulation, fmt: RcvFormat | str, title: str = "Ranked-choice count",
               parties: Mapping[str, str] | None = None) -> str:
    """``tab`` as text: a Rich table (``text``), Markdown (``md``), a MediaWiki table (``wiki``),
    an HTML table (``html``), CSV (``csv``, one row per table row, votes and shares as text),
    RCTab's detailed-report JSON (``json``) or an SVG bar chart of the rounds (``svg``); a row
    per candidate (``parties``: name -> party, shown after the name), a column per round.

    Raises:
        ValueError: ``fmt`` is not one of ``RcvFormat``'s values.
    """
    fmt = RcvFormat(fmt)
    if fmt is RcvFormat.JSON:
        from electoral.rcv.rctab_report import RctabContest, View, detailed_json

        return json.dumps(detailed_json(View(tab, RctabContest(title))), indent=2,
                          ensure_ascii=False) + "\n"
    if fmt is RcvFormat.SVG:
        return render_svg(tab, title, parties)
    table = round_table(tab, title, parties)
    writers = {RcvFormat.TEXT: _text, RcvFormat.MD: _md, RcvFormat.WIKI: _wiki,
               RcvFormat.HTML: _html, RcvFormat.CSV: _csv}
    return writers[fmt](table)


def render_svg(tab: RcvTabulation, title: str, parties: Mapping[str, str] | None = None) -> str:
    """An SVG bar chart of the rounds (``chart.bars``): one stacked bar per round."""
    return bars(tab, title, parties or {})


def _bolded(table: RoundTable, name: str, bold: tuple[str, str]) -> str:
    return f"{bold[0]}{name}{bold[1]}" if name in table.bold else name


def _text(table: RoundTable) -> str:
    """A box-drawn grid, laid out here rather than by Rich's ``Table``: Rich measures and wraps
    every cell, which took 0.1 s for an 11-round count — as long as the count itself (issue 13).
    Widths are terminal cells (``rich.cells.cell_len``: a CJK name is two a character); names and
    notes are shown literally, control characters and escape sequences stripped."""
    from rich.cells import cell_len

    top, sub = _header(table)
    rows = [[on_screen(row[0]) + (" (elected)" if row[0] in table.bold else ""), *row[1:]]
            for row in table.rows]
    widths = [max(map(cell_len, column)) for column in zip(top, sub, *rows, strict=True)]

    def line(cells: list[str], bar: str) -> str:
        padded = [c + " " * (w - cell_len(c)) if i == 0 else " " * (w - cell_len(c)) + c
                  for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return f"{bar} " + f" {bar} ".join(padded) + f" {bar}"

    def rule(left: str, cross: str, right: str, fill: str) -> str:
        return left + cross.join(fill * (w + 2) for w in widths) + right

    title = on_screen(table.title)
    span = sum(widths) + 3 * len(widths) + 1
    lines = [" " * max(0, (span - cell_len(title)) // 2) + title, rule("┏", "┳", "┓", "━"),
             line(top, "┃"), line(sub, "┃"), rule("┡", "╇", "┩", "━"),
             *(line(row, "│") for row in rows), rule("└", "┴", "┘", "─"),
             *(on_screen(note) for note in table.notes)]
    return "\n".join(lines) + "\n"


def _md(table: RoundTable) -> str:
    top, sub = _header(table)
    lines = [f"**{md_cell(table.title)}**", "", _md_row(top), _md_row(["---"] * len(top)),
             _md_row(sub)]
    for row in table.rows:
        name = md_cell(row[0])
        name = f"**{name}**" if row[0] in table.bold else name
        lines.append("| " + " | ".join([name, *(md_cell(c) for c in row[1:])]) + " |")
    lines += ["", *(md_cell(n) for n in table.notes)] if table.notes else []
    return "\n".join(lines) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(md_cell(c) for c in cells) + " |"


def _wiki(table: RoundTable) -> str:
    lines = ['{| class="wikitable"', f"|+ {wiki_cell(table.title)}", "|-",
             '! rowspan="2" | Candidate']
    for n in range(1, table.rounds + 1):
        lines.append(f'! colspan="{3 if n < table.rounds else 2}" | Round {n}')
    lines.append("|-")
    for n in range(1, table.rounds + 1):
        lines.append("! Votes !! % " + ("!! Transfer" if n < table.rounds else ""))
    for row in table.rows:
        name = wiki_cell(row[0])
        name = f"'''{name}'''" if row[0] in table.bold else name
        lines += ["|-", "| " + " || ".join([name, *(wiki_cell(c) for c in row[1:])])]
    lines.append("|}")
    lines += [wiki_cell(n) for n in table.notes]
    return "\n".join(lines) + "\n"


def _html(table: RoundTable) -> str:
    top, sub = _header(table)
    out = ['<table class="rcv-rounds">', f"<caption>{escape(xml_text(table.title))}</caption>",
           "<thead>", '<tr><th rowspan="2" scope="col">Candidate</th>']
    out += [f'<th colspan="{3 if n < table.rounds else 2}" scope="colgroup">Round {n}</th>'
            for n in range(1, table.rounds + 1)]
    out += ["</tr>", "<tr>", *(f'<th scope="col">{c}</th>' for c in sub[1:]), "</tr>",
            "</thead>", "<tbody>"]
    for row in table.rows:
        name = escape(xml_text(row[0]))
        name = f"<strong>{name}</strong>" if row[0] in table.bold else name
        cells = "".join(f"<td>{escape(xml_text(c))}</td>" for c in row[1:])
        out.append(f'<tr><th scope="row">{name}</th>{cells}</tr>')
    out += ["</tbody>", "</table>"]
    out += [f"<p>{escape(xml_text(n))}</p>" for n in table.notes]
    return "\n".join(out) + "\n"


def _csv(table: RoundTable) -> str:
    _, sub = _header(table)
    header = ["Candidate"] + [f"Round {1 + (i - 1) // 3} {s}" for i, s in enumerate(sub) if i]
    rows = [[_bolded(table, row[0], ("", " (elected)")), *map(_csv_value, row[1:])]
            for row in table.rows]
    rows += [[n] for n in table.notes]
    return write_csv([header, *rows])


def _csv_value(cell: str) -> object:
    """A figure as a number a spreadsheet adds up (1,234 -> 1234; –4 -> -4); other text as is."""
    text = cell.replace(",", "").replace(MINUS, "-").removeprefix("+")
    try:
        return Decimal(text) if text and text[-1].isdigit() else cell
    except ArithmeticError:
        return cell
