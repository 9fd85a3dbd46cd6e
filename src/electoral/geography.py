"""Counties and county-equivalents keyed by FIPS, from the package's fact table ``data/units.csv``
(derived by ``scripts/derive_geography.py``), so a unit known only by name gets its FIPS id; and
which of them existed in a given election's year, from ``data/unit_changes.csv`` (kept by hand from
the Census Bureau's "Substantial Changes to Counties and County Equivalent Entities" lists): Shannon
County, SD (46113) became Oglala Lakota County (46102) in 2015, Bedford city, VA (51515) joined
Bedford County in 2013, Broomfield County, CO (08014) was created in November 2001, and since June
2022 Connecticut's county-equivalents are its nine planning regions (09110–09190), not its eight
counties. Returns keep whatever code their source used; ``unit_fips`` maps it to the unit of the
election's year.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from electoral.model import Returns, Unit, UnitKind

SUFFIXES = re.compile(r"\s+(county|parish|borough|planning region|census area|municipality)$")


def normal_name(name: str) -> str:
    """``"St. Louis County"``, ``"ST. LOUIS"`` and ``"St Louis"`` all compare as ``"st louis"``."""
    text = re.sub(r"[.\s]+", " ", name.lower()).strip()
    return SUFFIXES.sub("", text)


@cache
def _units() -> dict[tuple[str, str], tuple[str, str, str]]:
    """(state, normal name) → (fips, kind, proper name)."""
    table: dict[tuple[str, str], tuple[str, str, str]] = {}
    with resources.files("electoral").joinpath("data/units.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["state"], normal_name(row["name"]))
            # "St. Louis city" and "St. Louis County" share a normal name: the county keeps the
            # plain one and the independent city answers to "... city".
            if key in table or row["name"].endswith(" city"):
                table[(row["state"], row["name"].lower())] = (row["fips"], row["kind"], row["name"])
            if key not in table or table[key][2].endswith(" city"):
                table.setdefault(key, (row["fips"], row["kind"], row["name"]))
    return table


def county_fips(state: str, name: str) -> str | None:
    """The FIPS code of a county (or county-equivalent) by name, or ``None`` if unknown; a former
    name gives the former code (``"Shannon County"`` → ``"46113"``: ``unit_fips`` moves it to the
    unit of an election's year)."""
    units = _units()
    for key in ((state, name.lower()), (state, normal_name(name))):
        if key in units:
            return units[key][0]
    former = _former_names()
    return former.get((state, name.lower())) or former.get((state, normal_name(name)))


@cache
def _former_names() -> dict[tuple[str, str], str]:
    return {(ch.state, text): ch.old_fips for ch in unit_changes() if ch.old_fips
            for text in (ch.old_name.lower(), normal_name(ch.old_name))}


@cache
def county_names() -> dict[str, str]:
    """FIPS → proper name, for every county-equivalent known."""
    return {fips: name for fips, _kind, name in _units().values()}


@cache
def _by_state() -> dict[tuple[str, str], dict[str, str]]:
    """(state, kind) → FIPS → name: today's units, and former ones of states that have a list."""
    table: dict[tuple[str, str], dict[str, str]] = {}
    with resources.files("electoral").joinpath("data/units.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            table.setdefault((row["state"], row["kind"]), {})[row["fips"]] = row["name"]
    for change in unit_changes():
        # Alaska has no list (its returns come by State House district): no former borough adds one.
        listed = table.get((change.state, str(UnitKind.COUNTY)))
        if change.old_fips and listed is not None:
            listed.setdefault(change.old_fips, change.old_name)
    return table


@dataclass(frozen=True, slots=True)
class UnitChange:
    """One row of ``data/unit_changes.csv``: on ``date`` the unit ``old_fips`` was ``renamed`` (to
    ``new_fips``), ``merged`` into ``new_fips``, ``split`` (``new_fips`` one of its parts), or
    ``replaced`` as a county-equivalent (Connecticut's counties, still geographic areas); or
    ``new_fips`` was ``created``. ``source`` names the Census Bureau list that records it."""

    date: dt.date
    state: str
    change: str
    old_fips: str
    old_name: str
    new_fips: str
    new_name: str
    source: str


@cache
def unit_changes() -> tuple[UnitChange, ...]:
    """The county changes since 2000 (``data/unit_changes.csv``), oldest first."""
    with resources.files("electoral").joinpath("data/unit_changes.csv").open(encoding="utf-8") as f:
        return tuple(sorted((UnitChange(dt.date.fromisoformat(r["date"]), r["state"], r["change"],
                                        r["old_fips"], r["old_name"], r["new_fips"], r["new_name"],
                                        r["source"]) for r in csv.DictReader(f)),
                            key=lambda ch: ch.date))


def election_day(year: int) -> dt.date:
    """The general election's day of ``year``: the Tuesday after the first Monday of November
    (3 U.S.C. § 1), the day a unit list is taken on."""
    first = dt.date(year, 11, 2)
    return first + dt.timedelta(days=(1 - first.weekday()) % 7)


def _existed(fips: str, day: dt.date) -> bool:
    """Whether the unit ``fips`` was a county-equivalent (or, in Connecticut, a county) on ``day``."""
    for change in unit_changes():
        ends = change.change in ("renamed", "merged", "split") and change.old_fips != change.new_fips
        if ends and change.old_fips == fips and day >= change.date:
            return False
        begins = change.change in ("renamed", "created", "split") and change.old_fips != fips
        if begins and change.new_fips == fips and day < change.date:
            return False
    return True


def state_units(state: str, kind: str, year: int) -> dict[str, str]:
    """The units of ``kind`` (``county``, or ``cog`` for Connecticut's planning regions) ``state``
    had on ``year``'s election day, FIPS → proper name (``"44003"`` → ``"Kent County"``; Colorado's
    of 2000 without Broomfield, South Dakota's of 2012 with Shannon County); empty where the table
    has none (Alaska's boroughs are not in it). Sources: ``data/units.csv`` (Census Bureau county
    FIPS) and ``data/unit_changes.csv``."""
    day = election_day(year)
    return {fips: name for fips, name in _by_state().get((state, kind), {}).items()
            if _existed(fips, day)}


def partitions(state: str, year: int) -> tuple[tuple[str, dict[str, str]], ...]:
    """The lists of units that each cover ``state`` in ``year``, as ``(kind, FIPS → name)``, its
    county-equivalents first: Connecticut from June 2022 its planning regions (``cog``), then its
    eight counties, which remain geographic areas; before then the counties first. Empty for a
    state without a list."""
    day = election_day(year)
    replaced = {ch.old_fips for ch in unit_changes() if ch.change == "replaced" and day >= ch.date}
    lists = [(str(kind), units) for kind in COUNTY_KINDS
             if (units := state_units(state, str(kind), year))]
    return tuple(sorted(lists, key=lambda kv: bool(replaced & kv[1].keys())))


def current_code(fips: str, year: int) -> str:
    """The code the unit ``fips`` denotes had on ``year``'s election day: an old code after a
    rename or merger moves to its successor (``46113`` in 2020 → ``46102``), a new code before a
    rename to the old one (``46102`` in 2012 → ``46113``). A unit split in parts keeps its code."""
    day = election_day(year)
    for _ in range(len(unit_changes())):
        moved = fips
        for change in unit_changes():
            if change.old_fips == change.new_fips or not (change.old_fips and change.new_fips):
                continue
            forward = change.change in ("renamed", "merged") and day >= change.date
            if forward and change.old_fips == fips:
                moved = change.new_fips
            elif change.change == "renamed" and day < change.date and change.new_fips == fips:
                moved = change.old_fips
        if moved == fips:
            break
        fips = moved
    return fips


def renamed_code(fips: str) -> str:
    """The code a unit has today after renames only (``02270`` → ``02158``): a boundary file's."""
    for change in unit_changes():
        if change.change == "renamed" and change.old_fips == fips and change.new_fips:
            fips = change.new_fips
    return fips


DC_WARD = re.compile(r"ward\s+\d+$", re.IGNORECASE)


def county_of_part(state: str, name: str) -> str | None:
    """The FIPS of the county-equivalent a unit a source files as a county is part of, or ``None``:
    the District of Columbia's wards, which tonmcg's 2024 file gives pseudo-codes 11001–11008
    although 11001 is the District's own code (Census Bureau county FIPS)."""
    return "11001" if state == "DC" and DC_WARD.match(name.strip()) else None


# The county-equivalent kinds a state's unit list holds (Connecticut's planning regions among them).
COUNTY_KINDS = (UnitKind.COUNTY, UnitKind.COG)


def unit_fips(state: str, unit: Unit, year: int) -> str | None:
    """A county-equivalent's FIPS code in ``year``: its own, else the one its name has in
    ``state``, moved to the unit of that year (``current_code``)."""
    fips = unit.fips or county_fips(state, unit.name)
    return None if fips is None else current_code(fips, year)


def unknown_units(returns: Returns) -> list[Unit]:
    """The county-equivalent units of ``returns`` that are not units of its state in its year:
    names and codes the state's lists (``partitions``) do not have, in the returns' order (a
    county created later, Broomfield in 2000, is one). Empty for a state with no unit list."""
    state, year = returns.election.state, returns.election.year
    known = {fips for _kind, units in partitions(state, year) for fips in units}
    if not known:
        return []
    return [u for u in returns.units
            if u.kind in COUNTY_KINDS and unit_fips(state, u, year) not in known]
