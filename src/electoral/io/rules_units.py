"""The import stage's unit-name rule: a county-equivalent the state does not have is a warning.

A misspelt county ("Providance") is counted as the file gives it, so no vote is lost; but it is
not Providence, so Providence is reported missing (``tabulate.coverage``) and the user is told
which name, on which lines, is not a county of the state. The file is still stored: a warning,
not a problem (../shared/cases/returns/README.md, "Rules these results assume").
"""

from __future__ import annotations

from collections import defaultdict

import pyarrow.compute as pc  # type: ignore[import-untyped]

from electoral.columns import ReturnsTable
from electoral.geography import unknown_units
from electoral.io.finding import Finding
from electoral.model import STATE_NAMES, StageWarning, Unit, UnitKind

_NOUNS = {UnitKind.COUNTY: "county", UnitKind.COG: "planning region"}


def units_of_state(table: ReturnsTable) -> Finding:
    """Each county (or Connecticut planning region) of the election that is not one of its
    state's (``data/units.csv``, names matched as ``geography.county_fips`` matches them) is a
    warning of kind ``unknown_unit``: ``'Providance' is not a county of Rhode Island``, with every
    file line whose count is in that unit or in a unit inside it. States with no unit list are
    not checked."""

    returns = table.returns
    unknown = unknown_units(returns)
    if not unknown:
        return Finding()
    lines = _lines_within(table, unknown)
    state = STATE_NAMES.get(returns.election.state, returns.election.state)
    return Finding(warnings=tuple(
        StageWarning("unknown_unit", f"{unit.name!r} is not a {_NOUNS[unit.kind]} of {state}",
                     lines[unit.id], returns.source)
        for unit in unknown))


def _lines_within(table: ReturnsTable, tops: list[Unit]) -> dict[str, tuple[int, ...]]:
    """Per unit of ``tops``: the sorted file lines of the counts in it or in a unit inside it."""
    parents = {u.id: u.parent for u in table.returns.units}
    wanted = {u.id for u in tops}

    def top(unit_id: str | None) -> str | None:
        seen: set[str] = set()
        while unit_id is not None and unit_id not in wanted and unit_id not in seen:
            seen.add(unit_id)
            unit_id = parents.get(unit_id)
        return unit_id if unit_id in wanted else None

    counts = table.counts.table.filter(pc.is_valid(table.counts.table.column("line")))
    found: dict[str, set[int]] = defaultdict(set)
    for unit_id, line in zip(counts.column("unit").to_pylist(), counts.column("line").to_pylist(),
                             strict=True):
        owner = top(unit_id)
        if owner is not None:
            found[owner].add(line)
    return {u.id: tuple(sorted(found[u.id])) for u in tops}
