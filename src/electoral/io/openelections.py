"""OpenElections CSV: ``county,precinct,office,district,party,candidate,votes`` (columns in any
order), optionally with vote-type columns ``election_day,early_voting,absentee,mail,provisional``.

The election comes from the file name (``20041102__ct__general__county.csv``) or from
``--election 2004-CT-president``. Geography is whatever the file has: ``county`` and/or ``town``
(New England files have towns and no county), ``ward`` and ``precinct`` below them. Only the
presidential contest is read; everything else is accounted for, never silently dropped:

* other offices are set aside, one exclusion per office with its row count;
* ``Total Votes Cast`` becomes the unit's ballots cast; ``Blank Votes``, ``No Preference``, over-
  and undervotes are not votes for anyone and are set aside with their reason;
* ``All Others`` and ``Write-ins`` are aggregate pseudo-candidates;
* a statewide ``TOTALS`` pseudo-unit (MA 2004) would count every vote twice: set aside;
* a unit and candidate listed twice are parts of a split precinct: added, and noted.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TextIO

from electoral.errors import Problem, ValidationError
from electoral.geography import county_fips
from electoral.io import PROBES, Format, ReadOptions, register
from electoral.io.article import normalize_party
from electoral.io.exclusions import Exclusion
from electoral.model import (
    STATE_NAMES,
    Candidate,
    Count,
    Election,
    Party,
    Returns,
    Unit,
    UnitFacts,
    UnitKind,
    VoteType,
    slug,
)

FILE_NAME = re.compile(r"^(?P<date>\d{8})__(?P<state>[a-z]{2})__(?P<kind>[a-z_]+?)__")
VOTE_TYPES = {"election_day": VoteType.ELECTION_DAY, "early_voting": VoteType.EARLY,
              "absentee": VoteType.ABSENTEE, "mail": VoteType.MAIL,
              "provisional": VoteType.PROVISIONAL}
PARTY_CODES = {"DEM": "Democratic", "REP": "Republican", "LIB": "Libertarian", "GRN": "Green",
               "CON": "Constitution", "IND": "Independent"}
NOT_VOTES = {"blank votes": "blank votes: not a vote for any candidate",
             "blanks": "blank votes: not a vote for any candidate",
             "no preference": "no preference: not a vote for any candidate",
             "over votes": "overvotes: not a vote for any candidate",
             "overvotes": "overvotes: not a vote for any candidate",
             "under votes": "undervotes: not a vote for any candidate",
             "undervotes": "undervotes: not a vote for any candidate"}
BALLOTS_CAST = {"total votes cast", "ballots cast", "total ballots cast"}
AGGREGATES = {"all others", "write-in", "write-ins", "scattering", "other"}
STATEWIDE_PSEUDO_UNITS = {"totals", "total", "statewide"}


def _probe(name: str, head: str) -> bool:
    first = head.splitlines()[0].lower() if head else ""
    return {"office", "candidate", "votes"} <= {c.strip() for c in first.split(",")}


PROBES[Format.OPENELECTIONS] = _probe


@dataclass(slots=True)
class _Build:
    election: Election
    source: str
    units: dict[str, Unit] = field(default_factory=dict)
    candidates: dict[str, Candidate] = field(default_factory=dict)
    parties: dict[str, Party] = field(default_factory=dict)
    counts: dict[tuple[str, str, VoteType], int] = field(default_factory=lambda: defaultdict(int))
    seen: dict[tuple[str, str, str, VoteType], int] = field(default_factory=dict)
    ballots: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    exclusions: list[Exclusion] = field(default_factory=list)
    repeats: list[int] = field(default_factory=list)
    other_offices: dict[str, list[int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@register(Format.OPENELECTIONS)
def read_openelections(stream: TextIO, source: str, options: ReadOptions) -> list[Returns]:
    """The presidential contest of an OpenElections CSV as one ``Returns``: other offices,
    total rows and rows that are not votes are exclusions; repeated keys (split precincts) are
    added and said so in ``Returns.notes``.

    Raises:
        ValidationError: neither the file name nor ``options.election`` gives the election, or
            rows are bad, every problem located by line and field.
    """
    election = _election(source, options)
    reader = csv.DictReader(stream)
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    reader.fieldnames = columns
    missing = [c for c in ("office", "candidate", "votes") if c not in columns]
    if not ({"county", "town", "precinct"} & set(columns)):
        missing.append("county, town or precinct")
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
                                      reader.line_num))
    if build.problems:
        raise ValidationError(build.problems)
    return [_returns(build)]


def _election(source: str, options: ReadOptions) -> Election:
    if options.election:
        return Election.from_id(options.election)
    match = FILE_NAME.match(source.lower())
    if not match or match["state"].upper() not in STATE_NAMES:
        raise ValidationError([Problem(
            "unknown-election", "the file name does not say which election this is (expected "
            "like 20041102__ct__general__county.csv); pass --election 2004-CT-president",
            source, None, "election")])
    date = dt.datetime.strptime(match["date"], "%Y%m%d").date()
    return Election(date.year, match["state"].upper(), "president", date)


def _row(build: _Build, line: int, row: dict[str, str], columns: list[str]) -> None:
    office = row.get("office", "")
    if "president" not in office.lower():
        build.other_offices.setdefault(office or "(no office)", []).append(line)
        return
    votes = _whole(build, line, row.get("votes", ""), "votes")
    if votes is None:
        return
    unit = _place(build, row)
    if unit is None:
        build.exclusions.append(Exclusion(line, "statewide total row: the units already count "
                                          "these votes", votes, row.get("town") or row.get("county", "")))
        return
    name = row.get("candidate", "")
    label = name.lower()
    if label in NOT_VOTES:
        build.exclusions.append(Exclusion(line, NOT_VOTES[label], votes, name))
        return
    if label in BALLOTS_CAST:
        build.ballots[unit.id] += votes
        return
    candidate = _candidate(build, name, row.get("party", ""))
    _count(build, line, unit.id, candidate.id, row.get("party", ""), VoteType.TOTAL, votes)
    for column, vote_type in VOTE_TYPES.items():
        if column in columns and row.get(column, "") != "":
            part = _whole(build, line, row[column], column)
            if part is not None:
                _count(build, line, unit.id, candidate.id, row.get("party", ""), vote_type, part)


def _whole(build: _Build, line: int, text: str, column: str) -> int | None:
    try:
        value = int(text.replace(",", ""))
    except ValueError:
        build.problems.append(Problem("bad-votes", f"{column} must be a whole number, not {text!r}",
                                      build.source, line, column))
        return None
    return value  # a negative count is the stage's to judge (io.rules_numbers: adjustments)


def _count(build: _Build, line: int, unit: str, candidate: str, party: str, vote_type: VoteType,
           votes: int) -> None:
    """Add a count. A unit and candidate seen before is a further part of a split precinct (real
    files list such parts under one name): its votes are added, and the repeat is noted."""
    key = (unit, candidate, party, vote_type)
    if key in build.seen:
        build.repeats.append(line)
    build.seen.setdefault(key, line)
    build.counts[(unit, candidate, vote_type)] += votes  # a fusion candidate's lines add up too


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
        parent = _unit(build, Unit(fips or f"{state}-county-{slug(county)}", county,
                                   UnitKind.COUNTY, state, (), fips))
    if town:
        parent = _unit(build, Unit(f"{state}-town-{slug(town)}", town, UnitKind.TOWN, parent.id))
    precinct = " ".join(p for p in (_ward(row.get("ward", "")), row.get("precinct", "")) if p)
    if precinct:
        return _unit(build, Unit(f"{parent.id}/{slug(precinct)}", precinct, UnitKind.PRECINCT,
                                 parent.id))
    return parent


def _ward(ward: str) -> str:
    return f"Ward {ward}" if ward and ward != "-" else ""


def _unit(build: _Build, unit: Unit) -> Unit:
    return build.units.setdefault(unit.id, unit)


def _candidate(build: _Build, name: str, party: str) -> Candidate:
    party_name = normalize_party(PARTY_CODES.get(party.upper(), party)) if party else ""
    write_in = "write" in party.lower() or "write" in name.lower()
    party_id = None
    if party_name and not write_in:
        party_id = slug(party_name)
        build.parties.setdefault(party_id, Party(party_id, party_name))
    candidate_id = slug(name) or "unnamed"
    known = build.candidates.get(candidate_id)
    if known is None:
        known = Candidate(candidate_id, name, party_id, write_in=write_in,
                          aggregate=name.lower() in AGGREGATES)
        build.candidates[candidate_id] = known
    return known


def _returns(build: _Build) -> Returns:
    excluded = (*build.exclusions, *(  # one entry per other office, not per row
        Exclusion(lines[0], "another office: only the presidential contest is read", None, office,
                  len(lines)) for office, lines in build.other_offices.items()))
    first = {(u, c, t): n for (u, c, _, t), n in reversed(build.seen.items())}  # locates a count
    counts = tuple(Count(u, c, v, t, first.get((u, c, t))) for (u, c, t), v in build.counts.items())
    facts = tuple(UnitFacts(u, ballots_cast=n) for u, n in build.ballots.items())
    notes = (f"{len(build.repeats)} rows repeat a unit and candidate already seen (parts of split "
             f"precincts, first at line {build.repeats[0]}): their votes were added together",
             ) if build.repeats else ()
    return Returns(build.election, tuple(build.candidates.values()), tuple(build.units.values()),
                   counts, tuple(build.parties.values()), facts, build.source, excluded, notes)
