"""Counties and county-equivalents keyed by FIPS, from the package's fact table ``data/units.csv``
(derived by ``scripts/derive_geography.py``), so a unit known only by name gets its FIPS id."""

from __future__ import annotations

import csv
import re
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
    """The FIPS code of a county (or county-equivalent) by name, or ``None`` if unknown."""
    units = _units()
    for key in ((state, name.lower()), (state, normal_name(name))):
        if key in units:
            return units[key][0]
    return None


@cache
def county_names() -> dict[str, str]:
    """FIPS → proper name, for every county-equivalent known."""
    return {fips: name for fips, _kind, name in _units().values()}


@cache
def _by_state() -> dict[tuple[str, str], dict[str, str]]:
    table: dict[tuple[str, str], dict[str, str]] = {}
    with resources.files("electoral").joinpath("data/units.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            table.setdefault((row["state"], row["kind"]), {})[row["fips"]] = row["name"]
    return table


def state_units(state: str, kind: str = "county") -> dict[str, str]:
    """The units of ``kind`` (``county``, or ``cog`` for Connecticut's planning regions) a state
    has, FIPS → proper name (``"44003"`` → ``"Kent County"``); empty where the table has none
    (Alaska's boroughs are not in it). Source: ``data/units.csv`` (Census Bureau county FIPS)."""
    return dict(_by_state().get((state, kind), {}))


# The county-equivalent kinds a state's unit list holds (Connecticut's planning regions among them).
COUNTY_KINDS = (UnitKind.COUNTY, UnitKind.COG)


def unit_fips(state: str, unit: Unit) -> str | None:
    """A county-equivalent's FIPS code: its own, else the one its name has in ``state``."""
    return unit.fips or county_fips(state, unit.name)


def unknown_units(returns: Returns) -> list[Unit]:
    """The county-equivalent units of ``returns`` that are not units of its state: names the
    state's list (``data/units.csv``) does not have, in the returns' order. Empty for a state
    with no unit list."""
    state = returns.election.state
    known = {fips for kind in COUNTY_KINDS for fips in state_units(state, str(kind))}
    if not known:
        return []
    return [u for u in returns.units if u.kind in COUNTY_KINDS and unit_fips(state, u) not in known]
