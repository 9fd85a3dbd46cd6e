"""MEDSL county presidential returns, 2000–2020 (``countypres_2000-2020.csv``).

One ``Returns`` per state-year, with the state and its counties (id = 5-digit FIPS, parent = the
state). The caveats of the folder README are handled here, none silently:

* ``county_fips`` is not zero-padded (``1001``): padded to ``01001``; DC's rows without a FIPS are
  its one county-equivalent, ``11001``;
* 2020 splits votes by mode in eleven states with no TOTAL row: each mode is kept as its vote type
  (two raw modes of one type are added), and ``rollup`` sums them where no TOTAL exists;
* pseudo-units belong to the state or to a county: CT "STATEWIDE WRITEIN", ME "MAINE UOCAVA",
  RI "FEDERAL PRECINCT" and AK "DISTRICT 99" are statewide precinct-like units (``CT/statewide-
  writein``); Kansas City, MO (its own election board, FIPS ``36000`` in the file) is a town of
  Jackson County, whose own row then covers the rest of the county;
* ``candidatevotes=NA`` rows are excluded with their reason; Alaska's State House districts are kept
  as the county-equivalents the file makes them (``02001`` …).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from electoral.errors import Problem
from electoral.geography import county_names
from electoral.io import PROBES, Format, ReadOptions, register
from electoral.io.medsl import (
    ElectionBuilder,
    builder_for,
    clean_label,
    election_of,
    finish,
    not_votes,
    parse_count,
    party_of,
    records,
    set_aside,
    vote_type,
    wanted,
    withheld,
)
from electoral.io.pseudo import OTHER_CONTEST
from electoral.model import STATE_FIPS, Returns, Unit, UnitKind, slug

COLUMNS = ("year", "state", "state_po", "county_name", "county_fips", "office", "candidate",
           "party", "candidatevotes")
OFFICES = ("PRESIDENT", "US PRESIDENT")
# Reporting units that are part of a county, by (state, MEDSL name): the county's FIPS.
PARTS_OF_COUNTIES = {("MO", "KANSAS CITY"): "29095"}
# States whose one county-equivalent is the state itself, for rows without a FIPS.
SOLE_COUNTY = {"DC": "11001"}


@register(Format.MEDSL_COUNTY)
def read_medsl_county(stream: TextIO, source: str, options: ReadOptions) -> list[Returns]:
    """Every state-year of a MEDSL county presidential file, one ``Returns`` each, sorted by
    election id.

    Raises:
        ValidationError: the file is not this format or has bad rows, every problem located by
            line and field (the file name is added by ``io.read_tables``).
        NotFoundError: ``options.election`` names an election the file does not have.
    """
    want = wanted(options)
    builders: dict[str, ElectionBuilder] = {}
    problems: list[Problem] = []
    for line, row in records(stream, COLUMNS):
        builder = builder_for(builders, election_of(row, line, problems), want)
        if builder is not None:
            _row(builder, row, line, problems)
    for builder in builders.values():
        _split_counties_with_parts(builder)
    return finish(builders, problems, source, want)


def _row(builder: ElectionBuilder, row: Mapping[str, str], line: int,
         problems: list[Problem]) -> None:
    seen = len(problems)
    votes = parse_count(row, "candidatevotes", line, problems)
    unit = _unit(builder, row, line, problems)
    label = clean_label(row["candidate"])
    office = row["office"].strip().upper()
    skip = ((f"another office ({row['office'].strip()})", OTHER_CONTEST) if office not in OFFICES
            else not_votes(label))
    if len(problems) > seen or unit is None:
        return
    if skip is None and votes is None and withheld(row["candidatevotes"]):
        pass  # counted as unknown (``None``) below
    elif skip is not None or votes is None:
        builder.exclusions.append(set_aside(line, skip, votes, label, row["candidatevotes"],
                                            _names(builder, unit)))
        return
    party = party_of(row["party"])
    candidate = builder.candidate_id(label, party, write_in=False)
    builder.add(unit.id, candidate, party, votes, vote_type(row.get("mode", "")), line)


def _unit(builder: ElectionBuilder, row: Mapping[str, str], line: int,
          problems: list[Problem]) -> Unit | None:
    """The unit a row reports, registered with the election on first sight."""
    state = builder.election.state
    name = " ".join(row["county_name"].split())
    fips = row["county_fips"].strip()
    if fips in ("", "NA"):
        fips = SOLE_COUNTY.get(state, "")
    part_of = PARTS_OF_COUNTIES.get((state, name.upper()))
    if part_of is not None:
        unit = Unit(f"{state}-town-{slug(name)}", _title(name), UnitKind.TOWN, parent=part_of)
        builder.units.setdefault(part_of, county_unit(part_of, state, ""))
    elif not fips:
        unit = Unit(f"{state}/{slug(name)}", _title(name), UnitKind.PRECINCT, parent=state)
    elif not fips.isdigit() or len(fips) > 5 or fips.zfill(5)[:2] != STATE_FIPS[state]:
        problems.append(Problem("bad-fips", f"{fips!r} is not a county FIPS code of {state}",
                                line=line, field="county_fips"))
        return None
    else:
        unit = county_unit(fips.zfill(5), state, name)
    return builder.units.setdefault(unit.id, unit)


def _names(builder: ElectionBuilder, unit: Unit) -> tuple[tuple[str, str], ...]:
    """The unit's names from its county down, as a left-out row's ``unit`` gives them."""
    chain = [(str(unit.kind), unit.name)]
    parent = builder.units.get(unit.parent) if unit.parent else None
    if parent is not None and parent.kind is UnitKind.COUNTY:
        chain.insert(0, (str(parent.kind), parent.name))
    return tuple(chain)


def county_unit(fips: str, state: str, medsl_name: str) -> Unit:
    """A county by FIPS, named as the package's table names it (else as the file does)."""
    name = county_names().get(fips) or _title(medsl_name) or fips
    return Unit(fips, name, UnitKind.COUNTY, parent=state, fips=fips)


def _split_counties_with_parts(builder: ElectionBuilder) -> None:
    """A county reported in parts (Jackson County's board, Kansas City's board) keeps no counts of
    its own: its own row moves to a town "… outside …", so the county adds up both parts."""
    parts: dict[str, list[Unit]] = {}
    for unit in builder.units.values():
        if unit.kind is UnitKind.TOWN and unit.parent is not None:
            parts.setdefault(unit.parent, []).append(unit)
    for county_id, towns in parts.items():
        county = builder.units[county_id]
        rest_name = f"{county.name} outside {', '.join(t.name for t in towns)}"
        rest = Unit(f"{builder.election.state}-town-{slug(rest_name)}", rest_name, UnitKind.TOWN,
                    parent=county_id)
        moved = {key: n for key, n in builder.votes.items() if key[0] == county_id}
        if not moved:
            continue
        builder.units[rest.id] = rest
        for (unit_id, candidate, kind), n in moved.items():
            del builder.votes[(unit_id, candidate, kind)]
            builder.votes[(rest.id, candidate, kind)] += n


def _title(name: str) -> str:
    return " ".join(w if w.isdigit() else w.capitalize() for w in name.split())


def probe_county(name: str, head: str) -> bool:
    first = head.splitlines()[0].lower() if head else ""
    columns = {c.strip().strip('"') for c in first.split(",")}
    return {"county_fips", "candidatevotes", "state_po"} <= columns and "precinct" not in columns


PROBES[Format.MEDSL_COUNTY] = probe_county
