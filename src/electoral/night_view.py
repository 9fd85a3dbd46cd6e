"""The election-night view of one race: per county-level unit and overall, whether it reports,
its votes by vote type, its expected vote and the estimated share counted, and the race's status,
call and certification (issue 12, what the AP's API and Clarity ENR pages show).

Pure: ``Returns`` and what the store says of calls and certification in, a JSON-ready ``dict``
out. A partial race shows no winner and no electors until it is called (the call is the winner
declaration) or every unit reports (``tabulate.coverage.declared_winner``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from electoral.errors import NotFoundError
from electoral.geography import COUNTY_KINDS, normal_name, unit_fips
from electoral.model import Returns, UnitKind
from electoral.numbers import percent
from electoral.report.tables import party_id_of, party_name_of
from electoral.tabulate.coverage import coverage, declared_winner
from electoral.tabulate.rollup import Tabulation, roll_up, vote_type_rows

NOT_STARTED, PARTIAL, ALL_REPORTING, CERTIFIED = ("not started", "partial",
                                                  "all units reporting", "certified")


@dataclass(frozen=True, slots=True)
class Call:
    """A race call: the candidate id, on what basis, by which token, when (UTC)."""

    candidate: str
    basis: str
    by: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Certified:
    by: str
    at: dt.datetime
    results: str  # the digest of the stored results certified


def county_level(returns: Returns) -> UnitKind | None:
    """The county-equivalent kind the returns have units of (county, else planning regions)."""
    return next((k for k in COUNTY_KINDS if any(returns.units_of(k))), None)


def _table(returns: Returns) -> Tabulation | None:
    level = county_level(returns) or UnitKind.STATE
    try:
        return roll_up(returns, level)
    except NotFoundError:  # no votes yet, or none below the state
        try:
            return roll_up(returns, UnitKind.STATE)
        except NotFoundError:
            return None


def expected_from(earlier: Returns, current: Returns) -> dict[str, int]:
    """Each county-level unit of ``current``: the votes cast for the office in ``earlier`` (the
    same unit, matched by FIPS code, else by name); units not found, and units whose earlier
    total was partly withheld, are left out rather than guessed."""
    level = county_level(current)
    if level is None:
        return {}
    try:
        before = roll_up(earlier, level)
    except NotFoundError:
        return {}
    state, year = earlier.election.state, current.election.year
    totals = {}
    for row in before.rows:
        if row.exact:  # an earlier unit under the code it has in the current election's year
            totals[unit_fips(state, row.unit, year) or normal_name(row.unit.name)] = row.total
    found = {}
    for unit in current.units_of(level):
        key = unit_fips(current.election.state, unit, year) or normal_name(unit.name)
        if key in totals:
            found[unit.id] = totals[key]
    return found


def night_document(returns: Returns, *, version: int, expected: Mapping[str, int],
                   expected_source: str | None, call: Call | None,
                   certified: Certified | None) -> dict[str, object]:
    """The race on election night (shape: docs in ``electoral.server.app``): ``status`` one of
    not started, partial, all units reporting, certified; ``units`` per county-level unit
    (``reporting``, ``votes``, ``vote_types``, ``expected``, ``counted_percent``: votes over
    expected, rounded once, half away from zero; ``null`` without an expected vote); ``winner``
    ``null`` unless the race is called or every unit reports."""
    table = _table(returns)
    found = coverage(returns)
    counted = table.total.total if table is not None else 0
    if certified is not None:
        status = CERTIFIED
    elif table is None or counted == 0:
        status = NOT_STARTED
    elif found.complete:
        status = ALL_REPORTING
    else:
        status = PARTIAL
    units, types = _units(table, expected)
    units += [{"unit": name, "id": None, "fips": None, "reporting": False, "votes": 0,
               "exact": True, "vote_types": {}, "expected": None, "counted_percent": None}
              for name in found.missing]
    known = sum(expected.values())
    return {
        "election": returns.election.id, "version": version, "status": status,
        "coverage": found.as_json(), "votes": counted, "vote_types": types,
        "expected": {"votes": known if expected else None, "units": len(expected),
                     "source": expected_source,
                     "counted_percent": str(percent(counted, known)) if known else None},
        "units": units,
        "call": None if call is None else {"candidate": returns.candidate(call.candidate).label,
                                           "candidate_id": call.candidate, "basis": call.basis,
                                           "called_by": call.by,
                                           "called_at": call.at.isoformat() + "Z"},
        "certification": None if certified is None else {
            "certified_by": certified.by, "certified_at": certified.at.isoformat() + "Z",
            "results": certified.results},
        "winner": winner(returns, table, call),
    }


def _units(table: Tabulation | None,
           expected: Mapping[str, int]) -> tuple[list[dict[str, object]], dict[str, int]]:
    if table is None:
        return [], {}
    by_type, total_by_type = vote_type_rows(table)

    def summed(types: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
        out: dict[str, int] = {}
        for per_type in types.values():
            for kind, votes in per_type.items():
                out[kind] = out.get(kind, 0) + votes
        return dict(sorted(out.items()))

    rows: list[dict[str, object]] = []
    for row in table.rows if table.level != UnitKind.STATE else ():
        hoped = expected.get(row.unit.id)
        rows.append({"unit": row.unit.name, "id": row.unit.id, "fips": row.unit.fips,
                     "reporting": row.total > 0 or not row.exact, "votes": row.total,
                     "exact": row.exact, "vote_types": summed(by_type.get(row.unit.id, {})),
                     "expected": hoped,
                     "counted_percent": str(percent(row.total, hoped)) if hoped else None})
    return rows, summed(total_by_type)


def winner(returns: Returns, table: Tabulation | None, call: Call | None) -> dict[str, object] | None:
    """The declared winner: the called candidate, else the leader once every unit reports
    (with the electors the state gives, for president); ``None`` otherwise. A call of a
    candidate who does not lead states no electors: only the count allocates them."""
    if table is None:
        return None
    complete = declared_winner(table, coverage(returns), assume_complete=False)
    leader = declared_winner(table, coverage(returns), assume_complete=True)
    chosen = call.candidate if call is not None else complete.candidate if complete else None
    if chosen is None:
        return None
    electors = leader.electors if leader is not None and leader.candidate == chosen else None
    # the keys and values of the results contract's winner (docs/import-json.md §3: party the
    # display name, party_id the canonical code such as DEM), and whether called
    return {"candidate": returns.candidate(chosen).label, "candidate_id": chosen,
            "party": party_name_of(table, chosen), "party_id": party_id_of(table, chosen),
            "electors": electors, "called": call is not None}
