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
* a row whose county names a total ("TOTAL", "STATEWIDE TOTAL", no FIPS) is the state's own
  figure: checked against its candidate's counties and left out, never one more unit;
* ``candidatevotes=NA`` rows are excluded with their reason; Alaska's State House districts are kept
  as the county-equivalents the file makes them (``02001`` …).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TextIO

from electoral.errors import Problem
from electoral.geography import county_names
from electoral.io import PROBES, Format, ReadOptions, register
from electoral.io.medsl import (
    ElectionBuilder,
    builder_for,
    candidate_key,
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
from electoral.io.pseudo import NO_UNIT, OTHER_CONTEST, is_total_unit
from electoral.model import (
    STATE_FIPS,
    STATE_NAMES,
    Exclusion,
    Returns,
    Unit,
    UnitKind,
    VoteType,
    slug,
)

# A state's own total rows, per builder: (line, label, candidate key, votes, vote type).
_StateRows = dict[int, list[tuple[int, str, str, int | None, VoteType]]]

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
    totals: _StateRows = defaultdict(list)
    for line, row in records(stream, COLUMNS):
        builder = builder_for(builders, election_of(row, line, problems), want)
        if builder is not None and not _state_total(builder, row, line, totals[id(builder)]):
            _row(builder, row, line, problems)
    for builder in builders.values():
        _check_state_rows(builder, totals[id(builder)], problems)
        _split_counties_with_parts(builder)
    return finish(builders, problems, source, want)


def _state_total(builder: ElectionBuilder, row: Mapping[str, str], line: int,
                 rows: list[tuple[int, str, str, int | None, VoteType]]) -> bool:
    """Whether the row is the state's own total (no FIPS, a county name that names a total:
    ``io.pseudo.is_total_unit``); such a row is kept aside in ``rows`` for the check."""
    state = builder.election.state
    if row["county_fips"].strip() not in ("", "NA") or not is_total_unit(
            row["county_name"], (state, STATE_NAMES[state])):
        return False
    label = clean_label(row["candidate"])
    text = row["candidatevotes"].strip()
    votes = int(text) if text.isdigit() else None
    key, _aggregate = candidate_key(label, party_of(row["party"]), False)
    rows.append((line, label, key, votes, vote_type(row.get("mode", ""))))
    return True


def _check_state_rows(builder: ElectionBuilder,
                      rows: list[tuple[int, str, str, int | None, VoteType]],
                      problems: list[Problem]) -> None:
    """Each state total row against the sum of its candidate's counties (same vote type): equal,
    left out as a ``total``; unequal, a ``county_total_mismatch`` problem; a candidate no county
    lists, left out as votes in no unit (``no_unit``), and listed. Rows that are no vote for a
    candidate ("TOTAL VOTES") are left out as such."""
    sums: dict[tuple[str, VoteType], int] = defaultdict(int)
    for (unit, candidate, kind), figure in builder.votes.items():
        if unit != builder.election.state:
            sums[(candidate, kind)] += figure
    # a county's withheld count ("*") leaves the sum unknown: such a row cannot be checked
    unknown = {(c, k) for _u, c, k in builder.withheld}
    for line, label, key, votes, kind in rows:
        skip = not_votes(label)
        known = sums.get((key, kind))
        where = (("state", STATE_NAMES[builder.election.state]),)
        if skip is not None:
            builder.exclusions.append(Exclusion(line, skip[0], votes, label, kind=skip[1],
                                                unit=where))
        elif known is None:
            builder.exclusions.append(Exclusion(
                line, "votes the file gives in no unit (only on a statewide total row)", votes,
                label, kind=NO_UNIT, unit=where, candidate=label))
        elif votes is not None and votes != known and (key, kind) not in unknown:
            problems.append(Problem("county_total_mismatch", f"{label}: the state's total row "
                                    f"{votes}, its counties add up to {known}", line=line,
                                    field="candidatevotes"))
        else:
            builder.exclusions.append(Exclusion(
                line, "statewide total row: the counties already count these votes", votes, label,
                kind="total", unit=where, candidate=label, detail=f"{votes} = its counties' sum"))


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
