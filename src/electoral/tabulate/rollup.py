"""Roll returns up to any level: votes per candidate per unit, totals, "other", margins, winners.

Everything here is exact integer arithmetic. Percentages are ``Decimal`` values computed from the
integers and rounded once, half away from zero (``electoral.numbers.percent``); nothing rounded is
ever summed.

A withheld count (``Count.votes`` ``None``, a suppressed ``*`` cell) is unknown, never 0: a row's
``votes`` and ``total`` are then the sums of the known counts, a lower bound, and ``suppressed``
says how many withheld counts each figure leaves out, so no total that contains one is shown as
exact. An adjustment unit's counts (``Unit.adjustment``; they may be negative) are added into
every unit above it like any precinct's, so totals equal the source's own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from electoral.columns import CountTable, Totals
from electoral.errors import NotFoundError
from electoral.model import Candidate, Count, Returns, Unit, UnitFacts, UnitKind, VoteType
from electoral.numbers import percent

# How deep each kind sits below the state: a unit can only be rolled up into a shallower one.
DEPTH = {
    UnitKind.NATION: 0, UnitKind.STATE: 1, UnitKind.COUNTY: 2, UnitKind.COG: 2,
    UnitKind.DISTRICT: 2, UnitKind.TOWN: 3, UnitKind.PRECINCT: 4,
}


@dataclass(frozen=True, slots=True)
class Row:
    """One unit's result: votes per candidate (in column order) and the total. Where counts were
    withheld, ``votes`` and ``total`` are the known part, a lower bound (``suppressed``)."""

    unit: Unit
    votes: Mapping[str, int]  # candidate id → votes
    total: int
    # candidate id → how many withheld counts that candidate's figure leaves out (none: exact)
    suppressed: Mapping[str, int] = field(default_factory=dict)

    @property
    def exact(self) -> bool:
        """No count inside the row was withheld: its figures and total are exact."""
        return not self.suppressed

    @property
    def withheld(self) -> int:
        """How many withheld counts the row's total leaves out."""
        return sum(self.suppressed.values())

    def of(self, candidate_id: str) -> int:
        """The votes of ``candidate_id`` in this unit (0 for a candidate with none here)."""
        return self.votes.get(candidate_id, 0)

    def share(self, candidate_id: str, places: int = 2) -> Decimal:
        """The candidate's percentage of the unit's total, rounded once, half away from zero, to
        ``places`` decimals (``electoral.numbers.percent``; 0 in an empty unit)."""
        return percent(self.of(candidate_id), self.total, places)

    def winner(self) -> str | None:
        """The candidate id with the most votes, or ``None`` on a tie, an empty unit, or where a
        count withheld from anyone else could change who leads."""
        ranked = sorted(self.votes.items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
            return None
        if any(n and cid != ranked[0][0] for cid, n in self.suppressed.items()):
            return None
        return ranked[0][0]


@dataclass(frozen=True, slots=True)
class Tabulation:
    """A results table: the rows of one level, their total, and the two leading candidates
    statewide (whose difference is the margin, negative where the second leads)."""

    returns: Returns
    level: UnitKind
    columns: tuple[Candidate, ...]  # every candidate, most votes statewide first
    leading: tuple[str, str]  # ids of the two leading real candidates statewide
    rows: tuple[Row, ...]
    total: Row
    # the adjustment units' own figures (``Unit.adjustment``), already inside ``rows`` and ``total``
    adjustments: tuple[Row, ...] = ()

    def other(self, row: Row) -> int:
        """Votes in ``row`` for everyone but the two leading candidates statewide."""
        return row.total - row.of(self.leading[0]) - row.of(self.leading[1])

    def margin(self, row: Row) -> int:
        """The first leading candidate's votes minus the second's in ``row`` (negative where the
        second leads there)."""
        return row.of(self.leading[0]) - row.of(self.leading[1])

    def margin_percent(self, row: Row, places: int = 2) -> Decimal:
        """``margin(row)`` as a percentage of the row's total, from the integers, rounded once, half
        away from zero, to ``places`` decimals."""
        return percent(self.margin(row), row.total, places)

    def row(self, unit_name: str) -> Row:
        """The row of the unit named (or with the id) ``unit_name``.

        Raises:
            NotFoundError: no unit of this level has that name or id.
        """
        for row in self.rows:
            if row.unit.name == unit_name or row.unit.id == unit_name:
                return row
        raise NotFoundError(f"no unit {unit_name!r} at level {self.level}")


def roll_up(returns: Returns, level: UnitKind | str, counts: CountTable | None = None
            ) -> Tabulation:
    """The results of ``returns`` at ``level`` (state, county, cog, district, town, precinct).
    ``counts``, for an election read as columns (``electoral.columns``), replaces
    ``returns.counts``. Rows hold integer votes per candidate id; ``columns`` are every candidate,
    most votes statewide first.

    Raises:
        ValueError: ``level`` is not a ``UnitKind`` value.
        NotFoundError: no votes of ``returns`` roll up to ``level`` (the message lists the levels
            that have some).
    """
    level = UnitKind(level)
    # once: both levels below read the same sums
    totals = counts.totals() if counts is not None else _totals(returns.counts)
    state_votes = _votes_at(returns, UnitKind.STATE, totals)
    rows = state_votes if level == UnitKind.STATE else _votes_at(returns, level, totals)
    if not rows:
        raise NotFoundError(
            f"{returns.election.id} has no votes that roll up to the {level} level; "
            f"levels with votes: {', '.join(sorted(available_levels(returns)))}")
    state_row = state_votes[0] if state_votes else _sum_rows(_state_unit(returns), rows)
    columns = _columns(returns, state_row)
    real = [c.id for c in columns if not c.aggregate]
    leading = (real[0], real[1] if len(real) > 1 else real[0])
    # A unit table's total row is the sum of its rows, so the table always adds up; where the
    # statewide returns disagree with that sum, `electoral check` says so.
    total = state_row if level == UnitKind.STATE else _sum_rows(state_row.unit, rows)
    adjusting = [u for u in returns.units if u.adjustment]
    adjustments = _own_rows(adjusting, totals) if adjusting else []
    return Tabulation(returns, level, tuple(columns), leading, tuple(rows), total,
                      tuple(adjustments))


VoteTypes = dict[str, dict[str, int]]  # candidate id → vote type → votes


def vote_type_rows(tabulation: Tabulation) -> tuple[dict[str, VoteTypes], VoteTypes]:
    """Each row's votes by vote type (``election_day``, ``absentee_by_mail``, ...), rolled up as
    ``roll_up`` rolls up the totals (a unit whose own counts already hold a lower unit's counts
    counts them once): unit id → candidate id → vote type → votes, and the total row's. Empty
    where the returns carry no vote type but ``total``. A figure given both as a total and by
    vote type is broken down by its vote types."""
    returns = tabulation.returns
    by_type: dict[str, list[Count]] = defaultdict(list)
    for count in returns.counts:
        if count.vote_type != VoteType.TOTAL:
            by_type[str(count.vote_type)].append(count)
    rows: dict[str, VoteTypes] = defaultdict(lambda: defaultdict(dict))
    total: VoteTypes = defaultdict(dict)
    for vote_type, counts in sorted(by_type.items()):
        try:
            table = roll_up(replace(returns, counts=tuple(counts)), tabulation.level)
        except NotFoundError:  # this vote type is given only above the level
            continue
        for row in table.rows:
            for candidate, votes in row.votes.items():
                rows[row.unit.id][candidate][vote_type] = votes
        for candidate, votes in table.total.votes.items():
            total[candidate][vote_type] = votes
    return {u: dict(c) for u, c in rows.items()}, dict(total)


def available_levels(returns: Returns) -> set[str]:
    """The ``UnitKind`` values (as text) at which ``returns`` has votes to roll up."""
    kinds = {u.kind for u in returns.units}
    totals = _totals(returns.counts)
    return {str(k) for k in kinds if _votes_at(returns, k, totals)}


def _votes_at(returns: Returns, level: UnitKind,
              totals: Mapping[tuple[str, str], int] | Totals) -> list[Row]:
    """Rows for every unit of ``level``. Each unit with counts adds them to the unit of ``level``
    that contains it, unless a unit between the two has counts of its own, which already include
    it: so a file giving both county totals and precinct rows counts each vote once, and a
    county reported in parts (Jackson County, MO and Kansas City) adds its parts together.
    ``totals`` are ``_totals`` of all the counts (or their columns, ``CountTable.totals``)."""
    units = {u.id: u for u in returns.units}
    targets = [u for u in returns.units if u.kind == level]
    if not targets:
        return []
    counted = totals.units() if isinstance(totals, Totals) else {u for u, _ in totals}
    owner: dict[str, str | None] = {}
    memo: dict[str, tuple[str | None, bool]] = {}
    for unit_id in counted:
        target, covered = _owner_of(units[unit_id], level, units, counted, memo)
        if target is not None and not covered:
            owner[unit_id] = target
    if not owner:
        return []
    if isinstance(totals, Totals):
        summed = totals.by_target(owner)
        withheld = totals.suppressed_by_target(owner)
        return [Row(u, summed.get(u.id, {}), sum(summed.get(u.id, {}).values()),
                    withheld.get(u.id, {})) for u in targets]
    return _tally(targets, totals, owner)


def _own_rows(units: list[Unit], totals: Mapping[tuple[str, str], int] | Totals) -> list[Row]:
    """Each of ``units``' own counts as a row (not what lies below it)."""
    owner: dict[str, str | None] = {u.id: u.id for u in units}
    if isinstance(totals, Totals):
        summed = totals.by_target(owner)
        withheld = totals.suppressed_by_target(owner)
        return [Row(u, summed.get(u.id, {}), sum(summed.get(u.id, {}).values()),
                    withheld.get(u.id, {})) for u in units]
    return _tally(units, totals, owner)


def _owner_of(unit: Unit, level: UnitKind, units: Mapping[str, Unit], counted: set[str],
              memo: dict[str, tuple[str | None, bool]]) -> tuple[str | None, bool]:
    """``_owner``, with the walk above a unit that has a parent and no groupings remembered:
    the 100,000 precincts of a state share a few thousand such walks."""
    parent = units.get(unit.parent or "")
    if unit.kind == level or unit.groups or parent is None or DEPTH[unit.kind] < DEPTH[level] \
            or DEPTH[parent.kind] < DEPTH[level]:
        return _owner(unit, level, units, counted)
    return _from(parent, level, units, counted, memo)


def _from(unit: Unit, level: UnitKind, units: Mapping[str, Unit], counted: set[str],
          memo: dict[str, tuple[str | None, bool]]) -> tuple[str | None, bool]:
    """The unit of ``level`` reached from ``unit`` (itself included), and whether a unit on the
    way (``unit`` and the target included) has counts."""
    if unit.id not in memo:
        if unit.kind == level:
            memo[unit.id] = (unit.id, unit.id in counted)
        else:
            target, covered = _owner_of(unit, level, units, counted, memo)
            memo[unit.id] = (target, covered or unit.id in counted)
    return memo[unit.id]


def _owner(unit: Unit, level: UnitKind, units: Mapping[str, Unit],
           counted: set[str]) -> tuple[str | None, bool]:
    """The unit of kind ``level`` containing ``unit`` (through parents or groupings), and whether
    a unit on the way there (the target included) has counts of its own."""
    if DEPTH[unit.kind] < DEPTH[level]:
        return None, False
    target: str | None = None
    covered = False
    seen: set[str] = set()
    frontier = [unit]
    while frontier:
        current = frontier.pop(0)
        if current.id in seen:
            continue
        seen.add(current.id)
        covered = covered or (current is not unit and current.id in counted)
        if current.kind == level:
            target = target or current.id
            continue
        for ref in (current.parent, *current.groups):
            if ref is not None and ref in units and DEPTH[units[ref].kind] >= DEPTH[level]:
                frontier.append(units[ref])
    return target, covered


class _Known(dict[tuple[str, str], int]):
    """``_totals``: known votes per (unit, candidate), and how many withheld counts each leaves
    out (``withheld``, only keys with some)."""

    withheld: dict[tuple[str, str], int]


def _totals(counts: Iterable[Count]) -> _Known:
    """Votes per (unit, candidate): the TOTAL row where one exists, else the sum of vote types —
    so a file with both never counts a vote twice. Withheld counts add nothing and are counted
    in ``withheld``."""
    total: dict[tuple[str, str], list[int]] = {}
    by_type: dict[tuple[str, str], list[int]] = {}
    for count in counts:
        key = (count.unit, count.candidate)
        into = total if count.vote_type == VoteType.TOTAL else by_type
        figure = into.get(key) or into.setdefault(key, [0, 0])
        if count.votes is None:
            figure[1] += 1
        else:
            figure[0] += count.votes
    for key, figure in by_type.items():
        total.setdefault(key, figure)
    out = _Known((key, votes) for key, (votes, _) in total.items())
    out.withheld = {key: n for key, (_, n) in total.items() if n}
    return out


def _tally(targets: list[Unit], totals: Mapping[tuple[str, str], int],
           owner: Mapping[str, str | None]) -> list[Row]:
    votes: dict[str, dict[str, int]] = {u.id: defaultdict(int) for u in targets}
    withheld: dict[str, dict[str, int]] = {u.id: defaultdict(int) for u in targets}
    for (unit_id, candidate_id), n in totals.items():
        target = owner.get(unit_id)
        if target is not None and target in votes:
            votes[target][candidate_id] += n
    for (unit_id, candidate_id), n in getattr(totals, "withheld", {}).items():
        target = owner.get(unit_id)
        if target is not None and target in withheld:
            withheld[target][candidate_id] += n
    return [Row(u, dict(votes[u.id]), sum(votes[u.id].values()), dict(withheld[u.id]))
            for u in targets]


def _sum_rows(unit: Unit, rows: Iterable[Row]) -> Row:
    votes: dict[str, int] = defaultdict(int)
    withheld: dict[str, int] = defaultdict(int)
    for row in rows:
        for cid, n in row.votes.items():
            votes[cid] += n
        for cid, n in row.suppressed.items():
            withheld[cid] += n
    return Row(unit, dict(votes), sum(votes.values()), dict(withheld))


def _state_unit(returns: Returns) -> Unit:
    states = list(returns.units_of(UnitKind.STATE))
    if states:
        return states[0]
    return Unit(returns.election.state, returns.election.state, UnitKind.STATE)


def _columns(returns: Returns, state_row: Row) -> list[Candidate]:
    order = {c.id: i for i, c in enumerate(returns.candidates)}
    return sorted(returns.candidates, key=lambda c: (c.aggregate, -state_row.of(c.id), order[c.id]))


@dataclass(frozen=True, slots=True)
class Turnout:
    """Ballots cast against registration (or, failing that, voting-age population)."""

    ballots: int | None
    registered: int | None
    voting_age_population: int | None

    @property
    def eligible(self) -> int | None:
        """Registered voters where known, else the voting-age population, else ``None``."""
        return self.registered or self.voting_age_population

    def percent(self, places: int = 2) -> Decimal | None:
        """Ballots cast as a percentage of ``eligible``, rounded once, half away from zero; ``None``
        where either is unknown or zero."""
        if not self.ballots or not self.eligible:
            return None
        return percent(self.ballots, self.eligible, places)


def turnout(tabulation: Tabulation) -> dict[str, Turnout]:
    """Turnout per row unit (and the total row's unit) wherever the returns give ballots cast,
    registration or voting-age population; a figure is summed only where every part has it."""
    returns = tabulation.returns
    units = {u.id: u for u in returns.units}
    known = {f.unit: f for f in returns.facts if f.unit in units}
    if not known:
        return {}
    parts: dict[str, list[UnitFacts]] = defaultdict(list)
    for unit_id, facts in known.items():
        target, covered = _owner(units[unit_id], tabulation.level, units, set(known))
        if target is not None and not covered:
            parts[target].append(facts)
    result = {target: _sum_facts(facts) for target, facts in parts.items()}
    state = tabulation.total.unit.id
    result[state] = _sum_facts([known[state]] if state in known else
                               [f for facts in parts.values() for f in facts])
    return result


def _sum_facts(facts: list[UnitFacts]) -> Turnout:
    def total(values: list[int | None]) -> int | None:
        return None if not values or None in values else sum(v for v in values if v is not None)
    return Turnout(total([f.ballots_cast for f in facts]), total([f.registered for f in facts]),
                   total([f.voting_age_population for f in facts]))
