"""OpenElections CSV: ``county,precinct,office,district,party,candidate,votes`` (columns in any
order, as each county's file has them), the name either in ``candidate`` or in
``last,first,middle,suffix``, optionally with vote-type columns (``election_day``,
``early_voting``, ``absentee``, ``mail``, ``absentee_by_mail``, ``advance_in_person``,
``provisional``), each kept as a vote type beside the ``votes`` total.

The election comes from the file name or from ``--election 2004-CT-president``. OpenElections
names a file ``DATE__ST__[PARTY__]TYPE__[JURISDICTION__][OFFICE__[DISTRICT__]]LEVEL.csv``
(components joined by two underscores, a component's parts by one: openelections-core issue 5,
"Standardization should generate a composite file name"): ``20161108__pa__general__county.csv``,
``20161108__pa__general__kent__precinct.csv``, and the variant ``20161108__pa__general_county.csv``
seen in state repositories. Only general elections are named this way automatically.

Geography is whatever the file has: ``county`` and/or ``town`` (New England files have towns and no
county), ``ward`` and ``precinct`` below them; a county is matched to the state's counties whatever
its case (``KENT``). Only the presidential contest is read; everything else is accounted for,
never silently dropped:

* other offices are set aside, one exclusion per office with its row count;
* ``Total Votes Cast`` becomes the unit's ballots cast; ``Blank Votes``, ``No Preference``, over-
  and undervotes are not votes for anyone and are set aside with their reason;
* ``All Others`` and ``Write-ins`` are aggregate pseudo-candidates;
* a statewide ``TOTALS`` pseudo-unit (MA 2004) would count every vote twice: set aside.

Every other row reaches the import stage as counts carrying its line, as the file says it: a split
precinct's parts and a repeated row as repeated keys, a county-total row as a count on the county
beside its precincts, ``votes`` as the ``TOTAL`` count beside the line's vote-type counts. The
stage's rules (``io.rules_rows``) decide what each is.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TextIO

from electoral.errors import Problem, ValidationError
from electoral.geography import SUFFIXES, county_fips, county_names
from electoral.io import PROBES, Format, ReadOptions, register
from electoral.io.counts import CountError, parse_count
from electoral.io.exclusions import Exclusion
from electoral.io.names import name_from_parts
from electoral.io.offices import is_presidency
from electoral.io.pseudo import OTHER_CONTEST, pseudo_kind
from electoral.model import (
    STATE_NAMES,
    Candidate,
    Count,
    Election,
    Note,
    Party,
    Returns,
    Unit,
    UnitFacts,
    UnitKind,
    VoteType,
    slug,
)
from electoral.parties import canonical_party

FILE_NAME = re.compile(r"^(?P<date>\d{8})__(?P<state>[a-z]{2})__(?P<rest>[a-z0-9_-]+)")
# Words of a file name's election-type component that mean another election than the general.
NOT_GENERAL = {"primary", "runoff", "special", "recount", "caucus", "democratic", "republican"}
# The vote-type columns of OpenElections files (their READMEs and the state repositories' files),
# each with the vote type it is kept as.
VOTE_TYPES = {"election_day": VoteType.ELECTION_DAY, "early_voting": VoteType.EARLY,
              "early_vote": VoteType.EARLY, "absentee": VoteType.ABSENTEE,
              "mail": VoteType.MAIL, "mail_in": VoteType.MAIL,
              "absentee_by_mail": VoteType.ABSENTEE_BY_MAIL,
              "advance_in_person": VoteType.ADVANCE_IN_PERSON,
              "provisional": VoteType.PROVISIONAL}
NAME_PARTS = ("first", "middle", "last", "suffix")
# Place columns some states' files name by their own word: Louisiana's counties are parishes
# (OpenElections' 20201103__la__general__parish.csv), and a town is a municipality elsewhere.
PLACE_ALIASES = {"parish": "county", "municipality": "town"}
# Columns that say where and for whom, not how many: any other column is named in a note.
DESCRIPTIVE = {"county", "town", "ward", "precinct", "office", "district", "party", "candidate",
               "votes", *NAME_PARTS}
AGGREGATES = {"all others", "write-in", "write-ins", "scattering", "other"}
STATEWIDE_PSEUDO_UNITS = {"totals", "total", "statewide"}


def _probe(name: str, head: str) -> bool:
    first = head.splitlines()[0].lower() if head else ""
    columns = {c.strip() for c in first.split(",")}
    return {"office", "votes"} <= columns and ("candidate" in columns or "last" in columns)


PROBES[Format.OPENELECTIONS] = _probe


@dataclass(slots=True)
class _Build:
    election: Election
    source: str
    units: dict[str, Unit] = field(default_factory=dict)
    candidates: dict[str, Candidate] = field(default_factory=dict)
    parties: dict[str, Party] = field(default_factory=dict)
    counts: list[Count] = field(default_factory=list)
    ballots: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    exclusions: list[Exclusion] = field(default_factory=list)
    other_offices: dict[str, list[int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@register(Format.OPENELECTIONS)
def read_openelections(stream: TextIO, source: str, options: ReadOptions) -> list[Returns]:
    """The presidential contest of an OpenElections CSV as one ``Returns``: other offices,
    total rows and rows that are not votes are exclusions; every other row is its counts, each
    with its line (a ``TOTAL`` count from ``votes`` and one per filled vote-type column), keys
    repeated as the file repeats them. Columns that are neither places, names nor known vote
    types are named in a note.

    Raises:
        ValidationError: neither the file name nor ``options.election`` gives the election, or
            rows are bad, every problem located by line and field.
    """
    election = _election(source, options)
    reader = csv.DictReader(stream)
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    columns = [PLACE_ALIASES.get(c, c) if PLACE_ALIASES.get(c) not in columns else c
               for c in columns]
    reader.fieldnames = columns
    missing = [c for c in ("office", "votes") if c not in columns]
    if "candidate" not in columns and "last" not in columns:
        missing.append("candidate")
    if not ({"county", "town", "precinct"} & set(columns)):
        missing.append("county (parish), town or precinct")
    if missing:
        raise ValidationError([Problem("missing-column", f"no {c!r} column", source, 1, c)
                               for c in missing])
    build = _Build(election, source)
    build.units[election.state] = Unit(election.state, STATE_NAMES[election.state],
                                       UnitKind.STATE)
    try:
        for row in reader:
            _row(build, reader.line_num,
                 {k: (v or "").strip() for k, v in row.items() if k is not None}, columns)
    except csv.Error as exc:
        build.problems.append(Problem("malformed-file", f"not readable as CSV: {exc}", source,
                                      reader.reader.line_num))
    if build.problems:
        raise ValidationError(build.problems)
    unread = [c for c in columns if c and c not in DESCRIPTIVE and c not in VOTE_TYPES]
    return [_returns(build, unread)]


def _election(source: str, options: ReadOptions) -> Election:
    """The election ``--election`` names, else the general election the file name names.

    Raises:
        ValidationError: neither does (the message says to pass ``--election``).
    """
    if options.election:
        return Election.from_id(options.election)
    match = FILE_NAME.match(PurePath(source).name.lower())
    words = set(re.split(r"_+", match["rest"])) if match else set()
    try:
        date = dt.datetime.strptime(match["date"], "%Y%m%d").date() if match else None
    except ValueError:
        date = None
    if (match is None or date is None or match["state"].upper() not in STATE_NAMES
            or "general" not in words or words & NOT_GENERAL):
        what = sorted(words & NOT_GENERAL)
        raise ValidationError([Problem(
            "unknown-election", "the file name does not name a general election "
            f"{'(it says ' + ', '.join(what) + ') ' if what else ''}(expected like "
            "20041102__ct__general__county.csv); pass --election 2004-CT-president",
            source, None, "election")])
    return Election(date.year, match["state"].upper(), "president", date)


def _is_president(office: str) -> bool:
    """The presidential contest (``io.offices.is_presidency``): ``President``, ``President and
    Vice President of the United States``, ``Presidential Electors``; not a vice-presidency, nor
    the ``President of the City Council``."""
    return is_presidency(office)


def _name(row: dict[str, str]) -> str:
    """The candidate's name: ``candidate``, else ``first middle last suffix`` from the name
    columns (``Dunmore,Cole,R.,Jr.`` → ``Cole R. Dunmore Jr.``)."""
    if row.get("candidate"):
        return row["candidate"]
    return name_from_parts(*(row.get(part, "") for part in NAME_PARTS))


def _row(build: _Build, line: int, row: dict[str, str], columns: list[str]) -> None:
    office = row.get("office", "")
    if not _is_president(office):
        if pseudo_kind(office) is None:
            build.other_offices.setdefault(office or "(no office)", []).append(line)
            return
        # A unit's figure filed as an office ("Registered Voters", "Ballots Cast"): a row that
        # is no vote for a candidate, which the import stage sets aside by its kind (and checks
        # ballots cast against the candidates), as it does the same label in the candidate column.
        row = {**row, "candidate": office, "party": ""}
    read, votes = _whole(build, line, row.get("votes", ""), "votes")
    if not read:
        return
    unit = _place(build, row)
    if unit is None:
        place = row.get("town") or row.get("county", "")
        build.exclusions.append(Exclusion(line, "statewide total row: the units already count "
                                          "these votes", votes, _name(row), kind="total",
                                          file=build.source, candidate=_name(row),
                                          detail=f"a {place!r} row beside the units"))
        return
    # Rows that are not votes ("Total Votes Cast", "Blank Votes") pass through as candidates
    # named by their label: the import stage (io.rules_labels.pseudo_rows) leaves them out.
    name = _name(row)
    candidate = _candidate(build, name, row.get("party", ""))
    build.counts.append(Count(unit.id, candidate.id, votes, VoteType.TOTAL, line))
    for column in columns:  # in the file's order: a problem lists the parts as the file has them
        if column in VOTE_TYPES and row.get(column, "") != "":
            read, part = _whole(build, line, row[column], column)
            if read:
                build.counts.append(Count(unit.id, candidate.id, part, VOTE_TYPES[column], line))


def _whole(build: _Build, line: int, text: str, column: str) -> tuple[bool, int | None]:
    """``(True, count)`` for a count (``io.counts``: ``None`` for ``*``, a count the source
    withholds, as some states mark small cells: unknown, never 0); ``(False, None)`` and a
    located problem for anything else. A negative count is the stage's to judge
    (``io.rules_numbers``: Michigan's statistical adjustments)."""
    try:
        return True, parse_count(text, signed=True)
    except CountError as exc:
        build.problems.append(Problem("bad-votes", f"{column}: {exc}", build.source, line, column))
        return False, None


def _place(build: _Build, row: dict[str, str]) -> Unit | None:
    """The smallest unit the row names, creating its parents; ``None`` for a statewide total."""
    state = build.election.state
    parent = build.units[state]
    county = row.get("county", "")
    town = row.get("town", "")
    if (county or town).lower() in STATEWIDE_PSEUDO_UNITS:
        return None
    if county:
        fips = county_fips(state, county)
        parent = _unit(build, Unit(fips or f"{state}-county-{slug(county)}",
                                   _county_name(county, fips), UnitKind.COUNTY, state, (), fips))
    if town:
        parent = _unit(build, Unit(f"{state}-town-{slug(town)}", town, UnitKind.TOWN, parent.id))
    precinct = " ".join(p for p in (_ward(row.get("ward", "")), row.get("precinct", "")) if p)
    if precinct:
        return _unit(build, Unit(f"{parent.id}/{slug(precinct)}", precinct, UnitKind.PRECINCT,
                                 parent.id))
    return parent


def _county_name(county: str, fips: str | None) -> str:
    """The county as the file names it, but one written in capitals (``NEW CASTLE``) as the
    state writes it (``New Castle``; the kind word only where the file has it)."""
    if fips is None or not county.isupper():
        return county
    proper = county_names()[fips]
    kind = SUFFIXES.search(proper.lower())
    return proper[:kind.start()] if kind and not SUFFIXES.search(county.lower()) else proper


def _ward(ward: str) -> str:
    return f"Ward {ward}" if ward and ward != "-" else ""


def _unit(build: _Build, unit: Unit) -> Unit:
    return build.units.setdefault(unit.id, unit)


def _candidate(build: _Build, name: str, party: str) -> Candidate:
    write_in = "write" in party.lower() or "write" in name.lower()
    party_id = None
    canonical = canonical_party(party) if party and not write_in else None
    if canonical is not None:
        party_id = canonical.id
        build.parties.setdefault(party_id, canonical)
    # Each spelling stays its own candidate ("MARSH-ORTIZ" is not "Marsh/Ortiz" to a slug's eye
    # only by luck): the import stage's spelling rule decides which are one (io.rules_labels).
    base = candidate_id = slug(name) or "unnamed"
    other = 1
    while (known := build.candidates.get(candidate_id)) is not None and known.name != name:
        other += 1
        candidate_id = f"{base}-{other}"
    if known is None:
        known = Candidate(candidate_id, name, party_id, write_in=write_in,
                          aggregate=name.lower() in AGGREGATES)
        build.candidates[candidate_id] = known
    return known


def _returns(build: _Build, unread: list[str]) -> Returns:
    excluded = (*build.exclusions, *(  # one entry per other office, not per row
        Exclusion(lines[0], "another office: only the presidential contest is read", None, office,
                  len(lines), OTHER_CONTEST, file=build.source)
        for office, lines in build.other_offices.items()))
    facts = tuple(UnitFacts(u, ballots_cast=n) for u, n in build.ballots.items())
    notes = (Note(f"columns not read (neither a place, a name nor a known vote type): "
                  f"{', '.join(unread)}", lines=(1,), source=build.source),) if unread else ()
    return Returns(build.election, tuple(build.candidates.values()), tuple(build.units.values()),
                   tuple(build.counts), tuple(build.parties.values()), facts, build.source,
                   excluded, notes)
