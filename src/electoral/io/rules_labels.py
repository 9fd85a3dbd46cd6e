"""The import stage's label rules: what a row's party, candidate label and spelling mean.

Readers pass every row of the wanted contest through as the file writes it (issue 10 items 1-3,
docs/import-json.md): party labels as written, rows that are not votes ("Total Votes",
"Registered Voters") as candidates named by their label, each candidate as each unit spells it.
These rules, run in this order from ``io.stage.RULES``, decide what those labels mean, so the
vocabularies live in one place (``electoral.parties``, ``io.pseudo``, ``io.names``):

* ``canonical_parties``: every party label becomes its canonical party; unknown labels are kept
  as their own party and listed;
* ``pseudo_rows``: rows that are not votes for a candidate are left out, each with its kind, and
  total and ballots-cast rows are checked against the unit's candidates;
* ``spellings``: within the contest, spellings of one candidate become one candidate; a spelling
  that fits two is kept apart and listed, never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from electoral.columns import CountTable, ReturnsTable
from electoral.errors import Problem
from electoral.io.finding import Finding
from electoral.io.names import CandidateGroup, Merge, merge_spellings
from electoral.io.pseudo import KIND_KEYS as KIND_KEYS
from electoral.io.pseudo import (
    Check,
    PseudoKind,
    UnitRow,
    label_key,
    pseudo_kind,
    shape_above,
    shape_totals,
    write_in_parts,
)
from electoral.model import (
    Candidate,
    Exclusion,
    Merged,
    Note,
    Party,
    Returns,
    StageWarning,
    UndecidedSpelling,
    Unit,
    UnitFacts,
    UnitKind,
    VoteType,
)
from electoral.parties import canonical_party, is_canonical

TOTAL = str(VoteType.TOTAL)


def unit_names(returns: Returns) -> dict[str, tuple[tuple[str, str], ...]]:
    """Unit id → its names from the largest level below the state down to itself, as
    ``(kind, name)`` pairs: ``(("county", "Kent"), ("precinct", "Alder 1"))``."""
    units = {u.id: u for u in returns.units}
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for unit in returns.units:
        chain: list[tuple[str, str]] = []
        current: Unit | None = unit
        while current is not None and current.kind not in (UnitKind.STATE, UnitKind.NATION):
            chain.append((str(current.kind), current.name))
            current = units.get(current.parent) if current.parent else None
        out[unit.id] = tuple(reversed(chain))
    return out


# ---- parties -----------------------------------------------------------------------------------


def canonical_parties(table: ReturnsTable) -> Finding:
    """Every party label maps to one canonical party (``electoral.parties.canonical_party``):
    the election's parties become the canonical ones (id and display name) and each candidate's
    party follows; a label that names no party ("NP", "(I)") leaves the candidate without one.
    A label not in the table stays its own party and is listed in ``Returns.unknown_parties``.
    A candidate whose party id is not among the election's parties is left to
    ``references_known``."""
    returns = table.returns
    if not returns.parties:
        return Finding()
    meaning: dict[str, Party | None] = {p.id: canonical_party(p.name) for p in returns.parties}
    parties: dict[str, Party] = {}
    for party in meaning.values():
        if party is not None:
            parties.setdefault(party.id, party)
    candidates = tuple(replace(c, party=_new_party(c.party, meaning)) for c in returns.candidates)
    unknown = tuple(sorted({p.name for p in parties.values() if not is_canonical(p)}))
    if candidates == returns.candidates and tuple(parties.values()) == returns.parties \
            and not unknown:
        return Finding()
    notes = (f"party labels not in the table of canonical parties, kept as their own: "
             f"{', '.join(unknown)}",) if unknown else ()
    changed = replace(returns, parties=tuple(parties.values()), candidates=candidates,
                      unknown_parties=tuple(sorted({*returns.unknown_parties, *unknown})))
    return Finding(notes=notes, table=ReturnsTable(changed, table.counts))


def _new_party(party: str | None, meaning: Mapping[str, Party | None]) -> str | None:
    if party is None or party not in meaning:
        return party
    found = meaning[party]
    return None if found is None else found.id


# ---- pseudo rows -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    candidate: str
    vote_type: str
    votes: int
    line: int | None


@dataclass(slots=True)
class _Sorting:
    """What ``pseudo_rows`` decided, row by row, for one election."""

    returns: Returns
    names: dict[str, tuple[tuple[str, str], ...]]
    left: dict[tuple[str, str, int | None], tuple[PseudoKind, str, bool]]  # → kind, detail, shape
    problems: list[Problem]
    kept_write_in_totals: set[str]


def pseudo_rows(table: ReturnsTable) -> Finding:
    """Rows that are not votes for a candidate are never counted (issue 10 item 1).

    A candidate whose label is in ``io.pseudo``'s vocabulary, or whose rows are totals by shape
    (``pseudo.shape_totals``: no party, equal to the others in every unit it is in), is left out
    row by row as an ``Exclusion`` with its kind key (``KIND_KEYS``), unit names, label and votes.
    "Write-In Totals" is left out where its unit lists the write-ins it sums (and must equal
    them); alone it stays, as the aggregate of the unit's write-ins. Each total row must equal
    the sum of its unit's candidates (problem ``total_mismatch``), each ballots-cast / times-
    counted row must be at least that sum (``ballots_below_votes``); both name file and line.
    Ballots cast and registered voters become the unit's ``UnitFacts`` where the reader gave none.
    """
    returns = table.returns
    kinds = {c.id: k for c in returns.candidates if (k := pseudo_kind(c.name)) is not None}
    loose = {c.id for c in returns.candidates
             if c.id not in kinds and not c.party and not c.aggregate}
    if not kinds and not loose:
        return Finding()
    units = _rows_by_unit(table.counts.table, set(kinds) | loose)
    sorting = _Sorting(returns, unit_names(returns), {}, [], set())
    shape = _shape_ids(returns, units, loose)
    for unit, rows in units.items():
        _sort_unit(sorting, unit, rows, kinds, shape)
    if not sorting.left and not sorting.kept_write_in_totals:
        return Finding(problems=tuple(sorting.problems))
    found = _left_out(table, sorting, kinds, shape)
    # a write-in total with no write-ins beside it is the write-in votes: counted, as an
    # aggregate (never a candidate who could win), and said
    notes = tuple(Note(f"{_label(returns, c)!r} is counted as the write-in votes (no write-in "
                       "candidates are listed beside it)", source=returns.source)
                  for c in sorted(sorting.kept_write_in_totals))
    return replace(found, warnings=_above_warnings(sorting, shape), notes=found.notes + notes)


def _above_warnings(sorting: _Sorting, shape: Mapping[str, PseudoKind]) -> tuple[StageWarning, ...]:
    """One ``left_out_by_shape`` warning per label left out as turnout by its shape: a guess
    from the figures, so the user is told which label and where."""
    out = []
    for candidate in sorted(c for c, kind in shape.items() if kind is PseudoKind.VOTERS):
        lines = sorted({n for (c, _u, n) in sorting.left if c == candidate and n is not None})
        out.append(StageWarning(
            "left_out_by_shape", f"{_label(sorting.returns, candidate)!r} has no party and more "
            "votes than all the party candidates together in every unit it is in: left out as "
            "turnout or registration, not a candidate (if it is one, give it a party)",
            tuple(lines), sorting.returns.source))
    return tuple(out)


def _rows_by_unit(counts: pa.Table, involved: set[str]) -> dict[str, list[_Row]]:
    """Every row of the units where an ``involved`` candidate has a row, by unit, in line order."""
    mask = pc.is_in(counts.column("candidate"), value_set=pa.array(sorted(involved), pa.string()))
    units = pc.unique(counts.column("unit").filter(mask))
    local = counts.filter(pc.is_in(counts.column("unit"), value_set=units))
    out: dict[str, list[_Row]] = defaultdict(list)
    columns = [local.column(k).to_pylist() for k in ("unit", "candidate", "vote_type", "votes",
                                                     "line")]
    for unit, candidate, vote_type, votes, line in zip(*columns, strict=True):
        out[unit].append(_Row(candidate, vote_type, votes, line))
    for rows in out.values():
        rows.sort(key=lambda r: (r.line is None, r.line or 0))
    return out


def _shape_ids(returns: Returns, units: Mapping[str, list[_Row]], loose: set[str]
               ) -> dict[str, PseudoKind]:
    """The partyless candidates whose rows are totals (kind TOTAL) or turnout (kind VOTERS) by
    shape, in every vote type's table."""
    if not loose:
        return {}
    by_id = {c.id: c for c in returns.candidates}
    contest: dict[str, list[_Row]] = defaultdict(list)
    for unit, rows in units.items():
        for row in rows:
            contest[f"{unit}\x1f{row.vote_type}"].append(row)
    shaped = {key: [UnitRow(by_id[r.candidate].name if r.candidate in by_id else r.candidate,
                            r.votes, by_id[r.candidate].party if r.candidate in by_id else None)
                    for r in rows] for key, rows in contest.items()
              if any(r.candidate in loose for r in rows)}
    found = {contest[t.unit][t.index].candidate: PseudoKind.TOTAL for t in shape_totals(shaped)}
    above = set(shape_above(shaped))
    for candidate in loose - set(found):
        if candidate in by_id and not by_id[candidate].aggregate \
                and label_key(by_id[candidate].name) in above:
            found[candidate] = PseudoKind.VOTERS
    return found


def _label(returns: Returns, candidate: str) -> str:
    try:
        return returns.candidate(candidate).label
    except KeyError:
        return candidate


def _sort_unit(sorting: _Sorting, unit: str, rows: list[_Row], kinds: Mapping[str, PseudoKind],
               shape: Mapping[str, PseudoKind]) -> None:
    """Decide, for one unit, which rows are left out and check its totals."""
    by_type: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        by_type[row.vote_type].append(row)
    write_in_totals_left: set[int] = set()
    for group in by_type.values():
        if any(kinds.get(r.candidate) is PseudoKind.WRITE_IN_TOTAL for r in group):
            write_in_totals_left |= _write_in_totals(sorting, unit, group)
    real = [r for r in rows if r.candidate not in shape
            and (r.candidate not in kinds or (kinds[r.candidate] is PseudoKind.WRITE_IN_TOTAL
                                              and id(r) not in write_in_totals_left))]
    for row in rows:
        if row.candidate in shape:
            kind = shape[row.candidate]
        elif row.candidate in kinds:
            kind = kinds[row.candidate]
        else:
            continue
        if kind is PseudoKind.WRITE_IN_TOTAL:
            if id(row) not in write_in_totals_left:
                sorting.kept_write_in_totals.add(row.candidate)
            continue
        detail = _check(sorting, unit, row, kind, real, row.candidate in shape)
        _leave(sorting, unit, row, kind, detail, row.candidate in shape)


def _write_in_totals(sorting: _Sorting, unit: str, group: Sequence[_Row]) -> set[int]:
    """The write-in total rows of one unit and vote type that are left out (beside their parts)."""
    returns = sorting.returns
    unit_rows = [UnitRow(_label(returns, r.candidate), r.votes, _party(returns, r.candidate))
                 for r in group]
    left = set()
    for found in write_in_parts(unit_rows):
        if not found.beside_parts:
            continue
        row = group[found.index]
        parts = " + ".join(f"{unit_rows[i].label} {unit_rows[i].votes}" for i in found.parts)
        total = sum(unit_rows[i].votes for i in found.parts)
        if not found.agrees:
            sorting.problems.append(Problem(
                "total_mismatch", f"{_unit_name(sorting, unit)}: {unit_rows[found.index].label} "
                f"{row.votes}, its write-ins add up to {total} ({parts})",
                returns.source or None, row.line, "votes"))
        left.add(id(row))
        _leave(sorting, unit, row, PseudoKind.WRITE_IN_TOTAL, f"{row.votes} = {parts}", False)
    return left


def _party(returns: Returns, candidate: str) -> str | None:
    try:
        return returns.candidate(candidate).party
    except KeyError:
        return None


def _unit_name(sorting: _Sorting, unit: str) -> str:
    names = sorting.names.get(unit)
    return names[-1][1] if names else unit


def _check(sorting: _Sorting, unit: str, row: _Row, kind: PseudoKind, real: Sequence[_Row],
           shape: bool) -> str:
    """Check a total or turnout row against its unit's candidates; the left-out detail."""
    check = Check.EQUAL if shape and kind is PseudoKind.TOTAL else kind.check
    if check is Check.NONE:
        return ""
    parts = _candidate_votes(real, row.vote_type)
    total = sum(parts)
    figures = " + ".join(str(p) for p in parts) or "0"
    label = _label(sorting.returns, row.candidate)
    if check is Check.EQUAL and row.votes != total:
        sorting.problems.append(Problem(
            "total_mismatch", f"{_unit_name(sorting, unit)}: {label} {row.votes}, candidates add "
            f"up to {total} ({figures})", sorting.returns.source or None, row.line, "votes"))
    elif check is Check.AT_LEAST and row.votes < total:
        sorting.problems.append(Problem(
            "ballots_below_votes", f"{_unit_name(sorting, unit)}: {label} {row.votes}, candidates "
            f"add up to {total} ({figures})", sorting.returns.source or None, row.line, "votes"))
    if check is Check.EQUAL:
        return f"{'shape: ' if shape else ''}{row.votes} = {figures}"
    return f"{row.votes} >= {total} ({figures})"


def _candidate_votes(real: Sequence[_Row], vote_type: str) -> list[int]:
    """Each candidate's votes in the unit, in line order: of ``vote_type``, or for the total
    their TOTAL rows where they have any, else the sum of their vote types."""
    if vote_type != TOTAL:
        return [r.votes for r in real if r.vote_type == vote_type]
    per: dict[str, list[_Row]] = defaultdict(list)
    for row in real:
        per[row.candidate].append(row)
    out = []
    for rows in per.values():
        totals = [r.votes for r in rows if r.vote_type == TOTAL]
        out.append(sum(totals) if totals else sum(r.votes for r in rows))
    return out


def _leave(sorting: _Sorting, unit: str, row: _Row, kind: PseudoKind, detail: str,
           shape: bool) -> None:
    key = (row.candidate, unit, row.line)
    known = sorting.left.get(key)
    if known is None or (row.vote_type == TOTAL and not known[1]):
        sorting.left[key] = (kind, detail, shape)


def _left_out(table: ReturnsTable, sorting: _Sorting, kinds: Mapping[str, PseudoKind],
              shape: Mapping[str, PseudoKind]) -> Finding:
    """The table without the rows left out, and their exclusions."""
    returns = table.returns
    counts = table.counts.table
    left_keys = set(sorting.left)
    candidate = counts.column("candidate").to_pylist()
    unit = counts.column("unit").to_pylist()
    line = counts.column("line").to_pylist()
    vote_type = counts.column("vote_type").to_pylist()
    votes = counts.column("votes").to_pylist()
    keep = [(c, u, n) not in left_keys for c, u, n in zip(candidate, unit, line, strict=True)]
    votes_of: dict[tuple[str, str, int | None], dict[str, int]] = defaultdict(dict)
    facts: dict[tuple[str, str], int] = defaultdict(int)
    for i, kept in enumerate(keep):
        if kept:
            continue
        key = (candidate[i], unit[i], line[i])
        votes_of[key][vote_type[i]] = votes_of[key].get(vote_type[i], 0) + votes[i]
    exclusions = []
    for key, (kind, detail, is_shape) in sorted(sorting.left.items(),
                                                key=lambda kv: (kv[0][2] or 0, kv[0][1], kv[0][0])):
        by_type = votes_of[key]
        total = by_type.get(TOTAL, sum(by_type.values()))
        exclusions.append(Exclusion(
            key[2] or 0, kind.description + (" (recognised by shape)" if is_shape else ""), total,
            _label(returns, key[0]), 1, KIND_KEYS[kind], sorting.names.get(key[1], ()),
            returns.source, None, detail))
        if TOTAL in by_type and kind in (PseudoKind.BALLOTS_CAST, PseudoKind.TIMES_COUNTED,
                                         PseudoKind.REGISTERED_VOTERS):
            facts[(key[1], "registered" if kind is PseudoKind.REGISTERED_VOTERS
                   else "ballots_cast")] += by_type[TOTAL]
    kept_table = CountTable(counts.filter(pa.array(keep, pa.bool_())))
    remaining = set(pc.unique(kept_table.table.column("candidate")).to_pylist())
    candidates = tuple(
        replace(c, aggregate=True, write_in=True) if c.id in sorting.kept_write_in_totals else c
        for c in returns.candidates
        if not ((c.id in kinds or c.id in shape) and c.id not in remaining))
    changed = replace(returns, candidates=candidates, facts=_facts(returns.facts, facts))
    return Finding(problems=tuple(sorting.problems), exclusions=tuple(exclusions),
                    table=ReturnsTable(changed, kept_table))


def _facts(known: Sequence[UnitFacts], found: Mapping[tuple[str, str], int]) -> tuple[UnitFacts, ...]:
    """``known`` with the ballots cast and registered voters of left-out rows where unknown."""
    out = {f.unit: f for f in known}
    for (unit, what), value in found.items():
        fact = out.get(unit, UnitFacts(unit))
        if what == "ballots_cast" and fact.ballots_cast is None:
            out[unit] = replace(fact, ballots_cast=value)
        elif what == "registered" and fact.registered is None:
            out[unit] = replace(fact, registered=value)
    return tuple(out.values())


# ---- spellings ---------------------------------------------------------------------------------


def spellings(table: ReturnsTable) -> Finding:
    """Spellings of one candidate within the contest become one candidate (issue 10 item 2).

    ``io.names.merge_spellings`` groups the candidates' names by surname, party and the
    running-mate forms; each group of two or more spellings becomes the candidate of its display
    name (its party, its running mate) and is listed in ``Returns.merged``. A spelling that fits
    two or more candidates stays its own candidate and is listed, row by row, in
    ``Returns.undecided``. Where two spellings of one group have a count in the same unit and vote
    type, the group is not merged (that is two rows, perhaps two people) and a note says so.
    Aggregates ("All Others") are never merged. The user's aliases: ``with_aliases``.
    """
    return _spellings(table, None)


def with_aliases(aliases: Mapping[str, str] | None) -> Callable[[ReturnsTable], Finding]:
    """The ``spellings`` rule with the user's aliases (spelling → candidate name, as
    ``io.names.read_aliases`` reads them): an aliased spelling joins that candidate."""
    if not aliases:
        return spellings
    return lambda table: _spellings(table, aliases)


def _spellings(table: ReturnsTable, aliases: Mapping[str, str] | None) -> Finding:
    returns = table.returns
    named = [c for c in returns.candidates if not c.aggregate and c.name]
    if len(named) < 2:
        return Finding()
    by_spelling: dict[tuple[str, str | None], list[Candidate]] = defaultdict(list)
    for c in named:
        by_spelling[(" ".join(c.name.split()), c.party or None)].append(c)
    merge = merge_spellings(by_spelling, aliases)
    counts = table.counts.table
    target: dict[str, str] = {}
    merged: list[Merged] = []
    notes: list[str] = []
    renamed: dict[str, Candidate] = {}
    for group in merge.groups:
        members = [c for s in group.spellings for c in by_spelling.get(s, ())]
        if len(members) < 2:
            continue
        if _overlap(counts, [c.id for c in members]):
            notes.append(f"spellings of {group.name} ({', '.join(s for s, _ in group.spellings)}) "
                         "both have votes in one unit: kept apart, not merged")
            continue
        lead = _lead(group, members)
        renamed[lead.id] = replace(lead, name=group.name, party=group.party,
                                   running_mate=lead.running_mate or group.running_mate)
        target.update({c.id: lead.id for c in members if c.id != lead.id})
        spelled = tuple(sorted({c.name for c in members}))
        merged.append(Merged(group.name, group.party, spelled))
        notes.append(Note(f"merged {len(spelled)} spellings of {group.name}: {'; '.join(spelled)}",
                          "merged"))
    undecided = undecided_rows(table, merge, by_spelling)
    notes += [Note(f"{u.spelling!r} ({u.votes} votes) could be "
                   f"{' or '.join(n for n, _ in u.candidates)}: kept apart, not merged",
                   "undecided_spelling", (u.line,) if u.line else ())
              for u in undecided]
    if not merged and not undecided:
        return Finding(notes=tuple(notes))
    candidates = tuple(renamed.get(c.id, c) for c in returns.candidates if c.id not in target)
    changed = replace(returns, candidates=candidates, merged=(*returns.merged, *merged),
                      undecided=(*returns.undecided, *undecided))
    return Finding(notes=tuple(notes), table=ReturnsTable(changed, retarget(table.counts, target)))


def _overlap(counts: pa.Table, ids: Sequence[str]) -> bool:
    """Whether two of ``ids`` have a count of one unit and vote type."""
    rows = counts.filter(pc.is_in(counts.column("candidate"), value_set=pa.array(ids, pa.string())))
    pairs = rows.group_by(["unit", "vote_type"]).aggregate([("candidate", "count_distinct")])
    return bool(len(pairs)) and pc.max(pairs.column("candidate_count_distinct")).as_py() > 1


def _lead(group: CandidateGroup, members: Sequence[Candidate]) -> Candidate:
    """The member that becomes the merged candidate: the one spelled as the display name."""
    return next((c for c in members if c.name == group.name), members[0])


def retarget(counts: CountTable, target: Mapping[str, str]) -> CountTable:
    """``counts`` with each candidate id of ``target`` replaced by the id it maps to."""
    if not target:
        return counts
    table = counts.table
    old = pa.array(list(target), pa.string())
    new = pa.array(list(target.values()), pa.string())
    index = pc.index_in(table.column("candidate"), value_set=old)
    moved = pc.if_else(pc.is_valid(index), pc.take(new, index), table.column("candidate"))
    return CountTable(table.set_column(1, "candidate", moved))


def undecided_rows(table: ReturnsTable, merge: Merge,
                   by_spelling: Mapping[tuple[str, str | None], Sequence[Candidate]]
                   ) -> tuple[UndecidedSpelling, ...]:
    """One entry per row of each undecided spelling, with the candidates it could be."""
    returns = table.returns
    labels = {(f"{g.name} ({g.party})" if g.party else g.name): (g.name, g.party)
              for g in merge.groups}
    names = unit_names(returns)
    out = []
    counts = table.counts.table
    for item in merge.undecided:
        could = tuple(labels[label] for label in item.could_be if label in labels)
        ids = [c.id for c in by_spelling.get(item.spelling, ())]
        rows = counts.filter(pc.is_in(counts.column("candidate"), value_set=pa.array(ids, pa.string())))
        for (unit, line), votes in _row_votes(rows).items():
            out.append(UndecidedSpelling(item.spelling[0], votes, could, line, names.get(unit, ()),
                                         returns.source))
    return tuple(out)


def _row_votes(rows: pa.Table) -> dict[tuple[str, int | None], int]:
    """Votes per (unit, line): the line's TOTAL count, else the sum of its vote types."""
    per: dict[tuple[str, int | None], dict[str, int]] = defaultdict(dict)
    for unit, vote_type, votes, line in zip(*(rows.column(k).to_pylist() for k in
                                              ("unit", "vote_type", "votes", "line")), strict=True):
        kinds = per[(unit, line)]
        kinds[vote_type] = kinds.get(vote_type, 0) + votes
    return {key: kinds.get(TOTAL, sum(kinds.values())) for key, kinds in per.items()}
