"""OpenElections CSV: ``county,precinct,office,district,party,candidate,votes`` (columns in any
order, as each county's file has them), the name either in ``candidate`` or in
``last,first,middle,suffix``, optionally with vote-type columns (``election_day``,
``early_voting``, ``absentee``, ``mail``, ``absentee_by_mail``, ``advance_in_person``,
``advance_voting``, ``one_stop``, ``provisional``, also with a ``_votes`` suffix as Georgia's files
have them), each kept as a vote type beside the ``votes`` total. A name keeps no Clarity marks
(``Donald J. Trump (I) (Rep)`` is Donald J. Trump; "(Rep)" is the party where the ``party``
column is empty).

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
* a statewide ``TOTALS`` pseudo-unit (MA 2004) would count every vote twice: set aside, each
  row checked against its candidate's units;
* a unit column that names a total (a precinct ``TOTAL``, ``County Total``) is its parent's total
  row, which the stage checks and leaves out;
* a candidate on several party lines in one unit (New York's fusion) is one candidate: the lines
  are added, and a ``fusion_party_line`` note keeps each line's party and votes;
* two office titles both read as the presidency in one unit are refused (``--contest`` chooses).

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
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import TextIO

from electoral.errors import Problem, ValidationError
from electoral.geography import SUFFIXES, county_fips, county_names
from electoral.io import PROBES, Format, ReadOptions, register
from electoral.io.counts import CountError, parse_count
from electoral.io.exclusions import Exclusion
from electoral.io.names import name_from_parts, split_marks
from electoral.io.offices import is_presidency
from electoral.io.pseudo import NO_UNIT, OTHER_CONTEST, is_total_unit, pseudo_kind, total_of
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
# The vote-type columns of OpenElections files (openelections-data-tests' ``format_tests.py``:
# absentee, early_voting, election_day, mail, provisional; and the state repositories' files:
# Georgia's ``advance_voting`` / ``absentee_by_mail``, North Carolina's ``one_stop``, Pennsylvania's
# ``mail``), each with the vote type it is kept as. A column is also read with a trailing
# ``_votes`` / ``_vote`` (Georgia's ``election_day_votes``, ``advance_voting_votes``): ``vote_type``.
VOTE_TYPES = {"election_day": VoteType.ELECTION_DAY, "early_voting": VoteType.EARLY,
              "early_vote": VoteType.EARLY, "early": VoteType.EARLY, "one_stop": VoteType.EARLY,
              "absentee": VoteType.ABSENTEE, "mail": VoteType.MAIL, "mail_in": VoteType.MAIL,
              "by_mail": VoteType.MAIL, "absentee_by_mail": VoteType.ABSENTEE_BY_MAIL,
              "advance_in_person": VoteType.ADVANCE_IN_PERSON,
              "advance_voting": VoteType.ADVANCE_VOTING, "advance": VoteType.ADVANCE_VOTING,
              "provisional": VoteType.PROVISIONAL, "polling": VoteType.ELECTION_DAY,
              "polls": VoteType.ELECTION_DAY}


def vote_type(column: str) -> VoteType | None:
    """The vote type a column holds (``VOTE_TYPES``, with a trailing ``_votes``/``_vote``/
    ``_ballots`` dropped: ``advance_voting_votes`` → ``ADVANCE_VOTING``; and a trailing number,
    as Georgia's 2016 precinct files number their advance voting columns ``advance_in_person_1``
    to ``_3``, one of the county's early voting periods each, added up: ``ADVANCE_IN_PERSON``),
    or ``None`` for a column that holds none."""
    key = re.sub(r"[^0-9a-z]+", "_", column.casefold()).strip("_")
    numbered = re.fullmatch(r"(.+?)_?[0-9]+", key)
    if numbered is not None and vote_type(numbered.group(1)) is not None:
        return vote_type(numbered.group(1))
    if key in VOTE_TYPES:
        return VOTE_TYPES[key]
    for suffix in ("_votes", "_vote", "_ballots"):
        if key.endswith(suffix) and key.removesuffix(suffix) in VOTE_TYPES:
            return VOTE_TYPES[key.removesuffix(suffix)]
    return None


NAME_PARTS = ("first", "middle", "last", "suffix")
# Place columns some states' files name by their own word: Louisiana's counties are parishes
# (OpenElections' 20201103__la__general__parish.csv), and a town is a municipality elsewhere.
PLACE_ALIASES = {"parish": "county", "municipality": "town"}
# Columns that say where and for whom, not how many: any other column is named in a note.
DESCRIPTIVE = {"county", "town", "ward", "precinct", "office", "district", "party", "candidate",
               "votes", *NAME_PARTS}
AGGREGATES = {"all others", "write-in", "write-ins", "scattering", "other"}
STATEWIDE_PSEUDO_UNITS = {"statewide"}


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
    statewide: list[tuple[int, Candidate, int | None, str]] = field(default_factory=list)
    contest: str | None = None  # --contest: the office title to read instead of the presidency
    titles: dict[str, dict[str, int]] = field(default_factory=dict)  # title → unit → first line
    spelt: dict[str, str] = field(default_factory=dict)  # title → as the file first writes it
    # (unit, candidate) → each line's party label as written and its votes: fusion party lines
    lines_of: dict[tuple[str, str], list[tuple[int, str, int | None]]] = field(
        default_factory=lambda: defaultdict(list))


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
    if options.contest and not options.election and not is_presidency(options.contest):
        # another office's contest is its own election, named as Clarity names it
        # (``2020-DE-u-s-senate``), never the presidency's id over a senator's votes
        election = replace(election, office=slug(options.contest) or "contest")
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
    build = _Build(election, source, contest=options.contest)
    build.units[election.state] = Unit(election.state, STATE_NAMES[election.state],
                                       UnitKind.STATE)
    try:
        for row in reader:
            _row(build, reader.line_num,
                 {k: (v or "").strip() for k, v in row.items() if k is not None}, columns)
    except csv.Error as exc:
        build.problems.append(Problem("malformed-file", f"not readable as CSV: {exc}", source,
                                      reader.reader.line_num))
    _subtotals(build)
    _statewide(build)
    _one_title(build)
    if build.problems:
        raise ValidationError(build.problems)
    unread = [c for c in columns if c and c not in DESCRIPTIVE and vote_type(c) is None]
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


def _name_and_party(row: dict[str, str]) -> tuple[str, str]:
    """The candidate's name without the marks Clarity-derived files leave in it, and the party:
    ``Donald J. Trump (I) (Rep)`` → ``("Donald J. Trump", "REP")`` where the ``party`` column says
    REP (the column wins), or ``"(Rep)"`` where it is empty. The incumbent mark "(I)" is no party
    (issue 10 item 3) and is dropped; a mark that names no party ("(Write-In)") stays in the
    name, as the Clarity reader keeps it."""
    name, mark, _incumbent = split_marks(_name(row))
    if mark is not None and canonical_party(mark) is None:
        name = f"{name} {mark}"
        mark = None
    return name or _name(row), row.get("party", "") or (mark or "")


def _title(text: str) -> str:
    return " ".join(text.casefold().split())


def _wanted(build: _Build, office: str) -> bool:
    """The row is of the contest read: the office ``--contest`` names (any case and spacing),
    else a presidential title (``io.offices``)."""
    return _title(office) == _title(build.contest) if build.contest else _is_president(office)


def _one_title(build: _Build) -> None:
    """Two office titles both read as the presidency ("President" and "US President") in one
    unit are two contests, not two parts of one: an ``ambiguous_contest`` problem naming both and
    their first lines (``--contest TITLE`` chooses). Titles that share no unit (one county's file
    says "President", another's "PRESIDENT AND VICE PRESIDENT") are one contest."""
    titles = sorted(build.titles.items())
    for i, (title, units) in enumerate(titles):
        for other, other_units in titles[i + 1:]:
            shared = sorted(set(units) & set(other_units))
            if shared:
                lines = (units[shared[0]], other_units[shared[0]])
                build.problems.append(Problem(
                    "ambiguous_contest", f"offices {build.spelt[title]!r} (line {lines[0]}) and "
                    f"{build.spelt[other]!r} (line {lines[1]}) are both read as the presidency "
                    f"and both give votes in {build.units[shared[0]].name}"
                    f"{f' and {len(shared) - 1} other units' if len(shared) > 1 else ''}: "
                    "--contest TITLE chooses one", build.source, min(lines), "office"))


def _row(build: _Build, line: int, row: dict[str, str], columns: list[str]) -> None:
    office = row.get("office", "")
    if not _wanted(build, office):
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
    if pseudo_kind(office) is None:
        build.spelt.setdefault(_title(office), office)
        build.titles.setdefault(_title(office), {}).setdefault(
            unit.id if unit is not None else build.election.state, line)
    if unit is None:
        place = row.get("town") or row.get("county", "")
        build.statewide.append((line, _candidate(build, *_name_and_party(row)), votes, place))
        return
    # Rows that are not votes ("Total Votes Cast", "Blank Votes") pass through as candidates
    # named by their label: the import stage (io.rules_labels.pseudo_rows) leaves them out.
    name, party = _name_and_party(row)
    candidate = _candidate(build, name, party)
    build.counts.append(Count(unit.id, candidate.id, votes, VoteType.TOTAL, line))
    build.lines_of[(unit.id, candidate.id)].append((line, party, votes))
    parts: dict[VoteType, int | None] = {}  # numbered columns of one vote type add up
    for column in columns:  # in the file's order: a problem lists the parts as the file has them
        kind = vote_type(column)
        if kind is not None and row.get(column, "") != "":
            read, part = _whole(build, line, row[column], column)
            if read:
                before = parts.get(kind, 0)
                parts[kind] = None if part is None or before is None else before + part
    build.counts.extend(Count(unit.id, candidate.id, part, kind, line)
                        for kind, part in parts.items())


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
    """The smallest unit the row names, creating its parents; ``None`` for a statewide total.

    A unit column that names a total (``pseudo.is_total_unit``: "Total", "County Total", "Total
    Votes") makes the row its parent's total: a precinct "TOTAL" row is a count on its county,
    which the stage checks against the county's precincts and leaves out
    (``rules_rows.county_total_rows``), never one more precinct."""
    state = build.election.state
    parent = build.units[state]
    county = row.get("county", "")
    town = row.get("town", "")
    state_name = (state, STATE_NAMES[state])
    if ((county or town).lower() in STATEWIDE_PSEUDO_UNITS
            or (county and is_total_unit(county, state_name))
            or (not county and town and is_total_unit(town, state_name))):
        return None
    if county:
        fips = county_fips(state, county)
        parent = _unit(build, Unit(fips or f"{state}-county-{slug(county)}",
                                   _county_name(county, fips), UnitKind.COUNTY, state, (), fips))
    if town and not is_total_unit(town, (county, *state_name)):
        parent = _unit(build, Unit(f"{state}-town-{slug(town)}", town, UnitKind.TOWN, parent.id))
    elif town:
        return parent
    within = (county, town, *state_name)
    ward = row.get("ward", "")
    if is_total_unit(ward, within) or is_total_unit(row.get("precinct", ""), within):
        return None if parent.kind is UnitKind.STATE else parent  # no county: the state's total
    precinct = " ".join(p for p in (_ward(ward), row.get("precinct", "")) if p)
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


def _subtotals(build: _Build) -> None:
    """A precinct whose name says it totals others of its county ("Dover Total" beside "Dover 1"
    and "Dover 2": ``pseudo.total_of``) is a subtotal row, not one more precinct: where each of
    its candidates' votes equals the sum of those precincts' it is left out (kind ``total``, with
    the check), else a ``county_total_mismatch`` problem names it. A name with a total word and
    no such precincts beside it stays a precinct."""
    precincts: dict[str | None, list[Unit]] = defaultdict(list)
    for unit in build.units.values():
        if unit.kind is UnitKind.PRECINCT:
            precincts[unit.parent].append(unit)
    dropped: set[str] = set()
    for siblings in precincts.values():
        for unit in siblings:
            of = total_of(unit.name)
            if of is None:
                continue
            parts = [u.id for u in siblings if u is not unit and total_of(u.name) is None
                     and " ".join(re.findall(r"[a-z0-9]+", u.name.casefold())).startswith(of + " ")]
            if parts and _subtotal(build, unit, set(parts)):
                dropped.add(unit.id)
    if dropped:
        build.counts = [c for c in build.counts if c.unit not in dropped]
        build.units = {k: u for k, u in build.units.items() if k not in dropped}


def _subtotal(build: _Build, unit: Unit, parts: set[str]) -> bool:
    """Check one subtotal precinct against its parts; True when it agrees (and is left out)."""
    sums: dict[str, list[int | None]] = defaultdict(list)
    own: dict[str, tuple[int, int | None]] = {}
    for count in build.counts:
        if count.vote_type is VoteType.TOTAL and count.unit in parts:
            sums[count.candidate].append(count.votes)
        elif count.vote_type is VoteType.TOTAL and count.unit == unit.id:
            own[count.candidate] = (count.line or 0, count.votes)
    for candidate, (line, votes) in own.items():
        figures = sums.get(candidate, [])
        if votes is not None and None not in figures and sum(f or 0 for f in figures) != votes:
            build.problems.append(Problem(
                "county_total_mismatch", f"{unit.name!r}, {build.candidates[candidate].name}: a "
                f"subtotal row {votes}, the {len(parts)} precincts it names add up to "
                f"{sum(f or 0 for f in figures)}", build.source, line, "votes"))
            return False
    for candidate, (line, votes) in sorted(own.items(), key=lambda kv: kv[1][0]):
        name = build.candidates[candidate].name
        build.exclusions.append(Exclusion(
            line, "subtotal row: its precincts already count these votes", votes, name,
            kind="total", file=build.source, candidate=name,
            detail=f"{votes} = the sum of {len(parts)} precincts named like {unit.name!r}"))
    return True


def _statewide(build: _Build) -> None:
    """Each statewide total row ("Total" in the county column) checked against the sum of its
    candidate's figures in the smallest units the file gives: equal, it is left out (kind
    ``total``, with the check); unequal, a ``county_total_mismatch`` problem naming the line; the
    row of a candidate the file gives in no unit is left out as votes in no unit (``no_unit``:
    the state's own figure cannot stand beside its counties'), and listed. A row
    that is no vote for a candidate ("Registered Voters") is left out; the stage checks its
    units' own."""
    if not build.statewide:
        return
    counted = {c.unit for c in build.counts}
    leaves = counted - {build.units[u].parent for u in counted}
    sums: dict[str, list[int | None]] = defaultdict(list)
    for count in build.counts:
        if count.vote_type is VoteType.TOTAL and count.unit in leaves:
            sums[count.candidate].append(count.votes)
    state = build.election.state
    for line, candidate, votes, place in build.statewide:
        parts = sums.get(candidate.id)
        if not parts and pseudo_kind(candidate.name) is None:
            build.exclusions.append(Exclusion(
                line, "votes the file gives in no unit (only on its statewide row)", votes,
                candidate.name, kind=NO_UNIT, file=build.source, candidate=candidate.name,
                detail=f"a {place!r} row for a candidate no unit lists"))
            continue
        known = None if parts is None or None in parts else sum(p for p in parts if p is not None)
        if known is not None and votes is not None and known != votes \
                and pseudo_kind(candidate.name) is None:
            build.problems.append(Problem(
                "county_total_mismatch", f"{STATE_NAMES[state]}, {candidate.name}: {place!r} "
                f"row {votes}, its units add up to {known}", build.source, line, "votes"))
            continue
        detail = (f"{votes} = the sum of its units" if known is not None and known == votes
                  else f"a {place!r} row beside the units")
        build.exclusions.append(Exclusion(line, "statewide total row: the units already count "
                                          "these votes", votes, candidate.name, kind="total",
                                          file=build.source, candidate=candidate.name,
                                          detail=detail))


def _fusion(build: _Build) -> tuple[tuple[Note, ...], dict[str, dict[str, int]]]:
    """A candidate on several party lines in one unit (New York's fusion: Biden on DEM and WOR):
    one ``fusion_party_line`` note per unit and candidate, whose ``parts`` are each line's party
    and votes (``Albany, Joseph R. Biden: party lines DEM 91373 + WOR 5240 = 96613``), and each
    candidate's votes per party line over the file (``Returns.fusion``). The lines are added as
    one candidate's votes; the stage (``rules_rows.duplicates_and_splits``) does not take them
    for a split precinct's parts, nor two lines with equal figures for a repeated row."""
    notes: list[Note] = []
    by_party: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (unit, candidate), lines in build.lines_of.items():
        parties = {p for _line, p, _votes in lines}
        if len(lines) < 2 or len(parties) < 2 or "" in parties:
            continue
        name = build.candidates[candidate].name
        said = " + ".join(f"{p} {'withheld' if v is None else v}" for _line, p, v in lines)
        known = [v for _line, _p, v in lines if v is not None]
        whole = sum(known) if len(known) == len(lines) else "withheld"
        notes.append(Note(f"{build.units[unit].name}, {name}: party lines {said} = {whole}",
                          "fusion_party_line", tuple(line for line, _p, _v in lines), build.source,
                          tuple(lines)))
        for _line, p, v in lines:
            by_party[candidate][p] += v or 0
    return tuple(notes), {c: dict(lines) for c, lines in by_party.items()}


def _returns(build: _Build, unread: list[str]) -> Returns:
    excluded = (*build.exclusions, *(  # one entry per other office, not per row
        Exclusion(lines[0], "another office: only the presidential contest is read", None, office,
                  len(lines), OTHER_CONTEST, file=build.source)
        for office, lines in build.other_offices.items()))
    facts = tuple(UnitFacts(u, ballots_cast=n) for u, n in build.ballots.items())
    notes = (Note(f"columns not read (neither a place, a name nor a known vote type): "
                  f"{', '.join(unread)}", lines=(1,), source=build.source),) if unread else ()
    fused, fusion = _fusion(build)
    return Returns(build.election, tuple(build.candidates.values()), tuple(build.units.values()),
                   tuple(build.counts), tuple(build.parties.values()), facts, build.source,
                   excluded, (*notes, *fused), fusion=fusion)
