"""Render a results table (a rollup ``Tabulation``, optionally with a ``Comparison``) in every
output format: text (Rich), md, wiki, html, csv and json. Nothing here computes a result: the view
below only reads figures off the tabulation and formats them.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from html import escape

from rich.console import Console
from rich.table import Table
from rich.text import Text

from electoral.analyze.compare import Comparison
from electoral.formats import OutputFormat
from electoral.io.escaping import md_cell, on_screen, wiki_cell, write_csv
from electoral.io.rules_numbers import unit_path
from electoral.model import Unit, UnitKind
from electoral.numbers import percent
from electoral.parties import BY_ID, party_code
from electoral.tabulate.coverage import Coverage, area_title, coverage, declared_winner
from electoral.tabulate.rollup import Row, Tabulation, turnout, vote_type_rows

LEVEL_TITLES = {"state": "Statewide", "county": "County", "cog": "Council of Government",
                "district": "District", "town": "Town", "precinct": "Precinct"}


@dataclass(frozen=True, slots=True)
class Cell:
    """A figure and its share. Where ``suppressed`` counts were withheld inside it, ``votes`` is
    the known part, a lower bound, and ``percent`` is ``None`` (no share of it is exact)."""

    votes: int
    percent: Decimal | None
    suppressed: int = 0
    # the figure by vote type (``election_day``, ``absentee_by_mail``, ...), where the returns
    # have vote types
    vote_types: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class RowView:
    unit: str
    total: int
    candidates: tuple[Cell, ...]
    other: Cell
    margin: Cell
    ballots: int | None = None  # ballots cast, where the returns give them
    turnout: Decimal | None = None  # ballots cast over registration (or voting-age population)
    withheld: int = 0  # counts withheld inside ``total`` (then a lower bound)
    adjustment: bool = False  # a source's reconciliation row (``Unit.adjustment``), not a place


@dataclass(frozen=True, slots=True)
class WinnerView:
    """The declared winner: name, party display name and id, electors won (``None``: no electors)."""

    candidate: str
    party: str
    party_id: str | None
    electors: int | None


@dataclass(frozen=True, slots=True)
class ResultsView:
    election: str
    level: str
    columns: tuple[tuple[str, str], ...]  # (candidate name, party display name)
    rows: tuple[RowView, ...]
    total: RowView
    comparison: Comparison | None = None
    # (unit as {level: name}, candidate name, party id, votes) of every adjustment count
    adjustments: tuple[tuple[dict[str, str], str, str | None, int], ...] = ()
    # What the returns cover (``tabulate.coverage``), who is declared the winner (``None`` while
    # units are missing), the area the total stands for, and each column's party id.
    coverage: Coverage | None = None
    winner: WinnerView | None = None
    area: str = ""
    party_ids: tuple[str | None, ...] = ()
    # one real candidate: no runner-up, so no margin (shown as "—", null in JSON)
    unopposed: bool = False


def results_view(tabulation: Tabulation, comparison: Comparison | None = None, *,
                 columns: str = "leaders", assume_complete: bool = False) -> ResultsView:
    """The figures to print: every candidate statewide, the two leading ones per unit
    (``columns="leaders"``, the articles' layout) or every real candidate with a count at the
    level (``columns="all"``). Votes stay ``int``; shares and margins are percentages from the
    integers, rounded once, half away from zero, to 2 decimals (``electoral.numbers.percent``).
    The view also says what the returns cover and who is declared the winner: nobody while units
    are missing, unless ``assume_complete`` (``tabulate.coverage``).

    Raises:
        KeyError: a candidate id of ``tabulation`` is not among its returns' candidates.
        ValueError: ``columns`` is neither ``"leaders"`` nor ``"all"``.
    """
    statewide = tabulation.level == UnitKind.STATE
    shown = _shown(tabulation, columns)
    column_names = tuple((tabulation.returns.candidate(c).label, party_name_of(tabulation, c)) for c in shown)

    facts = turnout(tabulation)

    by_type, total_by_type = vote_type_rows(tabulation)

    def cell(row: Row, votes: int, withheld: int, share: Decimal,
             types: Mapping[str, int] | None = None) -> Cell:
        # one withheld count anywhere in the row leaves its total, so every share, a lower bound;
        # an adjustment's corrections are no share of anything
        return Cell(votes, None if row.withheld or row.unit.adjustment else share, withheld,
                    tuple(sorted((types or {}).items())))

    def view(row: Row, types: Mapping[str, Mapping[str, int]]) -> RowView:
        listed = sum(row.of(c) for c in shown)
        known = facts.get(row.unit.id)
        first, second = (row.suppressed.get(c, 0) for c in tabulation.leading)
        return RowView(
            row.unit.name, row.total,
            tuple(cell(row, row.of(c), row.suppressed.get(c, 0), percent(row.of(c), row.total),
                       types.get(c)) for c in shown),
            cell(row, row.total - listed, row.withheld - sum(row.suppressed.get(c, 0)
                                                             for c in shown),
                 percent(row.total - listed, row.total)),
            cell(row, tabulation.margin(row), first + second, tabulation.margin_percent(row)),
            known.ballots if known else None, known.percent() if known else None,
            row.withheld, row.unit.adjustment)

    rows = () if statewide else tuple(view(r, by_type.get(r.unit.id, {})) for r in sorted(
        tabulation.rows, key=_place_order(tabulation)))
    found = coverage(tabulation.returns)
    area = area_title(tabulation.returns, found)
    won = declared_winner(tabulation, found, assume_complete)
    winner = None if won is None else WinnerView(
        tabulation.returns.candidate(won.candidate).label, party_name_of(tabulation, won.candidate),
        party_id_of(tabulation, won.candidate), won.electors)
    total = replace(view(tabulation.total, total_by_type), unit=area)
    return ResultsView(tabulation.returns.election.id, str(tabulation.level), column_names, rows,
                       total, comparison, _adjustments(tabulation), found, winner, area,
                       tuple(party_id_of(tabulation, c) for c in shown),
                       tabulation.leading[0] == tabulation.leading[1])


def _place_order(tabulation: Tabulation) -> Callable[[Row], tuple[object, ...]]:
    """Rows in the order of the places they stand for: by the names of the units above them, then
    their own, numbers in names compared as numbers ("Ward 2" before "Ward 10"); adjustment rows
    last in their county. An election's table is then the same however its files were split or
    ordered (issue 10), and it reads as county canvasses list places: alphabetically."""
    units = {u.id: u for u in tabulation.returns.units}

    def words(name: str) -> tuple[tuple[int, int | str], ...]:
        return tuple((0, int(p)) if p.isdigit() else (1, p) for p in
                     re.split(r"(\d+)", name.casefold()) if p)

    def key(row: Row) -> tuple[object, ...]:
        line: list[object] = []
        unit: Unit | None = row.unit
        seen: set[str] = set()
        while unit is not None and unit.id not in seen and unit.kind != UnitKind.STATE:
            seen.add(unit.id)
            line.append((unit.adjustment, words(unit.name)))
            unit = units.get(unit.parent or "")
        return tuple(reversed(line))
    return key


def _adjustments(tabulation: Tabulation) -> tuple[tuple[dict[str, str], str, str | None, int], ...]:
    returns = tabulation.returns
    return tuple((unit_path(returns, row.unit.id), returns.candidate(c).label,
                  returns.candidate(c).party, n)
                 for row in tabulation.adjustments for c, n in row.votes.items())


def _shown(tabulation: Tabulation, columns: str) -> list[str]:
    """The candidate ids of the table's columns, most votes statewide first. A candidate with a
    count of 0 is a column like any other (a 0 is a result); an unopposed candidate is one."""
    if columns == "all":
        counted = {c for row in (*tabulation.rows, tabulation.total) for c in row.votes}
        return [c.id for c in tabulation.columns if not c.aggregate and c.id in counted]
    if columns != "leaders":
        raise ValueError(f"columns is 'leaders' or 'all', not {columns!r}")
    if tabulation.level == UnitKind.STATE:
        total = tabulation.total
        return [c.id for c in tabulation.columns
                if total.of(c.id) or (not c.aggregate and (c.id in total.votes
                                                           or c.id in total.suppressed))]
    return list(dict.fromkeys(tabulation.leading))


def party_name_of(tabulation: Tabulation, candidate_id: str) -> str:
    """The candidate's party as displayed: a canonical party's display name (``Democratic``),
    else the party's own name; ``""`` for none."""
    candidate = tabulation.returns.candidate(candidate_id)
    if not candidate.party:
        return ""
    entry = BY_ID.get(candidate.party)
    return entry.party.name if entry else tabulation.returns.party_name(candidate.party)


def party_id_of(tabulation: Tabulation, candidate_id: str) -> str | None:
    """The candidate's party id as the contract gives it (``DEM``; an unknown party's label;
    ``None`` for none): ``parties.party_code``."""
    party_id = tabulation.returns.candidate(candidate_id).party
    if party_id is None:
        return None
    party = next((p for p in tabulation.returns.parties if p.id == party_id), None)
    return party_code(party if party is not None and party_id not in BY_ID else party_id)


def render(view: ResultsView, fmt: OutputFormat | str) -> str:
    """``view`` as text in ``fmt`` (text, md, wiki, html, csv, json), ending in a newline.

    Raises:
        ValueError: ``fmt`` is not an ``OutputFormat`` value.
    """
    return RENDERERS[OutputFormat(fmt)](view)


def _pct(value: Decimal | Fraction | None) -> str:
    if value is None:  # the share of a figure with a withheld count in its row: unknown
        return "—"
    if isinstance(value, Fraction):
        value = percent(value.numerator, value.denominator)
    return f"{value}%"


def _n(votes: int) -> str:
    return f"{votes:,}"


def _at_least(votes: int, withheld: int) -> str:
    """A figure as printed: ``≥ 175`` where counts were withheld inside it (never as exact),
    ``unknown`` where nothing of it is known."""
    if not withheld:
        return f"{votes:,}"
    return f"≥ {votes:,}" if votes else "unknown"


def _unit(row: RowView) -> str:
    return f"{row.unit} (adjustment)" if row.adjustment else row.unit


def _extra_columns(view: ResultsView) -> list[str]:
    rows = (*view.rows, view.total)
    return ([c for c, present in (("Ballots cast", any(r.ballots for r in rows)),
                                  ("Turnout", any(r.turnout is not None for r in rows))) if present])


def _extra_cells(view: ResultsView, row: RowView) -> list[str]:
    columns = _extra_columns(view)
    cells = {"Ballots cast": _n(row.ballots) if row.ballots else "",
             "Turnout": _pct(row.turnout) if row.turnout is not None else ""}
    return [cells[c] for c in columns]


def _header(view: ResultsView) -> list[str]:
    if not view.rows:
        return ["Candidate", "Party", "Votes", "%"]
    head = [LEVEL_TITLES.get(view.level, view.level.title())]
    for name, party in view.columns:
        head += [f"{name} ({party}) #" if party else f"{name} #", "%"]
    return [*head, "Other #", "%", "Margin #", "%", "Total", *_extra_columns(view)]


def _cells(view: ResultsView, row: RowView) -> list[str]:
    cells = [_unit(row)]
    for cell in (*row.candidates, row.other):
        cells += [_at_least(cell.votes, cell.suppressed), _pct(cell.percent)]
    # a margin with a withheld count of either leader has no bound either way
    if view.unopposed:
        cells += ["—", "—"]
    else:
        cells += ["unknown" if row.margin.suppressed else _n(row.margin.votes),
                  _pct(row.margin.percent)]
    return [*cells, _at_least(row.total, row.withheld), *_extra_cells(view, row)]


def table_cells(view: ResultsView) -> list[list[str]]:
    """The table's rows as the formats print them, the total row last."""
    if not view.rows:  # statewide: a row per candidate, as in an article's results table
        rows = [[name, party, _at_least(cell.votes, cell.suppressed), _pct(cell.percent)]
                for (name, party), cell in zip(view.columns, view.total.candidates, strict=True)]
        other = view.total.other
        if other.votes or other.suppressed:
            rows.append(["Other", "", _at_least(other.votes, other.suppressed), _pct(other.percent)])
        # 100% of any total; 0% of nothing (poll close), as every share of an empty unit
        return [*rows, ["Total", "", _at_least(view.total.total, view.total.withheld),
                        _pct(percent(view.total.total, view.total.total))]]
    total = _cells(view, view.total)
    total[0] = "Total"
    return [*(_cells(view, r) for r in view.rows), total]


def _title(view: ResultsView) -> str:
    level = LEVEL_TITLES.get(view.level, view.level)
    if view.level == "state" and view.area.endswith(" County"):  # a one-county election
        level = view.area
    return f"{view.election} — {level} results"


def _comparison_lines(view: ResultsView) -> list[str]:
    comparison = view.comparison
    if comparison is None:
        return []
    earlier = comparison.earlier.returns.election.id
    lines = [f"Units that flipped since {earlier}:"]
    lines += [f"- {c.unit.name}: {c.earlier_winner} → {c.later_winner}" for c in comparison.flips]
    if not comparison.flips:
        lines.append("- none")
    a, b = comparison.parties
    lines.append(f"Swing in margin ({a} minus {b}) since {earlier}:")
    lines += [f"- {c.unit.name}: {_pct(c.earlier_margin)} → {_pct(c.later_margin)} "
              f"({'+' if c.swing >= 0 else ''}{_pct(c.swing)})" for c in comparison.changes]
    if comparison.unmatched:
        lines.append(f"No earlier result for: {', '.join(comparison.unmatched)}")
    return lines


def _margin_line(view: ResultsView) -> str:
    if not view.columns:
        return "Margin: no candidates"
    if view.unopposed or len(view.columns) == 1:
        return f"Margin: none, {view.columns[0][0]} was unopposed"
    (first, _), (second, _) = view.columns[0], view.columns[1]
    margin = view.total.margin
    if margin.suppressed:  # a withheld count of either leader: the margin is not known
        return f"Margin: {first} over {second} not known ({margin.suppressed} count(s) withheld)"
    if not margin.votes:  # a tie, or nothing counted yet: nobody is "over" anybody
        return f"Margin: none, {first} and {second} are tied at {_n(view.total.candidates[0].votes)} votes"
    return f"Margin: {first} over {second} by {_n(margin.votes)} votes ({_pct(margin.percent)})"


def render_text(view: ResultsView) -> str:
    """A Rich table for a terminal, the figures of ``table_cells``."""
    # every string as a Text: names are data, never Rich markup ("[/]" would raise, "[bold]" style)
    table = Table(title=Text(on_screen(_title(view))), title_justify="left")
    for i, name in enumerate(_header(view)):
        table.add_column(Text(on_screen(name)), justify="left" if i == 0 else "right")
    body = table_cells(view)
    for i, cells in enumerate(body):
        table.add_row(*(Text(on_screen(c)) for c in cells), end_section=i == len(body) - 2)
    console = Console(file=io.StringIO(), width=max(100, 14 * len(_header(view))), record=True,
                      highlight=False)
    console.print(table)
    for line in [*([_margin_line(view)] if not view.rows else []), *coverage_lines(view),
                 *_comparison_lines(view)]:
        console.print(Text(on_screen(line)))
    return console.export_text()


def render_md(view: ResultsView) -> str:
    """A Markdown (GitHub pipe) table of ``table_cells``."""
    head = [md_cell(h) for h in _header(view)]
    lines = [f"### {md_cell(_title(view))}", "", "| " + " | ".join(head) + " |",
             "|" + "|".join([":---"] + ["---:"] * (len(head) - 1)) + "|"]
    lines += ["| " + " | ".join(md_cell(c) for c in cells) + " |" for cells in table_cells(view)]
    if not view.rows:
        lines += ["", md_cell(_margin_line(view))]
    extra = [md_cell(line) for line in (*coverage_lines(view), *_comparison_lines(view))]
    return "\n".join(lines + ([""] + extra if extra else [])) + "\n"


def render_wiki(view: ResultsView) -> str:
    """Wikitext in the articles' layout: a two-row header, # and % under each candidate."""
    if not view.rows:
        lines = ['{| class="wikitable sortable"', f"|+ {wiki_cell(_title(view))}", "|-",
                 "! " + " !! ".join(wiki_cell(h) for h in _header(view))]
        for cells in table_cells(view):
            lines += ["|-", "| " + " || ".join(wiki_cell(c) for c in cells)]
        said = [wiki_cell(line) for line in (_margin_line(view), *coverage_lines(view))]
        return "\n".join([*lines, "|}", "", *said]) + "\n"
    level = wiki_cell(LEVEL_TITLES.get(view.level, view.level))
    lines = ['{| class="wikitable sortable"', "|-", f'! rowspan="2" | {level}']
    for name, party in view.columns:
        lines.append(f'! colspan="2" | {wiki_cell(name)}<br />{wiki_cell(party)}')
    lines += ['! colspan="2" | Various candidates<br />Other parties', '! colspan="2" | Margin',
              '! rowspan="2" | Total votes cast', "|-"]
    lines.append("! " + " !! ".join(["#", "%"] * (len(view.columns) + 2)))
    for cells in table_cells(view):
        lines += ["|-", "| " + " || ".join(wiki_cell(c) for c in cells)]
    lines.append("|}")
    extra = [wiki_cell(line) for line in (*coverage_lines(view), *_comparison_lines(view))]
    return "\n".join(lines + ([""] + extra if extra else [])) + "\n"


def render_html(view: ResultsView) -> str:
    """An HTML ``<table>`` fragment (escaped), row headers marked ``scope="row"``."""
    head = "".join(f'<th scope="col">{_html(h)}</th>' for h in _header(view))
    body = table_cells(view)
    rows = []
    for i, cells in enumerate(body):
        tag = "tfoot" if i == len(body) - 1 else None
        row = f'<th scope="row">{_html(cells[0])}</th>' + "".join(
            f'<td class="num">{_html(c)}</td>' for c in cells[1:])
        rows.append((tag, f"<tr>{row}</tr>"))
    tbody = "".join(r for tag, r in rows if tag is None)
    tfoot = "".join(r for tag, r in rows if tag == "tfoot")
    html = (f'<table class="results"><caption>{_html(_title(view))}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{tbody}</tbody><tfoot>{tfoot}</tfoot></table>")
    said = coverage_lines(view)
    if said:
        html += "<p class=\"coverage\">" + _html(" ".join(said)) + "</p>"
    extra = _comparison_lines(view)
    if extra:
        html += "<pre class=\"comparison\">" + escape("\n".join(map(on_screen, extra))) + "</pre>"
    return html + "\n"


def _html(text: str) -> str:
    """``text`` for HTML: escaped, and without control characters (they show as nothing, or as
    escape sequences where the file is printed on a terminal)."""
    return escape(on_screen(text))


def render_csv(view: ResultsView) -> str:
    """CSV with a header row: statewide, one row per candidate (votes, percent), an Other row for
    the votes of no column (write-ins, "all others") where there are any, and a Total row;
    otherwise per unit the two leading candidates' votes and percent, other, margin and total
    (votes as plain integers, percentages without the ``%`` sign; an unopposed contest's margin
    empty). Text cells go through ``io.escaping.write_csv``: no name runs as a formula."""
    if not view.rows:
        rows: list[list[object]] = [["candidate", "party", "votes", "percent"]]
        for (name, party), cell in zip(view.columns, view.total.candidates, strict=True):
            rows.append([name, party, _csv_votes(cell.votes, cell.suppressed),
                         _csv_pct(cell.percent)])
        other = view.total.other
        if other.votes or other.suppressed:  # write-ins, "all others": in the Total, so listed
            rows.append(["Other", "", _csv_votes(other.votes, other.suppressed),
                         _csv_pct(other.percent)])
        rows.append(["Total", "", _csv_votes(view.total.total, view.total.withheld),
                     percent(view.total.total, view.total.total)])
        return write_csv(rows)
    head = ["unit"]
    for name, _party in view.columns:
        head += [f"{name} votes", f"{name} percent"]
    rows = [[*head, "other votes", "other percent", "margin votes", "margin percent", "total"]]
    for row in (*view.rows, view.total):
        cells: list[object] = [_unit(row) if row is not view.total else "Total"]
        for cell in (*row.candidates, row.other):
            cells += [_csv_votes(cell.votes, cell.suppressed), _csv_pct(cell.percent)]
        if view.unopposed:
            cells += ["", ""]
        else:
            cells += ["" if row.margin.suppressed else row.margin.votes,
                      _csv_pct(row.margin.percent)]
        rows.append([*cells, _csv_votes(row.total, row.withheld)])
    return write_csv(rows)


def _csv_votes(votes: int, withheld: int) -> object:
    """An exact figure as an integer; a lower bound as ``>=175``, so no reader takes it as exact."""
    return f">={votes}" if withheld else votes


def _csv_pct(value: Decimal | None) -> Decimal | str:
    """A share as a number (a negative margin stays a number, never a neutralised text)."""
    return "" if value is None else value


def render_json(view: ResultsView) -> str:
    return json.dumps(results_json(view), indent=2, ensure_ascii=False) + "\n"


def results_json(view: ResultsView) -> dict[str, object]:
    """The JSON contract's document of ``view`` (what ``render_json`` prints), for callers that
    serve it as an object (the web API) rather than as text."""
    def row_json(row: RowView) -> dict[str, object]:
        return {
            "unit": row.unit, **_figure_json(row.total, row.withheld, "total"),
            "candidates": [{"name": name, "party": party, "party_id": party_id, **_cell_json(cell)}
                           for (name, party), party_id, cell in zip(
                               view.columns, _party_ids(view), row.candidates, strict=True)],
            "other": _cell_json(row.other),
            "margin": ({"votes": None, "percent": None, "unopposed": True} if view.unopposed
                       else _cell_json(row.margin, bounded=False)),
        } | ({"ballots_cast": row.ballots} if row.ballots else {}) | (
            {"turnout": str(row.turnout)} if row.turnout is not None else {}) | (
            {"adjustment": True} if row.adjustment else {})

    document: dict[str, object] = {
        "election": view.election, "level": view.level,
        "columns": [name for name, _ in view.columns],
        "rows": [row_json(r) for r in view.rows], "total": row_json(view.total)}
    if view.adjustments:
        document["adjustments"] = [{"unit": unit, "candidate": name, "party_id": party,
                                    "votes": votes} for unit, name, party, votes in view.adjustments]
    document |= _coverage_json(view)
    if view.comparison is not None:
        c = view.comparison
        document["compare"] = c.earlier.returns.election.id
        document["flips"] = [{"unit": f.unit.name, "from": f.earlier_winner, "to": f.later_winner}
                             for f in c.flips]
        document["swing"] = [{"unit": ch.unit.name, "toward": c.parties[0],
                              "earlier_margin": str(_frac(ch.earlier_margin)),
                              "later_margin": str(_frac(ch.later_margin)),
                              "swing": str(_frac(ch.swing))} for ch in c.changes]
    return document


def _figure_json(votes: int, withheld: int, key: str) -> dict[str, object]:
    """``{key: votes}``, or, with counts withheld inside it, the contract's lower bound:
    ``{key: null, "{key}_at_least" (``at_least`` for ``votes``): N, "exact": false,
    "suppressed": K}`` (docs/import-json.md §3)."""
    if not withheld:
        return {key: votes}
    bound = "at_least" if key == "votes" else f"{key}_at_least"
    return {key: None, bound: votes, "exact": False, "suppressed": withheld}


def _cell_json(cell: Cell, bounded: bool = True) -> dict[str, object]:
    """A cell's JSON; ``bounded`` false for a figure a withheld count may move either way (a
    margin): then no ``at_least``."""
    percent_ = None if cell.percent is None else str(cell.percent)
    figure = _figure_json(cell.votes, cell.suppressed, "votes")
    if not bounded:
        figure.pop("at_least", None)
    types = {"vote_types": dict(cell.vote_types)} if cell.vote_types else {}
    return {**figure, "percent": percent_, **types}


def _party_ids(view: ResultsView) -> tuple[str | None, ...]:
    return view.party_ids or (None,) * len(view.columns)


def _coverage_json(view: ResultsView) -> dict[str, object]:
    """The contract's ``coverage``, ``complete`` and ``winner`` keys (docs/import-json.md §3)."""
    found, won = view.coverage, view.winner
    return {"coverage": found.as_json() if found else None,
            "complete": found.complete if found else True,
            "winner": None if won is None else {"candidate": won.candidate, "party": won.party,
                                                "party_id": won.party_id, "electors": won.electors}}


def coverage_lines(view: ResultsView) -> list[str]:
    """What the text formats say of incomplete returns: ``"3 of 5 counties reporting; missing:
    Kent, Providence"``, then that no winner is declared, or (``--assume-complete``) who is
    declared and the electors. Nothing for complete returns, whose tables say it all."""
    said = view.coverage.line() if view.coverage else ""
    if not said:
        return []
    won = view.winner
    if won is None:
        return [said, "No winner declared while units are missing."]
    party = f" ({won.party})" if won.party else ""
    electors = f", {won.electors} electors" if won.electors else ""
    return [said, f"Winner: {won.candidate}{party}{electors}, declared as if complete "
                  "(--assume-complete)"]


def _frac(value: Fraction) -> Decimal:
    return percent(value.numerator, value.denominator)


RENDERERS = {
    OutputFormat.TEXT: render_text, OutputFormat.MD: render_md, OutputFormat.WIKI: render_wiki,
    OutputFormat.HTML: render_html, OutputFormat.CSV: render_csv, OutputFormat.JSON: render_json,
}

__all__ = ["OutputFormat", "ResultsView", "render", "results_json", "results_view", "table_cells"]
