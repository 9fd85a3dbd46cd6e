"""Groupings a user imports onto a stored election: which county a town lies in, which council of
government (Connecticut's COGs) or congressional district a unit belongs to.

    unit,kind,group[,fips]
    Andover,county,Tolland County,09013
    CT-town-andover,cog,Capitol
    29019,district,4

``unit`` is a unit's id or name; ``kind`` is ``county`` (the unit's place in the geographic tree:
it becomes the unit's parent, so towns roll up to counties), ``cog`` or ``district`` (alternative
groupings: they go to the unit's ``groups``). The group unit is made on first use, with the ids
every reader uses: a county is its FIPS (from the ``fips`` column or the package's table), a COG
``CT-cog-capitol``, a district ``MO-04``. ``apply_groupings`` is pure; the CLI stores the result.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from typing import TextIO

from electoral.errors import Problem, ValidationError
from electoral.geography import county_fips, normal_name
from electoral.io.stage import validate
from electoral.model import Returns, Unit, UnitKind, slug

KINDS = {"county": UnitKind.COUNTY, "cog": UnitKind.COG, "district": UnitKind.DISTRICT}


@dataclass(frozen=True, slots=True)
class Grouping:
    line: int
    unit: str
    kind: UnitKind
    group: str
    fips: str | None = None


def read_groupings(stream: TextIO, source: str) -> list[Grouping]:
    """The rows of a groupings CSV (``unit,kind,group[,fips]``), in file order.

    Raises:
        ValidationError: a column is missing or rows are bad, each located by line and field.
    """
    reader = csv.DictReader(stream)
    try:
        return _rows(reader, source)
    except csv.Error as exc:  # a quote never closed, a field past the csv module's limit
        raise ValidationError([Problem("malformed-file", f"not readable as CSV: {exc}", source,
                                       reader.reader.line_num or 1)]) from None


def _rows(reader: csv.DictReader[str], source: str) -> list[Grouping]:
    columns = {c.strip().lower() for c in reader.fieldnames or ()}
    missing = [c for c in ("unit", "kind", "group") if c not in columns]
    if missing:
        raise ValidationError([Problem("missing-column", f"no column {c!r}; a groupings file "
                                       "has unit,kind,group[,fips]", source, 1, c)
                               for c in missing])
    out, problems = [], []
    for row in reader:
        line = reader.line_num
        value = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        kind = KINDS.get(value["kind"].lower())
        if kind is None:
            problems.append(Problem("bad-kind", f"kind {value['kind']!r} is not one of "
                                    f"{', '.join(KINDS)}", source, line, "kind"))
        elif not value["unit"] or not value["group"]:
            problems.append(Problem("missing-value", "unit and group are required", source,
                                    line, "unit" if not value["unit"] else "group"))
        else:
            out.append(Grouping(line, value["unit"], kind, value["group"],
                                value.get("fips") or None))
    if problems:
        raise ValidationError(problems)
    return out


def apply_groupings(returns: Returns, groupings: list[Grouping], source: str = "") -> Returns:
    """``returns`` with each grouping applied: group units added, members' parent or groups set.

    Raises:
        ValidationError: a grouping names a unit or group ``returns`` lacks (located by
            ``source`` and line), or the result breaks a rule of ``io.stage``.
    """
    units = {u.id: u for u in returns.units}
    by_name = {normal_name(u.name): u.id for u in returns.units}
    added: dict[str, Unit] = {}
    problems = []
    for grouping in groupings:
        member = grouping.unit if grouping.unit in units else by_name.get(
            normal_name(grouping.unit))
        group = _group(returns.election.state, grouping)
        if member is None or group is None:
            what = "unit" if member is None else "group"
            problems.append(Problem(f"unknown-{what}", f"no {what} {getattr(grouping, what)!r} "
                                    f"in {returns.election.id}", source, grouping.line, what))
            continue
        group = units.get(group.id) or added.setdefault(group.id, group)
        units[member] = _placed(units[member], group)
    if problems:
        raise ValidationError(problems)
    ordered = [units[u.id] for u in returns.units] + [g for g in added.values()
                                                      if g.id not in {u.id for u in returns.units}]
    return validate(replace(returns, units=tuple(ordered)))


def _group(state: str, grouping: Grouping) -> Unit | None:
    name = grouping.group
    if grouping.kind is UnitKind.COUNTY:
        fips = grouping.fips or county_fips(state, name)
        return None if fips is None else Unit(fips, name, UnitKind.COUNTY, state, fips=fips)
    if grouping.kind is UnitKind.COG:
        return Unit(f"{state}-cog-{slug(name)}", name, UnitKind.COG, state)
    number = "".join(ch for ch in name if "0" <= ch <= "9")  # ASCII: int() of "²" would fail
    if not number:
        return None
    return Unit(f"{state}-{int(number):02d}", f"District {int(number)}", UnitKind.DISTRICT, state)


def _placed(unit: Unit, group: Unit) -> Unit:
    if group.kind is UnitKind.COUNTY:
        return replace(unit, parent=group.id)
    if group.id in unit.groups:
        return unit
    return replace(unit, groups=(*unit.groups, group.id))


def ungrouped(before: Returns, grouped: Returns,
              groupings: list[Grouping]) -> dict[UnitKind, tuple[Unit, ...]]:
    """Per kind of grouping the file uses (county, cog, district), the units of the kinds it
    grouped (towns, say) that are in no group of that kind after ``apply_groupings``: a file
    naming 3 of Connecticut's 169 towns leaves 166 in no county, and their votes in no county's
    row. Units are matched to groupings in ``before`` (the returns ``apply_groupings`` was given:
    a county it added may share a town's name) as ``apply_groupings`` matches them; empty where
    every unit of those kinds is grouped.

    Shapes: group kind → units left out, in the returns' order (kinds with none left out absent).
    """
    original = {u.id: u for u in before.units}
    by_name = {normal_name(u.name): u.id for u in before.units}
    units = {u.id: u for u in grouped.units}
    member_kinds: dict[UnitKind, set[UnitKind]] = {}
    for grouping in groupings:
        member = grouping.unit if grouping.unit in original else by_name.get(
            normal_name(grouping.unit))
        if member is not None:
            member_kinds.setdefault(grouping.kind, set()).add(original[member].kind)
    out = {}
    for kind, kinds in member_kinds.items():
        left = tuple(u for u in grouped.units if u.kind in kinds and not _in_group(u, kind, units))
        if left:
            out[kind] = left
    return out


def _in_group(unit: Unit, kind: UnitKind, units: dict[str, Unit]) -> bool:
    """Whether ``unit`` or a unit above it is a ``kind`` unit or grouped into one."""
    seen: set[str] = set()
    current: Unit | None = unit
    while current is not None and current.id not in seen:
        seen.add(current.id)
        if current is not unit and current.kind is kind:
            return True
        if any(units[g].kind is kind for g in current.groups if g in units):
            return True
        current = units.get(current.parent or "")
    return False
