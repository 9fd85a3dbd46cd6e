"""Reader for election articles in the seeds' plain-wiki layout (``= Title =``, an infobox of
``- Key: Value`` lines, ``==Sections==`` and ``| pipe | tables |``).

An article yields two things: the raw counts it publishes (``Returns``: statewide votes per candidate,
and per unit the two leading candidates plus the "various candidates" column) and every published
figure exactly as stated (``PublishedTable``), so that ``electoral.check`` can recompute each one.
Candidates the text leaves unnamed are resolved from the infobox by party where that is unambiguous,
and are otherwise kept unnamed (``unnamed-N``), never invented.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import TextIO

from electoral.errors import Problem, ValidationError
from electoral.geography import county_fips
from electoral.io import Format, ReadOptions, register
from electoral.io.counts import CountError, parse_count
from electoral.io.pseudo import KIND_KEYS, PseudoKind, pseudo_kind
from electoral.io.stage import validate
from electoral.model import (
    STATE_BY_NAME,
    STATE_NAMES,
    Candidate,
    Count,
    Election,
    Exclusion,
    Party,
    Returns,
    Unit,
    UnitKind,
    VoteType,
    slug,
)
from electoral.published import Article, Figure, PublishedRow, PublishedTable, TableKind

TITLE = re.compile(r"^=\s*(?P<year>\d{4}) United States (?P<office>presidential) election in "
                   r"(?P<state>.+?)\s*=$")
HEADING = re.compile(r"^(=+)\s*(.*?)\s*=+\s*$")
# Figures are ASCII digits (``[0-9]``: ``\d`` would take Arabic-Indic and fullwidth digits too).
NUMBER = re.compile(r"^(?P<sign>[-+–−]?)\s*(?P<digits>[0-9,]*\.?[0-9]+)\s*(?P<pct>%?)$")
RESULT_LINE = re.compile(r"^-\s*(?P<name>[^()]*?)\s*\((?P<party>.+)\):\s*(?P<votes>\S.*?) votes$")
TOTAL_LINE = re.compile(r"^Total:\s*(?P<votes>[0-9,]+) votes$")
ELECTOR = re.compile(r"^\d+\.\s+(?P<name>.+)$")
OTHER_LABEL = "Various candidates"
OTHER_ID = "other"


def parse_figure(text: str) -> Figure | None:
    """A published number as stated: ``"-5.70%"`` → value -5.70, 2 places, a percentage."""
    text = text.strip()
    match = NUMBER.match(text)
    if not match:
        return None
    digits = match["digits"].replace(",", "")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    if match["sign"] in ("-", "–", "−"):
        value = -value
    places = len(digits.split(".")[1]) if "." in digits else 0
    return Figure(text, value, places, bool(match["pct"]), explicit_sign=bool(match["sign"]))


def normalize_party(name: str) -> str:
    """``"Democratic Party (United States)"`` and ``"Democratic Party"`` are both ``Democratic``."""
    name = re.sub(r"\s*\(United States\)\s*$", "", name.strip())
    words = name.split()
    if len(words) == 2 and words[1] == "Party":
        return words[0]
    return name


@dataclass(slots=True)
class _Line:
    number: int
    text: str


@dataclass(slots=True)
class _Builder:
    source: str
    lines: list[_Line]
    problems: list[Problem] = field(default_factory=list)
    infobox: dict[str, str] = field(default_factory=dict)
    tables: list[PublishedTable] = field(default_factory=list)
    electors: list[str] = field(default_factory=list)
    candidates: dict[str, Candidate] = field(default_factory=dict)
    parties: dict[str, Party] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    counts: list[Count] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)

    def problem(self, code: str, message: str, line: int, column: str | None = None) -> None:
        self.problems.append(Problem(code, message, self.source, line, column))

    def count(self, unit: str, candidate: str, text: str, line: int, column: str) -> None:
        """A count of the article (``io.counts``: a published ``12.5`` or ``1,2,3,4`` is no
        count), or a problem located by line and column."""
        try:
            votes = parse_count(text, withheld=False)
        except CountError as exc:
            self.problem("bad-votes", str(exc), line, column)
            return
        self.counts.append(Count(unit, candidate, votes, VoteType.TOTAL, line))


def read_article(stream: TextIO, source: str) -> Article:
    """Every figure of one article; raises ``ValidationError`` if it is not one."""
    # split at line feeds only: str.splitlines also breaks at U+2028, U+0085 …, which in a name
    # must reach the stage's control-character rule, not cut the line in two
    lines = [_Line(i, text.rstrip("\r")) for i, text in enumerate(stream.read().split("\n"), 1)]
    builder = _Builder(source, lines)
    election = _election(builder)
    builder.units[election.state] = Unit(election.state, STATE_NAMES[election.state],
                                         UnitKind.STATE)
    _read_infobox(builder)
    for section, table_lines, caption in _tables(lines):
        _read_table(builder, election, section, table_lines, caption)
    _read_result_list(builder, election)
    _read_electors(builder)
    if builder.problems:
        raise ValidationError(builder.problems)
    returns = Returns(
        election=election,
        candidates=tuple(builder.candidates.values()),
        units=tuple(builder.units.values()),
        counts=tuple(builder.counts),
        parties=tuple(builder.parties.values()),
        source=source,
        exclusions=tuple(builder.exclusions),
        electors=tuple(builder.electors),
    )
    validate(returns)  # an article is also read for ``check``, which stores nothing
    return Article(returns, tuple(builder.tables), tuple(builder.electors), source)


@register(Format.ARTICLE)
def read_article_returns(stream: TextIO, source: str, options: ReadOptions) -> list[Returns]:
    return [read_article(stream, source).returns]


# ---- the article's frame: title, infobox, electors --------------------------------------------

def _election(builder: _Builder) -> Election:
    first = next((line for line in builder.lines if line.text.strip()), None)
    match = TITLE.match(first.text.strip()) if first else None
    if not first or not match:
        raise ValidationError([Problem(
            "not-an-article", "the first line is not a title like '= 2004 United States "
            "presidential election in Connecticut ='", builder.source, first.number if first else 1,
            "title")])
    state = STATE_BY_NAME.get(match["state"].lower())
    if state is None:
        raise ValidationError([Problem("unknown-state", f"unknown state {match['state']!r}",
                                       builder.source, first.number, "title")])
    date = _infobox_date(builder.lines)
    return Election(int(match["year"]), state, "president", date, first.text.strip(" ="))


def _infobox_date(lines: list[_Line]) -> dt.date | None:
    for line in lines:
        if line.text.startswith("- Election Date:"):
            try:
                return dt.datetime.strptime(line.text.split(":", 1)[1].strip(), "%B %d, %Y").date()
            except ValueError:
                return None
    return None


def _read_infobox(builder: _Builder) -> None:
    inside = False
    for line in builder.lines:
        if line.text.strip() == "Infobox":
            inside = True
            continue
        if inside and not line.text.startswith("- "):
            break
        if inside:
            key, _, value = line.text[2:].partition(":")
            builder.infobox[key.strip()] = value.strip()
    rows = []
    for n in range(1, 10):
        name = builder.infobox.get(f"Nominee{n}")
        if name is None:
            break
        party = normalize_party(builder.infobox.get(f"Party{n}", ""))
        number = _line_of(builder.lines, f"- Nominee{n}:")
        _add_candidate(builder, name, party, running_mate=builder.infobox.get(f"Running Mate{n}"),
                       home_state=builder.infobox.get(f"Home State{n}"))
        cells = tuple(parse_figure(builder.infobox.get(f"{key}{n}", "")) for key in
                      ("Popular Vote", "Percentage", "Electoral Vote"))
        rows.append(PublishedRow(name, number, cells))
    if rows:
        builder.tables.append(PublishedTable(
            TableKind.INFOBOX, "Infobox", rows[0].line,
            ("Popular vote", "Percentage", "Electoral votes"), tuple(rows)))


def _read_electors(builder: _Builder) -> None:
    in_section = False
    for line in builder.lines:
        heading = HEADING.match(line.text)
        if heading:
            in_section = heading[2].strip().lower() == "electors"
            continue
        match = ELECTOR.match(line.text.strip())
        if in_section and match:
            builder.electors.append(match["name"].strip())


def _line_of(lines: list[_Line], prefix: str) -> int:
    return next((line.number for line in lines if line.text.startswith(prefix)), 0)


# ---- candidates and parties -------------------------------------------------------------------

def _add_candidate(builder: _Builder, name: str, party: str | None,
                   running_mate: str | None = None, home_state: str | None = None) -> str:
    incumbent = "(incumbent)" in name
    write_in = "write-in" in name.lower() or (party or "").lower() == "write in"
    name = re.sub(r"\s*\((incumbent|Write-In)\)", "", name).strip()
    party_id = _add_party(builder, party) if party and party.lower() != "write in" else None
    aggregate = name.lower().startswith("others")
    candidate_id = slug(name) if name else f"unnamed-{len(builder.candidates) + 1}"
    known = builder.candidates.get(candidate_id)
    candidate = Candidate(candidate_id, name, party_id, running_mate or None, home_state or None,
                          incumbent=incumbent, write_in=write_in, aggregate=aggregate)
    if known is not None:
        candidate = replace(known, incumbent=known.incumbent or incumbent,
                            write_in=known.write_in or write_in, party=known.party or party_id,
                            running_mate=known.running_mate or running_mate or None,
                            home_state=known.home_state or home_state or None)
    builder.candidates[candidate_id] = candidate
    return candidate_id


def _add_party(builder: _Builder, party: str) -> str:
    name = normalize_party(party)
    party_id = slug(name)
    builder.parties.setdefault(party_id, Party(party_id, name))
    return party_id


def _candidate_by_header(builder: _Builder, header: str) -> str | None:
    """``"John Kerry Democratic"`` or ``"Kerry"`` → the candidate it names."""
    text = header.strip().lower()
    for candidate in builder.candidates.values():
        name = candidate.name.lower()
        if name and (text.startswith(name) or text == name.split()[-1]):
            return candidate.id
    return None


# ---- tables -----------------------------------------------------------------------------------

def _tables(lines: list[_Line]) -> Iterator[tuple[str, list[_Line], str]]:
    """Each pipe table with the heading of its section and its caption: a ``- … **`` caption
    line, else the line of text just above the table (a poll's match-up)."""
    section, caption, block = "", "", []
    for line in [*lines, _Line(len(lines) + 1, "")]:
        stripped = line.text.strip()
        if stripped.startswith("|"):
            block.append(line)
            continue
        if block:
            yield section, block, caption
            block, caption = [], ""
        heading = HEADING.match(stripped)
        if heading:
            section, caption = heading[2].strip(), ""
        elif stripped.startswith("- ") and stripped.endswith("**"):
            caption = stripped.split("|")[-1].strip(" *")
        elif stripped and not stripped.startswith("<"):
            caption = stripped


def _cells(line: _Line) -> list[str]:
    text = line.text.strip()
    return [cell.strip() for cell in text.strip("|").split("|")]


def _read_table(builder: _Builder, election: Election, section: str, block: list[_Line],
                caption: str) -> None:
    header = _cells(block[0])
    name = section.lower()
    results_header = ["Party", "Candidate", "Votes"]
    if results_header in (header[:3], _cells(block[1])[:3] if len(block) > 1 else []):
        _read_results_table(builder, election, block)
    elif name.startswith("by ") and "district" in name:
        _read_district_table(builder, election, block, section)
    elif name.startswith("by "):
        _read_unit_table(builder, election, block, section)
    elif header and header[0] == "Candidate" and "Round 1" in header:
        _read_rounds_table(builder, block, caption or section)
    elif header and header[0] == "Poll source":
        _read_polls_table(builder, block, caption or section)


def _read_results_table(builder: _Builder, election: Election, block: list[_Line]) -> None:
    rows: list[PublishedRow] = []
    for line in block:
        cells = _cells(line)
        if len(cells) >= 6 and cells[0] == "" and parse_figure(cells[3]) is not None:
            party, name = cells[1], cells[2]
            candidate_id = _add_candidate(builder, name, party)
            builder.count(election.state, candidate_id, cells[3], line.number, "Votes")
            rows.append(PublishedRow(candidate_id, line.number,
                                     tuple(parse_figure(c) for c in cells[3:6])))
        elif cells and _is_total(cells[0]):
            rows.append(PublishedRow("Total", line.number,
                                     tuple(parse_figure(c) for c in cells[1:4])))
            _total_row(builder, line.number, cells[0],
                       parse_figure(cells[1]) if len(cells) > 1 else None)
        elif cells and cells[0].lower().startswith("voter turnout"):
            rows.append(PublishedRow("Turnout", line.number, (None, parse_figure(cells[1]), None)))
    builder.tables.append(PublishedTable(TableKind.RESULTS, "Results", block[0].number,
                                         ("Votes", "Percentage", "Electoral votes"), tuple(rows)))


def _read_result_list(builder: _Builder, election: Election) -> None:
    """The bulleted results of some articles: ``- Name (Party): 992,053 votes`` and a Total line."""
    rows: list[PublishedRow] = []
    by_party = _infobox_by_party(builder)
    for line in builder.lines:
        text = line.text.strip()
        match = RESULT_LINE.match(text)
        if match:
            party = normalize_party(match["party"])
            name = match["name"].strip() or by_party.get(party, "")
            candidate_id = _add_candidate(builder, name, party)
            votes = parse_figure(match["votes"])
            builder.count(election.state, candidate_id, match["votes"], line.number, "votes")
            rows.append(PublishedRow(candidate_id, line.number, (votes, None, None)))
        total = TOTAL_LINE.match(text)
        if total and rows:
            rows.append(PublishedRow("Total", line.number, (parse_figure(total["votes"]), None, None)))
            _total_row(builder, line.number, "Total", parse_figure(total["votes"]))
    if rows:
        builder.tables.append(PublishedTable(TableKind.RESULTS, "Results", rows[0].line,
                                             ("Votes", "Percentage", "Electoral votes"), tuple(rows)))


def _infobox_by_party(builder: _Builder) -> dict[str, str]:
    """Party → nominee, only for parties with exactly one nominee (otherwise it would be a guess)."""
    named: dict[str, list[str]] = {}
    for candidate in builder.candidates.values():
        party = builder.parties.get(candidate.party or "")
        if party:
            named.setdefault(party.name, []).append(candidate.name)
    return {party: names[0] for party, names in named.items() if len(names) == 1}


UNIT_LEVEL = {"county": UnitKind.COUNTY, "council of government": UnitKind.COG,
              "town": UnitKind.TOWN, "municipality": UnitKind.TOWN}


def _read_unit_table(builder: _Builder, election: Election, block: list[_Line],
                     section: str) -> None:
    level = UNIT_LEVEL.get(section.lower().removeprefix("by ").strip())
    if level is None:
        builder.problem("unknown-level", f"unknown unit level in section {section!r}",
                        block[0].number)
        return
    header = _cells(block[0])
    leading = [_candidate_by_header(builder, h) for h in header[1:3]]
    if len(leading) < 2:  # a cut-short header: the two leading candidates' columns are missing
        builder.problem("malformed-row", f"table {section!r} has {len(header)} header cells; "
                        "it needs a unit column then the two leading candidates'", block[0].number)
        return
    if None in leading:
        builder.problem("unknown-candidate", f"table {section!r} names candidates the article's "
                        f"results do not: {header[1:3]}", block[0].number)
        return
    _add_candidate(builder, OTHER_LABEL, None)
    builder.candidates[OTHER_ID] = Candidate(OTHER_ID, OTHER_LABEL, aggregate=True)
    builder.candidates.pop(slug(OTHER_LABEL), None)
    columns = _unit_columns(builder, leading)  # type: ignore[arg-type]
    rows = []
    for line in block[2:]:
        cells = _cells(line)
        figures = tuple(parse_figure(c) for c in cells[1:10])
        label = cells[0]
        rows.append(PublishedRow(label, line.number, figures))
        if _is_total(label):
            _total_row(builder, line.number, label, figures[-1] if figures else None)
            continue
        bad = next((i for i in (0, 2, 4) if i >= len(figures) or figures[i] is None), None)
        if bad is not None:
            cell = cells[bad + 1] if bad + 1 < len(cells) else ""
            builder.problem("malformed-row", f"row {label!r} of {section!r}: {cell!r} is not a "
                            "vote count", line.number, columns[bad])
            continue
        unit = _unit(builder, election, level, label)
        for candidate_id, at in zip((*leading, OTHER_ID), (0, 2, 4), strict=True):
            assert candidate_id is not None
            builder.count(unit.id, candidate_id, cells[at + 1], line.number, columns[at])
    builder.tables.append(PublishedTable(TableKind.UNITS, section, block[0].number, columns,
                                         tuple(rows), level=str(level),
                                         candidates=tuple(leading)))  # type: ignore[arg-type]


def _is_total(label: str) -> bool:
    """A table's total line: "Total", "Totals", "Total votes" (``io.pseudo``'s vocabulary), or a
    label that starts with "Total" ("Total (statewide)")."""
    return pseudo_kind(label) is PseudoKind.TOTAL or label.strip().lower().startswith("total")


def _total_row(builder: _Builder, line: int, label: str, figure: Figure | None) -> None:
    """An article's total line is the article's figure to check (``published``), never votes:
    left out with kind ``total``."""
    kind = PseudoKind.TOTAL
    try:
        votes = parse_count(figure.text, withheld=False) if figure and not figure.percent else None
    except CountError:  # a total is the article's to check (``published``), not a count
        votes = None
    builder.exclusions.append(Exclusion(line, kind.reason, votes, label, kind=KIND_KEYS[kind],
                                        file=builder.source))


def _unit_columns(builder: _Builder, leading: list[str]) -> tuple[str, ...]:
    names = [builder.candidates[c].name for c in leading]
    return (f"{names[0]} #", f"{names[0]} %", f"{names[1]} #", f"{names[1]} %", "Other #",
            "Other %", "Margin #", "Margin %", "Total")


def _unit(builder: _Builder, election: Election, level: UnitKind, name: str) -> Unit:
    fips = county_fips(election.state, name) if level in (UnitKind.COUNTY, UnitKind.COG) else None
    unit_id = fips or f"{election.state}-{level}-{slug(name)}"
    unit = Unit(unit_id, name, level, election.state, fips=fips)
    builder.units.setdefault(unit_id, unit)
    return unit


def _read_district_table(builder: _Builder, election: Election, block: list[_Line],
                         section: str) -> None:
    header = _cells(block[0])
    shares = [_candidate_by_header(builder, h) for h in header[1:3]]
    rows: list[PublishedRow] = []
    for line in block[1:]:
        cells = _cells(line)
        figures = tuple(parse_figure(c) for c in cells[1:3])
        if all(f is None for f in figures):
            continue  # a second representative for the district above (a mid-term change)
        number = len(rows) + 1
        district = Unit(f"{election.state}-{number:02d}", f"District {number}", UnitKind.DISTRICT,
                        election.state)
        builder.units.setdefault(district.id, district)
        rows.append(PublishedRow(district.name, line.number, figures))
    columns = tuple(f"{builder.candidates[c].name if c else h} %"
                    for c, h in zip(shares, header[1:3], strict=True))
    builder.tables.append(PublishedTable(
        TableKind.DISTRICTS, section, block[0].number, columns, tuple(rows),
        level=str(UnitKind.DISTRICT),
        candidates=tuple(c or "" for c in shares)))


def _read_rounds_table(builder: _Builder, block: list[_Line], title: str) -> None:
    """A ranked-choice round table: first round votes and %, then per round (transfer, votes, %)."""
    rounds = sum(1 for cell in _cells(block[0]) if cell.startswith("Round"))
    columns = ["Round 1 votes", "Round 1 %"]
    for n in range(2, rounds + 1):
        columns += [f"Round {n} transfer", f"Round {n} votes", f"Round {n} %"]
    rows = []
    for index, line in enumerate(block[2:], 1):
        cells = _cells(line)
        label = cells[0].strip("' ") or f"unnamed-{index}"
        if label.lower().startswith("active"):
            values = cells[1:]
            figures = tuple(parse_figure(c) for c in values)
            rows.append(PublishedRow("Active ballots", line.number, figures))
            continue
        figures = tuple(parse_figure(c) for c in cells[1:])
        eliminated = next((i for i, c in enumerate(cells[1:]) if c.lower() == "eliminated"), None)
        rows.append(PublishedRow(label, line.number, figures, note=(
            f"eliminated after column {eliminated}" if eliminated is not None else "")))
    builder.tables.append(PublishedTable(TableKind.ROUNDS, title, block[0].number,
                                         tuple(columns), tuple(rows)))


def _read_polls_table(builder: _Builder, block: list[_Line], matchup: str) -> None:
    """Polls of one match-up: sample size, margin of error and each option's share."""
    header = _cells(block[0])
    options = tuple(header[4:])
    rows = []
    for line in block[1:]:
        cells = _cells(line)
        shares = tuple(parse_figure(c) for c in cells[4:4 + len(options)])
        if len(cells) < 4 + len(options) or all(f is None for f in shares):
            continue  # an event row ("Joe Biden withdraws from the race.")
        sample = parse_figure(cells[2].split("(")[0])
        error = parse_figure(cells[3].replace("±", "").strip())
        label = f"{cells[0] or '(unnamed poll)'} ({cells[1]})"
        rows.append(PublishedRow(label, line.number, (sample, error, *shares)))
    builder.tables.append(PublishedTable(TableKind.POLLS, matchup, block[0].number,
                                         ("Sample size", "Margin of error", *options), tuple(rows)))
