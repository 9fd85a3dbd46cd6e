"""electoral's own CSV: one row per count, every unit placed in its parent.

    election,unit,unit_name,unit_kind,parent,fips,candidate,party,votes,vote_type

``votes`` is a count (``io.counts``), ``*`` where the source withheld it. A text cell that
begins with ``'`` and then ``=``, ``+``, ``-``, ``@``, tab or CR is read without the ``'``:
``write_native`` puts it there so that no spreadsheet runs a name as a formula.
Only ``election``, ``unit``, ``candidate`` and ``votes`` are required; ``unit_kind`` defaults to
``county``, ``parent`` to the state, ``vote_type`` to ``total``. A file may hold several elections.
Units named as a ``parent`` but never given a row of their own are created (the state always is).
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
           "votes", "vote_type")
REQUIRED = ("election", "unit", "candidate", "votes")


@dataclass(slots=True)
class _Election:
    election: Election
    units: dict[str, Unit] = field(default_factory=dict)
    candidates: dict[str, Candidate] = field(default_factory=dict)
    parties: dict[str, Party] = field(default_factory=dict)
    counts: dict[tuple[str, str, VoteType], Count] = field(default_factory=dict)


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
    known = target.units.get(unit.id)
    if known is not None and known.kind != unit.kind:
        raise _RowError("conflicting-unit", f"unit {unit.id!r} is a {known.kind} above but a "
                        f"{unit.kind} here", "unit_kind")
    target.units.setdefault(unit.id, unit)
    if unit.parent and unit.parent not in target.units:
        target.units[unit.parent] = Unit(unit.parent, unit.parent, UnitKind.COUNTY, state)
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
    return Unit(unit_id, value.get("unit_name") or unit_id, kind, parent, (),
                value.get("fips") or None)


def _candidate(target: _Election, value: dict[str, str]) -> Candidate:
    name = value["candidate"]
    if not name:
        raise _RowError("missing-value", "no candidate", "candidate")
    party_name = value.get("party") or ""
    party_id = slug(party_name) if party_name else None
    if party_id:
        target.parties.setdefault(party_id, Party(party_id, party_name))
    candidate_id = slug(name)
    known = target.candidates.get(candidate_id)
    if known is None:
        known = Candidate(candidate_id, name, party_id)
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
    """The CSV ``read_native`` reads back to the same counts, units and candidates. Text cells go
    through ``io.escaping.write_csv``: a name a spreadsheet would run as a formula starts with a
    single quote; counts stay numbers."""
    rows: list[list[object]] = [list(COLUMNS)]
    for returns in elections:
        units = {u.id: u for u in returns.units}
        for count in returns.counts:
            unit = units[count.unit]
            candidate = returns.candidate(count.candidate)
            rows.append([returns.election.id, unit.id, unit.name, str(unit.kind), unit.parent or "",
                         unit.fips or "", candidate.name,
                         returns.party_name(candidate.party),
                         WITHHELD if count.votes is None else count.votes, str(count.vote_type)])
    return write_csv(rows)

