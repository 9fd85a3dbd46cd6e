"""Import-stage rules on a file's rows as rows (issue 10 items 7 and 8): a line's ``votes`` against
its vote-type columns, a repeated row against a split precinct, a county-total row against its
precincts. They work on the ``ReturnsTable`` every reader gives, whatever the format, and use the
``line`` of each count: a reader passes every row through, and these rules decide what it is.

Each rule is one function ``ReturnsTable → Finding`` (``io.stage``); its docstring is the rule.
Counts without a line (returns built in code) are left to the integrity checks after them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from electoral.columns import SCHEMA, CountTable, ReturnsTable
from electoral.errors import Problem
from electoral.io.finding import Finding
from electoral.model import Exclusion, Note, Returns, UnitKind, VoteType

KEYS = ["unit", "candidate", "vote_type"]
TOTAL = str(VoteType.TOTAL)
# "two parts": the split-precinct note counts its parts in words up to nine.
WORDS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _rows(table: pa.Table) -> list[tuple[str, str, str, int, int | None]]:
    return list(zip(*(table.column(k).to_pylist() for k in SCHEMA.names), strict=True))


class _Names:
    """What a rule's messages call units and candidates, looked up once per election."""

    def __init__(self, returns: Returns):
        self.units = {u.id: u for u in returns.units}
        self.candidates = {c.id: c.label for c in returns.candidates}
        self.source = returns.source

    def unit(self, unit_id: str) -> str:
        unit = self.units.get(unit_id)
        return unit.name if unit else unit_id

    def candidate(self, candidate_id: str) -> str:
        return self.candidates.get(candidate_id, candidate_id)

    def path(self, unit_id: str) -> tuple[tuple[str, str], ...]:
        """``unit_id``'s (kind, name) from the largest unit below the state down to it."""
        path = []
        unit = self.units.get(unit_id)
        while unit is not None and unit.kind not in (UnitKind.STATE, UnitKind.NATION):
            path.append((str(unit.kind), unit.name))
            unit = self.units.get(unit.parent) if unit.parent else None
        return tuple(path[::-1])


def _sum(parts: Sequence[int | None]) -> str:
    return " + ".join("withheld" if p is None else str(p) for p in parts)


# ---- votes against the vote-type columns --------------------------------------------------------


def votes_match_vote_types(table: ReturnsTable) -> Finding:
    """Where one line gives both a ``votes`` total and vote-type figures for a candidate in a
    unit, the figures add up to the total; else a ``vote_types_mismatch`` problem naming the file,
    the line and the figures (``votes 402, vote types add up to 400 (60 + 108 + 230 + 2)``)."""
    counts = table.counts.table.filter(pc.is_valid(table.counts.table.column("line")))
    is_total = pc.equal(counts.column("vote_type"), TOTAL)
    if not pc.any(is_total).as_py() or pc.all(is_total).as_py():
        return Finding()
    keys = ["unit", "candidate", "line"]
    totals = counts.filter(is_total).select([*keys, "votes"])
    # a withheld figure (null) makes the sum unknown: such a line cannot be checked
    typed = counts.filter(pc.invert(is_total)).group_by(keys).aggregate(
        [("votes", "sum", pc.ScalarAggregateOptions(skip_nulls=False))])
    joined = totals.join(typed, keys=keys, join_type="inner")
    wrong = joined.filter(pc.not_equal(joined.column("votes"), joined.column("votes_sum")))
    if not len(wrong):
        return Finding()
    names = _Names(table.returns)
    parts: dict[tuple[str, str, int | None], list[int]] = defaultdict(list)
    for unit, candidate, _type, votes, line in _rows(counts.filter(pc.invert(is_total))):
        parts[(unit, candidate, line)].append(votes)  # in the file's column order
    problems = []
    for unit, candidate, line, votes, summed in zip(*(wrong.column(k).to_pylist() for k in (
            *keys, "votes", "votes_sum")), strict=True):
        figures = parts[(unit, candidate, line)]
        problems.append(Problem(
            "vote_types_mismatch", f"{names.candidate(candidate)}, {names.unit(unit)}: votes "
            f"{votes}, vote types add up to {summed} ({_sum(figures)})", names.source or None,
            line, "votes", (line,)))
    return Finding(problems=tuple(sorted(problems, key=lambda p: p.line or 0)))


# ---- a repeated row: a duplicate, or a part of a split precinct --------------------------------


def duplicates_and_splits(table: ReturnsTable) -> Finding:
    """Lines that repeat a unit and candidate with other figures are the parts of a split
    precinct: they are added, and a ``split_precinct`` note names the lines and the parts
    (``Alder South, Ada Q. Marsh: two parts, 400 + 35 = 435``). A line whose figures repeat an
    earlier line's exactly (same unit, candidate and every vote-type figure: the row identical in
    every field that counts) is a ``duplicate_row`` problem naming both lines, and is never
    counted twice; except in a unit that the file shows split (some candidate's parts differ
    there), where the repeat is one more part: real files list a split precinct's zero rows
    twice (Bridgeport's Bassick High School, CT 2016), and the note names those parts too."""
    counts = table.counts.table
    repeated = _repeated_lines(counts)
    if not repeated:
        return Finding()
    names = _Names(table.returns)
    lines = counts.filter(pc.is_in(counts.column("line"), value_set=pa.array(repeated, pa.int64())))
    signature: dict[int, tuple[tuple[str, str, str, int], ...]] = {}
    for unit, candidate, vote_type, votes, line in _rows(lines):
        assert line is not None  # the lines were chosen among counts that have one
        signature[line] = (*signature.get(line, ()), (unit, candidate, vote_type, votes))
    kinds: dict[tuple[str, str], set[tuple[tuple[str, str, str, int], ...]]] = defaultdict(set)
    for figures in signature.values():
        kinds[figures[0][:2]].add(tuple(sorted(figures)))
    split = {unit for (unit, _candidate), seen in kinds.items() if len(seen) > 1}
    fused = _fused_lines(table.returns)
    first: dict[tuple[tuple[str, str, str, int], ...], int] = {}
    problems, dropped = [], []
    for line in sorted(signature):
        figures = tuple(sorted(signature[line]))
        if figures in first and figures[0][0] not in split \
                and fused.get(first[figures], -1) != fused.get(line, -2):
            problems.append(_duplicate(names, first[figures], line, signature[line]))
            dropped.append(line)
        else:
            first.setdefault(figures, line)
    kept = counts.filter(pc.invert(pc.is_in(counts.column("line"),
                                            value_set=pa.array(dropped, pa.int64()))))
    notes = _split_notes(names, {n: f for n, f in signature.items()
                                 if n not in dropped and n not in fused})
    summed = _summed(kept) if notes or fused else kept
    return Finding(problems=tuple(problems), notes=notes,
                    table=ReturnsTable(table.returns, CountTable(summed)))


def _fused_lines(returns: Returns) -> dict[int, int]:
    """Line → the fusion note (a reader's ``fusion_party_line`` note: one candidate's party lines in one
    unit) it belongs to. Those lines are one candidate's votes on several party lines: neither a
    split precinct's parts nor, with equal figures, a repeated row."""
    return {line: i for i, note in enumerate(returns.notes)
            if isinstance(note, Note) and note.kind == "fusion_party_line" for line in note.lines}


def _repeated_lines(counts: pa.Table) -> list[int]:
    """The lines of every count whose key another count (with a line) shares."""
    located = counts.filter(pc.is_valid(counts.column("line")))
    joined = pc.binary_join_element_wise(*(located.column(k) for k in KEYS), "\x1f")
    if pc.count_distinct(joined).as_py() == len(located):
        return []
    keyed = pa.table({"key": joined, "line": located.column("line")})
    grouped = keyed.group_by("key").aggregate([([], "count_all")])
    many = grouped.filter(pc.greater(grouped.column("count_all"), 1)).column("key")
    lines = keyed.filter(pc.is_in(keyed.column("key"), value_set=many)).column("line")
    return sorted(set(lines.to_pylist()))


def _duplicate(names: _Names, earlier: int, line: int,
               figures: Sequence[tuple[str, str, str, int]]) -> Problem:
    unit, candidate = figures[0][0], figures[0][1]
    votes = [f[3] for f in figures if f[2] == TOTAL] or [f[3] for f in figures]
    where = ", ".join(name for _kind, name in names.path(unit))
    return Problem("duplicate_row", f"line {line} repeats line {earlier} in every field ({where}, "
                   f"{names.candidate(candidate)}, {_sum(votes)})", names.source or None,
                   earlier, "votes", (earlier, line))


def _split_notes(names: _Names, signature: Mapping[int, Sequence[tuple[str, str, str, int]]]
                 ) -> tuple[Note, ...]:
    """One note per unit and candidate whose figures come from more than one line."""
    parts: dict[tuple[str, str], dict[int, dict[str, int]]] = defaultdict(dict)
    for line, figures in signature.items():
        for unit, candidate, vote_type, votes in figures:
            parts[(unit, candidate)].setdefault(line, {})[vote_type] = votes
    notes = []
    for (unit, candidate), by_line in sorted(parts.items(), key=lambda kv: min(kv[1])):
        if len(by_line) < 2:
            continue
        lines = sorted(by_line)
        shares = [by_line[n].get(TOTAL, _known_sum(by_line[n].values())) for n in lines]
        count = WORDS[len(lines)] if len(lines) < len(WORDS) else str(len(lines))
        whole = "withheld" if None in shares else str(sum(s for s in shares if s is not None))
        said = " + ".join("withheld" if s is None else str(s) for s in shares)
        notes.append(Note(f"{names.unit(unit)}, {names.candidate(candidate)}: {count} parts, "
                          f"{said} = {whole}", "split_precinct", tuple(lines), names.source))
    return tuple(notes)


def _known_sum(values: Iterable[int | None]) -> int | None:
    """The sum of ``values``; ``None`` (withheld) when any one is."""
    figures = list(values)
    return None if None in figures else sum(v for v in figures if v is not None)


def _summed(counts: pa.Table) -> pa.Table:
    """One count per key: the parts' votes added, the first part's line kept. Counts without a
    line are left as they are, for the integrity checks."""
    located = pc.is_valid(counts.column("line"))
    # a withheld part (null) leaves the whole figure withheld, never a smaller known one
    grouped = counts.filter(located).group_by(KEYS, use_threads=False).aggregate(
        [("votes", "sum", pc.ScalarAggregateOptions(skip_nulls=False)), ("line", "min")])
    summed = pa.table([grouped.column(k) for k in KEYS] + [grouped.column("votes_sum"),
                                                            grouped.column("line_min")],
                      schema=SCHEMA)
    return pa.concat_tables([summed, counts.filter(pc.invert(located))])


# ---- county-total rows beside their precincts --------------------------------------------------


def county_total_rows(table: ReturnsTable) -> Finding:
    """A count on a unit (a county, a town) that also has counted units below it is that unit's
    total row, not more votes: each of its figures is checked against the sum of the same
    candidate's and vote type's figures in the units below (the smallest ones counted). A line that
    agrees is left out (an ``Exclusion`` of kind ``county_total``, with its line and the check);
    one that does not is a ``county_total_mismatch`` problem naming the line and the figures
    (``Kent, Cole R. Dunmore: county row 660, precincts add up to 650 (350 + 300)``). A total row
    never stands in for a candidate's precinct figures, nor they for it. A candidate with no figure
    in any unit below is counted on the unit itself: there is nothing for its row to total."""
    returns = table.returns
    counts = table.counts.table
    parent = {u.id: u.parent for u in returns.units}
    counted = set(pc.unique(counts.column("unit")).to_pylist())
    # A state's (or the nation's) own row beside its counties is the source's statewide figure:
    # readers set such rows aside themselves, and an article's is a published figure that
    # ``check`` recomputes (CT's counties and planning regions both add up to it).
    kind = {u.id: u.kind for u in returns.units}
    above = {u: [a for a in _ancestors(parent, u)
                 if a in counted and kind.get(a) not in (UnitKind.STATE, UnitKind.NATION)]
             for u in counted}
    totals = {a for ancestors in above.values() for a in ancestors}
    if not totals:
        return Finding()
    below: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    is_total_unit = pc.is_in(counts.column("unit"), value_set=pa.array(sorted(totals), pa.string()))
    # only the counts under a total row are its parts (a state file's one county total row does
    # not make every other county's precincts worth reading here)
    inside = pa.array(sorted(u for u, a in above.items() if a and u not in totals), pa.string())
    parts_of = counts.filter(pc.is_in(counts.column("unit"), value_set=inside))
    for unit, candidate, vote_type, votes, _line in _rows(parts_of):
        for ancestor in above[unit]:
            below[(ancestor, candidate, vote_type)].append(votes)
    # A candidate counted only on the unit itself (a statewide-only minor candidate beside
    # county figures for the others) has nothing below to be the total of: those votes stand.
    has_below = {(unit, candidate) for unit, candidate, _type in below}
    rows: dict[tuple[str, str, int | None], list[tuple[str, int]]] = defaultdict(list)
    for unit, candidate, vote_type, votes, line in _rows(counts.filter(is_total_unit)):
        if (unit, candidate) in has_below:
            rows[(unit, candidate, line)].append((vote_type, votes))
    names = _Names(returns)
    problems, exclusions = [], []
    for (unit, candidate, line), figures in rows.items():
        checked = _check_total(names, unit, candidate, line, figures, below)
        if isinstance(checked, Problem):
            problems.append(checked)
        else:
            exclusions.append(checked)
    standing = pa.array([(u, c) not in has_below for u, c in zip(
        counts.column("unit").to_pylist(), counts.column("candidate").to_pylist(), strict=True)])
    kept = counts.filter(pc.or_(pc.invert(is_total_unit), standing))
    return Finding(problems=tuple(problems), exclusions=tuple(exclusions),
                    table=ReturnsTable(returns, CountTable(kept)))


def _ancestors(parent: Mapping[str, str | None], unit: str) -> Iterable[str]:
    seen = {unit}
    ancestor = parent.get(unit)
    while ancestor is not None and ancestor not in seen:  # a loop in the tree is not followed
        seen.add(ancestor)
        yield ancestor
        ancestor = parent.get(ancestor)


def _check_total(names: _Names, unit: str, candidate: str, line: int | None,
                 figures: Sequence[tuple[str, int]],
                 below: Mapping[tuple[str, str, str], list[int]]) -> Problem | Exclusion:
    """The left-out entry of one total row whose every figure equals its parts' sum, else the
    problem naming the first that does not (the ``votes`` total first)."""
    name, path = names.candidate(candidate), names.path(unit)
    kind = path[-1][0] if path else "unit"
    lower = "precincts" if kind in (UnitKind.COUNTY, UnitKind.TOWN) else "units below"
    for vote_type, votes in sorted(figures, key=lambda f: f[0] != TOTAL):
        parts = below.get((unit, candidate, vote_type), [])
        if votes is None or None in parts:
            continue  # a withheld figure: the row cannot be checked, and still never counts
        if sum(parts) != votes:
            what = "" if vote_type == TOTAL else f" ({vote_type})"
            return Problem("county_total_mismatch", f"{names.unit(unit)}, {name}: {kind} row "
                           f"{votes}{what}, {lower} add up to {sum(parts)} "
                           f"({_sum(parts) or 'none'})", names.source or None, line, "votes",
                           (line,) if line else ())
    figure = dict(figures)
    vote_type = TOTAL if TOTAL in figure else figures[0][0]
    parts = below.get((unit, candidate, vote_type), [])
    return Exclusion(line or 0, f"{kind} total row (checked against its {lower}: agrees)",
                     figure[vote_type], name, kind="county_total", unit=path,
                     file=names.source, candidate=name,
                     detail=f"{figure[vote_type]} = {_sum(parts)}" if figure[vote_type] is not None
                     and None not in parts else "not checked: a count is withheld")


RULES = (votes_match_vote_types, duplicates_and_splits, county_total_rows)
