"""Import-stage rules for figures that are not plain vote counts: adjustments and withheld counts.

* **Statistical adjustments.** Michigan's Bureau of Elections publishes, in each county, a
  precinct named ``{Statistical Adjustments}`` (``{Statistical Adjustments} 9999 Ward 0``) whose
  counts reconcile the sum of the precinct returns with the county canvass; they may be negative.
  MEDSL's 2024 precinct file and OpenElections carry the rows through as they are. They are votes
  of the canvass, so they are kept and counted in every total above them (the totals then equal
  the certified ones), and they are marked as adjustments (``Unit.adjustment``) so that reports
  show them as such and never as a place. Recognition is by name (``ADJUSTMENT``); a negative
  count on any other unit stays a problem (``io.stage.counts_well_formed``).
* **Withheld (suppressed) counts.** A ``*`` where a count belongs (MEDSL's 2024 precinct file, NV,
  NM, KS: counts withheld to protect ballot secrecy) is a ``Count`` whose ``votes`` is ``None``:
  unknown, never 0. It is stored so, and ``tabulate.rollup`` gives every total containing one as
  "at least" the known part, with the number withheld.

``adjustment_items`` and ``suppressed_items`` give what the import's JSON lists for both
(docs/import-json.md: ``adjustments``, ``suppressed``).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from electoral.columns import ReturnsTable
from electoral.io.finding import Finding
from electoral.model import Returns, UnitKind

# A unit whose name begins with "{Statistical Adjustments}" (braces optional, any case, "Adjustment"
# singular too): the Michigan Bureau of Elections' reconciliation precinct, as MEDSL and
# OpenElections spell it.
ADJUSTMENT = re.compile(r"^\s*\{?\s*statistical\s+adjustments?\s*\}?", re.IGNORECASE)
# The levels named in an item's ``unit`` (docs/import-json.md: ``{"county": …, "precinct": …}``).
NAMED = {UnitKind.COUNTY: "county", UnitKind.TOWN: "town", UnitKind.PRECINCT: "precinct"}


def is_adjustment(name: str) -> bool:
    """Whether a unit named ``name`` is a statistical-adjustment unit (``ADJUSTMENT``)."""
    return ADJUSTMENT.match(name) is not None


def statistical_adjustments(table: ReturnsTable) -> Finding:
    """A unit named ``{Statistical Adjustments} …`` (``ADJUSTMENT``) below a county is an
    adjustment unit: its counts, negative ones included, are kept and counted in every total
    above it, and the import lists them (``adjustment_items``). A note says how many there are.
    A unit that is already marked keeps its mark."""
    returns = table.returns
    found = {u.id for u in returns.units
             if not u.adjustment and u.kind != UnitKind.STATE and is_adjustment(u.name)}
    if not found:
        return Finding()
    units = tuple(replace(u, adjustment=True) if u.id in found else u for u in returns.units)
    marked = ReturnsTable(replace(returns, units=units), table.counts)
    rows = _rows_of(marked, found)
    note = (f"{len(rows)} statistical-adjustment count(s) in {len(found)} unit(s) kept as "
            f"adjustments and counted in the totals (net {sum(v for *_, v in rows):+,})")
    return Finding(table=marked, notes=(note,))


def suppressed_counts(table: ReturnsTable) -> Finding:
    """Counts the source withheld (``votes`` null) are kept as unknown; a note says how many, so
    a user knows the totals containing them are lower bounds."""
    withheld = table.counts.table.column("votes").null_count
    if not withheld:
        return Finding()
    return Finding(notes=(f"{withheld} count(s) withheld by the source (*): shown as unknown, "
                           "never 0; every total containing one is a lower bound",))


def _rows_of(table: ReturnsTable, units: set[str]) -> list[tuple[int | None, str, str, int]]:
    """(line, unit id, candidate id, votes) of the counts in ``units``, in line order."""
    counts = table.counts.table
    picked = counts.filter(pc.is_in(counts.column("unit"),
                                    value_set=pa.array(sorted(units), pa.string())))
    rows = list(zip(*(picked.column(k).to_pylist() for k in ("line", "unit", "candidate",
                                                             "votes")), strict=True))
    return sorted(rows, key=lambda r: (r[0] is None, r[0] or 0))


def unit_path(returns: Returns, unit_id: str) -> dict[str, str]:
    """``unit_id`` as the contract's ``unit`` object: the names of it and of the units above it,
    by level (``{"county": "BARAGA", "precinct": "TOWNSHIP A"}``), the state left out."""
    units = {u.id: u for u in returns.units}
    out: dict[str, str] = {}
    seen: set[str] = set()
    unit = units.get(unit_id)
    while unit is not None and unit.id not in seen:
        seen.add(unit.id)
        key = NAMED.get(unit.kind)
        if key is not None and key not in out:
            out[key] = unit.name
        unit = units.get(unit.parent or "")
    return out


def adjustment_items(table: ReturnsTable) -> list[dict[str, object]]:
    """The import JSON's ``adjustments`` of one staged election (docs/import-json.md):
    ``{file, line, unit, candidate, votes}`` per count of an adjustment unit, in line order;
    ``candidate`` is the candidate's name as the election holds it, ``votes`` may be negative."""
    returns = table.returns
    names = {c.id: c.label for c in returns.candidates}
    found = {u.id for u in returns.units if u.adjustment}
    if not found:
        return []
    return [{"file": returns.source, "line": line, "unit": unit_path(returns, unit),
             "candidate": names.get(candidate, candidate), "votes": votes}
            for line, unit, candidate, votes in _rows_of(table, found)]


def suppressed_items(table: ReturnsTable) -> list[dict[str, object]]:
    """The import JSON's ``suppressed`` of one staged election: ``{file, line, unit,
    candidate}`` per withheld count, in line order."""
    returns = table.returns
    counts = table.counts.table
    picked = counts.filter(pc.is_null(counts.column("votes")))
    if not picked.num_rows:
        return []
    names = {c.id: c.label for c in returns.candidates}
    rows = sorted(zip(*(picked.column(k).to_pylist() for k in ("line", "unit", "candidate")),
                      strict=True), key=lambda r: (r[0] is None, r[0] or 0))
    return [{"file": returns.source, "line": line, "unit": unit_path(returns, unit),
             "candidate": names.get(candidate, candidate)} for line, unit, candidate in rows]


RULES = (statistical_adjustments, suppressed_counts)
