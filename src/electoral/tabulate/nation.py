"""One national ``Returns`` from the states' returns of one year and office, for national county and
state maps (``2020-US-president``).

Each state keeps its units and counts, its state unit now a child of the nation. The major
parties' nominees are matched by party (id ``democratic`` / ``republican``), however each state's
file spells them; other candidates and parties by id (the readers give a person and a party the
same id in every state). A candidate keeps the party of the first state that lists them (minor
candidates run on different lines in different states); a candidate id two states use for
different people is an error, never a silent merge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.model import (
    STATE_NAMES,
    Candidate,
    Count,
    Election,
    Party,
    Returns,
    Unit,
    UnitKind,
)
from electoral.parties import DEMOCRATIC, REPUBLICAN
from electoral.tabulate.rollup import Row, Tabulation, roll_up

NATION = "US"
MAJOR_PARTIES = (DEMOCRATIC.id, REPUBLICAN.id)


def national_returns(states: Iterable[Returns]) -> Returns:
    """The states' returns as one election of the nation (``YEAR-US-office``).

    Raises:
        NotFoundError: ``states`` is empty.
    """
    states = list(states)
    if not states:
        raise NotFoundError("no state returns to put together into a national election")
    first = states[0].election
    candidates: dict[str, Candidate] = {}
    parties: dict[str, Party] = {}
    problems: list[Problem] = []
    units = [Unit(NATION, "United States", UnitKind.NATION)]
    counts: list[Count] = []
    for returns in states:
        e = returns.election
        if (e.year, e.office) != (first.year, first.office) or e.state == NATION:
            problems.append(Problem("national-mix", f"{e.id} is not a state's {first.year} "
                                    f"{first.office} election", field="election"))
            continue
        keys = _nominee_keys(returns)
        for candidate in returns.candidates:
            known = candidates.setdefault(keys.get(candidate.id, candidate.id), candidate)
            if candidate.id in keys:  # a major party's nominee: one ticket in every state
                continue
            if known.name != candidate.name:  # a party line may differ from state to state
                problems.append(Problem("national-candidate", f"candidate id {candidate.id!r} "
                                        f"is {known.label!r} in one state and "
                                        f"{candidate.label!r} in {e.state}", field="candidate"))
        for party in returns.parties:
            parties.setdefault(party.id, party)
        units += [replace(u, parent=NATION) if u.kind == UnitKind.STATE else u
                  for u in returns.units if u.kind != UnitKind.NATION]
        counts += [replace(c, candidate=keys[c.candidate]) if c.candidate in keys else c
                   for c in returns.counts]
    if problems:
        raise ValidationError(problems)
    election = Election(first.year, NATION, first.office)
    nominees = tuple(replace(c, id=key) if key != c.id else c for key, c in candidates.items())
    return Returns(election, nominees, tuple(units), tuple(counts),
                   tuple(parties.values()), source="; ".join(sorted({r.source for r in states
                                                                   if r.source})))


def _nominee_keys(returns: Returns) -> dict[str, str]:
    """Candidate id → ``democratic`` / ``republican`` for the major parties' nominees, so that a
    nominee spelled differently by two sources (``BIDEN, JOSEPH R. JR`` and ``JOSEPH R BIDEN JR``)
    is one ticket."""
    keys: dict[str, str] = {}
    for candidate in returns.candidates:
        if candidate.aggregate or candidate.party is None:
            continue
        party = f"{candidate.party} {returns.party_name(candidate.party)}".lower()
        for major in MAJOR_PARTIES:
            if major[:8] in party and major not in keys.values():
                keys[candidate.id] = major
    return keys


def state_ids(year: int, office: str = "president") -> list[str]:
    """The ids every state's ``year`` ``office`` election would have in a store."""
    return [f"{year}-{state}-{office}" for state in STATE_NAMES]


def require_some(stored: Sequence[str], year: int, office: str = "president") -> None:
    """Refuse a national table with no state at all: ``stored`` are the ids of the states'
    elections found (states not stored are simply absent: a map hatches them as having no
    results).

    Raises:
        NotFoundError: ``stored`` is empty.
    """
    if not stored:
        raise NotFoundError(f"no {year} {office} election of any state is stored; import the "
                            "state or county returns first")


def national_table(states: Sequence[Returns], level: UnitKind | str) -> Tabulation:
    """The results of every state at ``level`` (each state rolled up on its own, so a state
    reported by county and one reported only statewide both count), as one national table: its
    total the sum of the states', its columns and leading pair ordered by the national vote.
    States without results at ``level`` contribute no rows.

    Raises:
        ValueError: ``level`` is not a ``UnitKind``.
    """
    level = UnitKind(level)
    nation = national_returns(states)
    rows: list[Row] = []
    votes: dict[str, int] = {}
    for returns in states:
        keys = _nominee_keys(returns)
        statewide = _rekeyed(roll_up(returns, UnitKind.STATE).total.votes, keys)
        for candidate, n in statewide.items():
            votes[candidate] = votes.get(candidate, 0) + n
        try:
            table = roll_up(returns, level)
        except NotFoundError:
            continue
        rows += [Row(r.unit, _rekeyed(r.votes, keys), r.total) for r in table.rows]
    if not rows:
        raise NotFoundError(f"no stored state of {nation.election.id} has results by {level}")
    order = {c.id: i for i, c in enumerate(nation.candidates)}
    columns = sorted(nation.candidates, key=lambda c: (c.aggregate, -votes.get(c.id, 0),
                                                       order[c.id]))
    real = [c.id for c in columns if not c.aggregate]
    leading = (real[0], real[1] if len(real) > 1 else real[0])
    total = Row(nation.unit(NATION), votes, sum(votes.values()))
    return Tabulation(nation, level, tuple(columns), leading, tuple(rows), total)


def _rekeyed(votes: Mapping[str, int], keys: Mapping[str, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for candidate, n in votes.items():
        key = keys.get(candidate, candidate)
        out[key] = out.get(key, 0) + n
    return out
