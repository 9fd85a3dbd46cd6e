"""electoral's own CSV: one row per count, every unit placed in its parent.

    election,unit,unit_name,unit_kind,parent,fips,candidate,party,votes,vote_type,groups,
    candidate_id,candidate_flags

``votes`` is a count (``io.counts``), ``*`` where the source withheld it. A row with neither a
candidate nor votes declares a unit that has no counts of its own (a town or county above the
precincts that have them), with its name, kind, parent and FIPS, so an export reads back to the
same units at every level; ``groups`` lists the groupings a unit is also in (space-separated ids);
``candidate_id`` keeps a candidate's id (the slug of its name where absent), so a candidate a
source left unnamed (``unnamed-4``, empty ``candidate``) reads back as itself, and
``candidate_flags`` its marks (space-separated ``aggregate``, ``write-in``, ``incumbent``: a
source's "Various candidates" stays a lump of others, never a candidate who can win). A text cell that
begins with ``'`` and then ``=``, ``+``, ``-``, ``@``, tab or CR is read without the ``'``:
``write_native`` puts it there so that no spreadsheet runs a name as a formula.
Only ``election``, ``unit``, ``candidate`` and ``votes`` are required; ``unit_kind`` defaults to
``county``, ``parent`` to the state, ``vote_type`` to ``total``. A file may hold several elections.
Units named as a ``parent`` but never given a row of their own are created as counties named by
their id (the state always is); a later row of that unit gives its own name and kind.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import TextIO

from electoral.errors import Problem, ValidationError
from electoral.io import Format, ReadOptions, register
from electoral.io.counts import WITHHELD, CountError, parse_count
from electoral.io.escaping import FORMULA_STARTS, write_csv
from electoral.io.rules_numbers import is_adjustment
from electoral.model import (
    STATE_NAMES,
    Candidate,
    Count,
    Election,
    Party,
    Returns,
    Unit,
    UnitKind,
    VoteType,
    slug,
)

COLUMNS = ("election", "unit", "unit_name", "unit_kind", "parent", "fips", "candidate", "party",
           "votes", "vote_type", "groups", "candidate_id", "candidate_flags")
REQUIRED = ("election", "unit", "candidate", "votes")
FLAGS = ("aggregate", "write-in", "incumbent")


@dataclass(slots=True)
class _Election:
    election: Election
    units: dict[str, Unit] = field(default_factory=dict)
    candidates: dict[str, Candidate] = field(default_factory=dict)
    parties: dict[str, Party] = field(default_factory=dict)
    counts: dict[tuple[str, str, VoteType], Count] = field(default_factory=dict)
    # parents created from a child's ``parent`` cell, before (or without) a row of their own
    placeholders: set[str] = field(default_factory=set)


@register(Format.NATIVE)
def read_native(stream: TextIO, source: str, options: ReadOptions) -> list[Returns]:
    """Every election of a native CSV (one row per unit, candidate and vote type; votes as
    whole numbers), one ``Returns`` each, in the order first seen.

    Raises:
        ValidationError: a column is missing or rows are bad, every problem located by line and
            field.
    """
    reader = csv.DictReader(stream)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError([Problem("missing-column", f"no {c!r} column; the header needs "
                                       f"{', '.join(REQUIRED)}", source, 1, c) for c in missing])
    elections: dict[str, _Election] = {}
    problems: list[Problem] = []
    try:
        for row in reader:
            try:
                _add(elections, row, reader.line_num)
            except _RowError as exc:
                problems.append(Problem(exc.code, exc.message, source, reader.line_num, exc.field))
    except csv.Error as exc:
        problems.append(Problem("malformed-file", f"not readable as CSV: {exc}", source,
                                reader.reader.line_num))
    if problems:
        raise ValidationError(problems)
    return [_returns(e, source) for e in elections.values()]


class _RowError(Exception):
    def __init__(self, code: str, message: str, field: str):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def _add(elections: dict[str, _Election], row: dict[str, str | None], line: int) -> None:
    value = {k: unguarded((v or "").strip()) for k, v in row.items() if k is not None}
    election_id = value["election"]
    if election_id not in elections:
        try:
            elections[election_id] = _Election(Election.from_id(election_id))
        except ValidationError as exc:
            raise _RowError("bad-election", exc.problems[0].message, "election") from None
    target = elections[election_id]
    state = target.election.state
    target.units.setdefault(state, Unit(state, STATE_NAMES.get(state, state), UnitKind.STATE))
    unit = _unit(value, state)
    if unit.id in target.placeholders:  # its own row says what the placeholder is
        target.placeholders.discard(unit.id)
        target.units[unit.id] = unit
    known = target.units.get(unit.id)
    if known is not None and known.kind != unit.kind:
        raise _RowError("conflicting-unit", f"unit {unit.id!r} is a {known.kind} above but a "
                        f"{unit.kind} here", "unit_kind")
    target.units.setdefault(unit.id, unit)
    if unit.parent and unit.parent not in target.units:
        target.units[unit.parent] = Unit(unit.parent, unit.parent, UnitKind.COUNTY, state)
        target.placeholders.add(unit.parent)
    if not value.get("candidate") and not value.get("candidate_id") and not value.get("votes"):
        return  # a unit's own row: no count
    candidate = _candidate(target, value)
    vote_type = _vote_type(value.get("vote_type") or "total")
    key = (unit.id, candidate.id, vote_type)
    if key in target.counts:
        raise _RowError("duplicate-row", f"a second {vote_type} count for {candidate.name!r} in "
                        f"{unit.id!r}", "votes")
    # the line lets the import stage locate what it finds (a pseudo row left out, a total)
    target.counts[key] = Count(unit.id, candidate.id,
                               _votes(value["votes"], is_adjustment(unit.name)), vote_type, line)


def unguarded(text: str) -> str:
    """A cell as it was before ``write_native`` guarded it (``io.escaping.csv_cell``): exactly one
    leading ``'`` taken off where a formula start (``=``, ``+``, ``-``, ``@``, tab, CR) follows,
    so an exported file imports back to the same names."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_STARTS else text


def _unit(value: dict[str, str], state: str) -> Unit:
    unit_id = value["unit"]
    if not unit_id:
        raise _RowError("missing-value", "no unit", "unit")
    try:
        kind = UnitKind(value.get("unit_kind") or ("state" if unit_id == state else "county"))
    except ValueError:
        raise _RowError("unknown-level", f"unknown unit kind {value['unit_kind']!r}; use one of "
                        f"{', '.join(k.value for k in UnitKind)}", "unit_kind") from None
    parent = None if kind == UnitKind.STATE else (value.get("parent") or state)
    return Unit(unit_id, value.get("unit_name") or unit_id, kind, parent,
                tuple((value.get("groups") or "").split()), value.get("fips") or None)


def _candidate(target: _Election, value: dict[str, str]) -> Candidate:
    name = value["candidate"]
    given = value.get("candidate_id") or ""
    if not name and not given:
        raise _RowError("missing-value", "no candidate", "candidate")
    party_name = value.get("party") or ""
    party_id = slug(party_name) if party_name else None
    if party_id:
        target.parties.setdefault(party_id, Party(party_id, party_name))
    candidate_id = given or slug(name)
    known = target.candidates.get(candidate_id)
    if known is None:
        flags = set((value.get("candidate_flags") or "").split())
        unknown = flags - set(FLAGS)
        if unknown:
            raise _RowError("bad-flag", f"unknown candidate flag(s) {', '.join(sorted(unknown))}; "
                            f"use {', '.join(FLAGS)}", "candidate_flags")
        known = Candidate(candidate_id, name, party_id, incumbent="incumbent" in flags,
                          write_in="write-in" in flags, aggregate="aggregate" in flags)
        target.candidates[candidate_id] = known
    return known


def _votes(text: str, adjustment: bool) -> int | None:
    """The count in ``text`` (``io.counts``: ``*`` is a withheld count, ``None``); negative only
    on a statistical-adjustment unit (``io.rules_numbers``)."""
    try:
        votes = parse_count(text, signed=True)
    except CountError as exc:
        raise _RowError("bad-votes", str(exc), "votes") from None
    if votes is not None and votes < 0 and not adjustment:
        raise _RowError("bad-votes", f"votes cannot be negative ({votes}) but on a statistical-"
                        "adjustment unit", "votes")
    return votes


def _vote_type(text: str) -> VoteType:
    try:
        return VoteType(text)
    except ValueError:
        raise _RowError("bad-vote-type", f"unknown vote type {text!r}; use one of "
                        f"{', '.join(t.value for t in VoteType)}", "vote_type") from None


def _returns(target: _Election, source: str) -> Returns:
    return Returns(target.election, tuple(target.candidates.values()),
                   tuple(target.units.values()), tuple(target.counts.values()),
                   tuple(target.parties.values()), source=source)


def write_native(elections: list[Returns]) -> str:
    """The CSV ``read_native`` reads back to the same counts, units and candidates: first a row
    for each unit below the state that has no count of its own (a town above its precincts), in
    the returns' order, then one row per count. Text cells go through
    ``io.escaping.write_csv``: a name a spreadsheet would run as a formula starts with a single
    quote; counts stay numbers."""
    rows: list[list[object]] = [list(COLUMNS)]
    for returns in elections:
        units = {u.id: u for u in returns.units}
        counted = {c.unit for c in returns.counts}
        for unit in returns.units:
            if unit.id not in counted and unit.kind is not UnitKind.STATE:
                rows.append([returns.election.id, *_unit_cells(unit), "", "", "", "",
                             " ".join(unit.groups), "", ""])
        for count in returns.counts:
            unit = units[count.unit]
            candidate = returns.candidate(count.candidate)
            rows.append([returns.election.id, *_unit_cells(unit), candidate.name,
                         returns.party_name(candidate.party),
                         WITHHELD if count.votes is None else count.votes, str(count.vote_type),
                         " ".join(unit.groups), candidate.id, _flags(candidate)])
    return write_csv(rows)


def _flags(candidate: Candidate) -> str:
    marks = (candidate.aggregate, candidate.write_in, candidate.incumbent)
    return " ".join(flag for flag, on in zip(FLAGS, marks, strict=True) if on)


def _unit_cells(unit: Unit) -> list[object]:
    return [unit.id, unit.name, str(unit.kind), unit.parent or "", unit.fips or ""]
