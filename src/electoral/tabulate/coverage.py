"""Coverage: which of the units an election should have are in its returns.

A state's presidential returns are complete when every county (or county-equivalent) of the state
has counts; a file with 13 of Florida's 67 counties is not Florida's result, and whoever leads it
has not won the state. The units a state should have come from the package's fact tables
``data/units.csv`` and ``data/unit_changes.csv`` (``electoral.geography``), as they stood in the
election's year: the counties (Colorado's of 2000 without Broomfield), or for Connecticut its
planning regions (its county-equivalents from 2022, whatever kind the reader gives them) or its
eight counties, whichever the returns are by. A county's precincts are
known only from the file: where it lists a county's precincts, the precincts without counts are
missing.

Everything here is pure: ``Returns`` in, ``Coverage`` out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from electoral.columns import CountTable
from electoral.geography import COUNTY_KINDS, partitions, unit_fips
from electoral.model import STATE_NAMES, Returns, Unit, UnitKind
from electoral.tabulate.rollup import Tabulation, roll_up

# The county-equivalent kinds a state's expected list can be of, in the order tried.


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many of the expected units at ``level`` have counts.

    ``reporting`` counts the expected units that have counts; ``expected`` is how many the state
    has (``None`` where no list of the state's units is known); ``missing`` names the expected
    units without counts, as ``missing_name`` writes them (``"Kent"``, not ``"Kent County"``).
    """

    level: str
    reporting: int
    expected: int | None
    missing: tuple[str, ...] = ()
    # Units with votes that lie in no unit of ``level`` (towns a partial groupings file left out
    # of every county): their votes are in the state's total but in no row, so no unit of
    # ``level`` can be taken as complete — a county holding one grouped town is not that county.
    outside: tuple[str, ...] = ()
    outside_kind: str = ""
    # units the source itself says are partly counted (``UnitFacts.partly_counted``), each as
    # "Kent (4 of 10 precincts reported)"
    partial: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """No expected unit is missing, no counted unit lies outside every unit of ``level``,
        and the source says no unit is partly counted. Where nothing is known of what to expect,
        the returns are taken as they are (a state without a unit list cannot be found short)."""
        return not self.missing and not self.outside and not self.partial

    def line(self) -> str:
        """``"3 of 5 counties reporting; missing: Kent, Providence"``, then, where units lie in
        none of them, ``"; 166 towns in no county, so no county is complete (their votes are in
        no county's row): Ashford, …"``, then ``"; partly counted: Kent (4 of 10 precincts
        reported)"``; ``""`` when complete."""
        if self.complete or (self.expected is None and not self.outside and not self.partial):
            return ""
        noun = _NOUNS.get(self.level, f"{self.level} units")
        parts = []
        if self.expected is not None:
            parts.append(f"{self.reporting} of {self.expected} {noun} reporting"
                         + (" (each perhaps in part)" if self.outside else "")
                         + (f"; missing: {', '.join(self.missing)}" if self.missing else ""))
        elif self.partial:
            parts.append(f"{self.reporting} {noun} reporting")
        if self.outside:
            shown = ", ".join(self.outside[:_LISTED]) + (", …" if len(self.outside) > _LISTED
                                                         else "")
            kind = (_SINGULAR.get(self.outside_kind, f"{self.outside_kind} unit")
                    if len(self.outside) == 1
                    else _NOUNS.get(self.outside_kind, f"{self.outside_kind} units"))
            single = _SINGULAR.get(self.level, self.level)
            parts.append(f"{len(self.outside)} {kind} in no {single}, so no {single} is complete "
                         f"(their votes are in no {single}'s row): {shown}")
        if self.partial:
            parts.append(f"partly counted: {', '.join(self.partial)}")
        return "; ".join(parts)

    def as_json(self) -> dict[str, object]:
        """The contract's ``coverage`` block (docs/import-json.md §3), with ``outside`` (the
        units in no unit of ``level``) and ``partial`` (units the source reports as a count in
        progress) only where there are any."""
        block: dict[str, object] = {"level": self.level, "reporting": self.reporting,
                                    "expected": self.expected, "missing": list(self.missing)}
        if self.outside:
            block |= {"outside": list(self.outside), "outside_kind": self.outside_kind}
        if self.partial:
            block["partial"] = list(self.partial)
        return block


_LISTED = 10  # names a coverage line lists before "…" (JSON lists every one)
_SINGULAR = {"county": "county", "cog": "planning region", "precinct": "precinct",
             "state": "state", "town": "town"}


_NOUNS = {"county": "counties", "cog": "planning regions", "precinct": "precincts",
          "state": "states", "town": "towns"}


def missing_name(name: str) -> str:
    """A unit list's proper name as returns files write it: ``"Kent County"`` → ``"Kent"``,
    ``"Acadia Parish"`` → ``"Acadia"``; planning regions and independent cities keep theirs."""
    for suffix in (" County", " Parish"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def coverage(returns: Returns, counts: CountTable | None = None) -> Coverage:
    """The county-level coverage of ``returns`` (its counts: ``counts`` where given, as
    ``roll_up`` takes them, else ``returns.counts``).

    The returns' county-equivalent units (county, then Connecticut's planning regions, ``cog``)
    are matched by FIPS to each list that covers the state in the election's year
    (``geography.partitions``): the first list they complete is the coverage, else the one they
    cover most (the county-equivalents on a tie); its level is that list's kind. A unit reports
    when it, or a unit inside it, has a count (a count of 0 included). Unit names are matched as
    ``geography.county_fips`` matches them (case, "County" and punctuation ignored; the unit's
    FIPS code where it has one, a former code moved to the unit of that year: Shannon County's
    46113 in 2020 is Oglala Lakota's 46102); a name that matches nothing (a misspelling) reports
    nothing, and ``io.rules_units`` warns of it.

    Returns whose votes are only statewide (a state-level file) cover the state: level
    ``"state"``, 1 of 1. A state with no unit list (``expected`` ``None``) has nothing missing.

    Units the source says are partly counted (``UnitFacts.partly_counted``: Clarity's
    ``precinctsReported`` below ``precinctsParticipating``, NIST's ``CountStatus``,
    ``BallotsOutstanding`` and ``SubUnitsReported``) are ``partial``, so the returns are not
    complete however many units have counts.
    """
    found = _coverage(returns, counts)
    units = {u.id: u for u in returns.units}
    partial = tuple(f"{'statewide' if units[f.unit].kind is UnitKind.STATE else units[f.unit].name}"
                    f" ({f.progress()})"
                    for f in returns.facts if f.partly_counted and f.unit in units)
    return replace(found, partial=partial) if partial else found


def _coverage(returns: Returns, counts: CountTable | None) -> Coverage:
    state, year = returns.election.state, returns.election.year
    lists = partitions(state, year)
    best: Coverage | None = None
    for kind in (k for k in COUNTY_KINDS if any(returns.units_of(k))):
        table = _table(returns, kind, counts)
        if table is None:
            continue
        outside = _outside(returns, kind, counts)
        if not lists:
            return Coverage(str(kind), sum(1 for row in table.rows if row.votes), None,
                            **outside)
        reported = {unit_fips(state, row.unit, year) for row in table.rows if row.votes}
        for level, expected in lists:
            found = replace(_against(level, expected, reported), **outside)
            if found.complete:
                return found
            if best is None or found.reporting > best.reporting:
                best = found
    return best or Coverage(str(UnitKind.STATE), 1, 1)


_BELOW = (UnitKind.TOWN, UnitKind.PRECINCT)  # kinds that lie inside a county


def _outside(returns: Returns, kind: UnitKind, counts: CountTable | None) -> dict[str, Any]:
    """The towns or precincts with counts that lie in no unit of ``kind`` (neither by parent
    nor by grouping, theirs or an ancestor's), each named by its outermost such unit (the town,
    not its precincts), as ``Coverage``'s ``outside`` and ``outside_kind``; empty where every
    counted unit lies in one. Congressional districts and the state's own counts are not
    inside a county by nature, so they are never "outside"."""
    units = {u.id: u for u in returns.units}
    if not any(u.kind in _BELOW for u in units.values()):
        return {}
    counted = (set(counts.table.column("unit").to_pylist()) if counts is not None
               else {c.unit for c in returns.counts})
    memo: dict[str, Unit | None] = {}  # unit id -> its outermost unit in no ``kind``, or None

    def stray(unit: Unit) -> Unit | None:
        if unit.id in memo:
            return memo[unit.id]
        memo[unit.id] = None  # a cycle in the tree is no stray
        above = units.get(unit.parent or "")
        found: Unit | None = None
        if unit.kind is kind or any(units[g].kind is kind for g in unit.groups if g in units):
            found = None
        elif above is not None and above.kind in _BELOW:  # the town a precinct lies in
            found = stray(above)
        elif above is None or above.kind in (UnitKind.STATE, UnitKind.NATION):
            found = unit  # directly under the state: in no county
        memo[unit.id] = found
        return found

    strays = {s.id: s for uid in counted if (u := units.get(uid)) is not None
              and u.kind in _BELOW and not u.adjustment and (s := stray(u)) is not None}
    if not strays:
        return {}
    kinds = sorted({str(s.kind) for s in strays.values()})
    return {"outside": tuple(sorted(s.name for s in strays.values())),
            "outside_kind": kinds[0]}


def coverage_by_state(returns: Returns) -> dict[str, Coverage]:
    """State code → the coverage of that state's part of ``returns``: one entry for a state's
    returns, one per state for a national election (``tabulate.nation.national_returns``, each
    state unit under the nation), so a national map can tell which states lack units."""
    state = returns.election.state
    if state in STATE_NAMES:
        return {state: coverage(returns)}
    parents = {u.id: u.parent for u in returns.units}
    tops = {u.id for u in returns.units if u.kind is UnitKind.STATE}

    def state_of(unit_id: str | None) -> str | None:
        seen: set[str] = set()
        while unit_id is not None and unit_id not in tops and unit_id not in seen:
            seen.add(unit_id)
            unit_id = parents.get(unit_id)
        return unit_id if unit_id in tops else None

    units: dict[str, list[Unit]] = defaultdict(list)
    for unit in returns.units:
        if (top := state_of(unit.id)) is not None:
            units[top].append(unit)
    out = {}
    for top, members in units.items():
        ids = {u.id for u in members}
        part = Returns(replace(returns.election, state=top), returns.candidates, tuple(members),
                       tuple(c for c in returns.counts if c.unit in ids), returns.parties)
        out[top] = coverage(part)
    return out


def _against(level: str, expected: Mapping[str, str], reported: set[str | None]) -> Coverage:
    found = reported & expected.keys()
    missing = tuple(missing_name(name) for fips, name in sorted(expected.items(),
                                                                key=lambda kv: kv[1])
                    if fips not in found)
    return Coverage(level, len(found), len(expected), missing)


def _table(returns: Returns, kind: UnitKind, counts: CountTable | None) -> Tabulation | None:
    """The returns at ``kind``, or ``None`` where no count reaches a unit of that kind (a state
    file that lists its counties but counts only statewide)."""
    from electoral.errors import NotFoundError

    try:
        table = roll_up(returns, kind, counts)
    except NotFoundError:
        return None
    return table if any(row.votes for row in table.rows) else None


def precinct_coverage(returns: Returns, counts: CountTable | None = None) -> dict[str, Coverage]:
    """Per county whose precincts the returns list: how many of them have counts.

    Shapes: county name → ``Coverage`` at level ``"precinct"``, ``expected`` the number of
    precinct units the file lists in that county, ``missing`` those without a count (in the
    file's order). Counties with no precinct units are absent.
    """
    units = {u.id: u for u in returns.units}
    counted = (set(counts.table.column("unit").to_pylist()) if counts is not None
               else {c.unit for c in returns.counts})
    listed: Mapping[str, list[Unit]] = _precincts_by_county(returns, units)
    result = {}
    for county, precincts in listed.items():
        missing = tuple(p.name for p in precincts if p.id not in counted)
        result[county] = Coverage(str(UnitKind.PRECINCT), len(precincts) - len(missing),
                                  len(precincts), missing)
    return result


def _precincts_by_county(returns: Returns, units: Mapping[str, Unit]) -> dict[str, list[Unit]]:
    by_county: dict[str, list[Unit]] = defaultdict(list)
    for unit in returns.units_of(UnitKind.PRECINCT):
        county = _county_of(unit, units)
        if county is not None:
            by_county[county.name].append(unit)
    return dict(by_county)


def _county_of(unit: Unit, units: Mapping[str, Unit]) -> Unit | None:
    seen: set[str] = set()
    current: Unit | None = unit
    while current is not None and current.id not in seen:
        seen.add(current.id)
        if current.kind in COUNTY_KINDS:
            return current
        current = units.get(current.parent or "")
    return None


def area_title(returns: Returns, coverage: Coverage, counts: CountTable | None = None) -> str:
    """What the returns' total stands for: ``"Kent County"`` when every county-equivalent that
    reports is one county (a one-county file is never the state), else the state's name."""
    if coverage.level in {str(k) for k in COUNTY_KINDS}:
        # the list's kind may not be the units' (a reader's "county" 09110 is a planning region)
        kind = UnitKind(coverage.level) if any(returns.units_of(UnitKind(coverage.level))) \
            else next(k for k in COUNTY_KINDS if any(returns.units_of(k)))
        table = _table(returns, kind, counts)
        reporting = [row.unit for row in table.rows if row.votes] if table else []
        if len(reporting) == 1 and (coverage.expected or 0) > 1:
            return _county_title(returns.election.state, returns.election.year, reporting[0])
    return STATE_NAMES.get(returns.election.state, returns.election.state)


def _county_title(state: str, year: int, unit: Unit) -> str:
    """``"Kent County"`` from a unit named ``"Kent"``, ``"KENT"`` or ``"Kent County"``: the
    state's list's proper name where it has the unit, else the name with "County"."""
    fips = unit_fips(state, unit, year)
    names = {code: name for _kind, units in partitions(state, year) for code, name in units.items()}
    if fips in names:
        return names[fips]
    return unit.name if unit.name.lower().endswith("county") else f"{unit.name} County"


@dataclass(frozen=True, slots=True)
class Winner:
    """The declared winner of a state's election: the candidate id, and the electors the
    candidate wins there (``None`` for an office without electors, or a year no census covers)."""

    candidate: str
    electors: int | None


def declared_winner(table: Tabulation, found: Coverage, assume_complete: bool = False) -> Winner | None:
    """Who won ``table``'s election, or ``None``: while units are missing (unless the user says
    the returns are complete, ``--assume-complete``), on an exact tie, or with no votes.

    The winner is the real candidate (never a source's aggregate of others) with the most votes
    statewide; for president, the electors are those the state's contests give that candidate
    (``tabulate.electors.allocate_electors``: winner-take-all, or Maine's and Nebraska's at-large
    pair plus districts).
    """
    if not found.complete and not assume_complete:
        return None
    real = {c.id for c in table.columns if not c.aggregate}
    ranked = sorted(((v, c) for c, v in table.total.votes.items() if c in real), reverse=True)
    if not ranked or ranked[0][0] <= 0 or (len(ranked) > 1 and ranked[1][0] == ranked[0][0]):
        return None
    return Winner(ranked[0][1], _electors_won(table.returns, ranked[0][1]))


def _electors_won(returns: Returns, candidate: str) -> int | None:
    from electoral.errors import ElectoralError
    from electoral.tabulate.apportion import electors_for
    from electoral.tabulate.electors import allocate_electors, state_votes

    election = returns.election
    if election.office != "president":
        return None
    try:
        electors = electors_for(election.year).get(election.state)
        if electors is None:
            return None
        contests = allocate_electors(state_votes(returns), electors, election.year)
    except ElectoralError:
        return None
    return sum(c.electors for c in contests if c.winner == candidate)
