"""MIT Election Data + Science Lab (MEDSL) presidential returns: the state files.

Two layouts are read, told apart by their header:

* ``1976-2020-president.csv``: ``year,state,state_po,state_fips,…,candidate,party_detailed,writein,
  candidatevotes,totalvotes,version,notes,party_simplified``;
* ``2024-president-state.csv``: the same idea with ``votes`` for ``candidatevotes`` and the extra
  columns ``mode``, ``stage``, ``special`` and ``unofficial``.

Each state-year becomes one ``Returns`` (``2004-MO-president``) whose single unit is the state
(id ``MO``, fips ``29``). The files' quirks, from the folder README, are handled here:

* a candidate on several party lines (fusion: NY, CT, SC …) is one candidate; the lines are summed
  and kept in ``Returns.fusion``;
* doubled-quote artefacts (``BUBAR, BENJAMIN ""BEN""``) are undone, embedded newlines flattened;
* unnamed rows, "OTHER", "SCATTERING", "WRITE-IN" … are aggregate pseudo-candidates, told apart by
  party and write-in flag; rows that are not votes for anyone (``OVERVOTES``, ``TOTAL VOTES CAST``:
  ``io.pseudo``'s one vocabulary) are excluded with their reason and left-out kind, as are rows with
  no count (``NA``) and rows that are not the regular general election (kind ``other_contest``).
  Exclusions travel in ``Returns.exclusions``; parties are ``electoral.parties.canonical_party``'s;
* ``totalvotes`` (the file's own contest total) is kept in ``Returns.reported_total``;
  2024 rows marked ``unofficial`` set ``Returns.unofficial``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TextIO

from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.io import PROBES, Format, ReadOptions, register
from electoral.io.counts import CountError
from electoral.io.counts import parse_count as count_of
from electoral.io.exclusions import Exclusion
from electoral.io.pseudo import NO_COUNT, OTHER_CONTEST, left_out_kind, pseudo_kind
from electoral.model import (
    STATE_BY_NAME,
    STATE_FIPS,
    STATE_NAMES,
    Candidate,
    Count,
    Election,
    Party,
    Returns,
    Unit,
    UnitKind,
    VoteType,
    slug,
)
from electoral.parties import DEMOCRATIC, REPUBLICAN, canonical_party

OFFICE = "US PRESIDENT"
STATE_COLUMNS = ("year", "state_po", "state_fips", "office", "candidate", "party_detailed",
                 "writein", "totalvotes")

# Labels that stand for a group of candidates (or for no named one): aggregate pseudo-candidates.
GROUPS = frozenset({
    "", "OTHER", "OTHERS", "ALL OTHERS", "SCATTERING", "WRITE-IN", "WRITE-INS", "WRITEIN",
    "WRITE IN", "WRITE INS", "NOT DESIGNATED", "UNAFFILIATED", "NONPARTISAN",
    "NONE OF THESE CANDIDATES", "NONE OF THE ABOVE", "UNCOMMITTED", "UNDECIDED",
})
# MEDSL ``mode`` values by the words they contain, first match wins; the types are summed by
# ``rollup`` where no TOTAL row exists, so two modes of one type (``ABSENTEE``, ``2ND ABSENTEE``)
# are added together here.
MODE_WORDS: tuple[tuple[tuple[str, ...], VoteType], ...] = (
    (("TOTAL", "NA"), VoteType.TOTAL),
    (("PROV", "FAILSAFE", "QUESTION", "EMERGENCY"), VoteType.PROVISIONAL),
    (("MAIL",), VoteType.MAIL),
    (("ABSENTEE", "OVERSEAS", "UOCAVA"), VoteType.ABSENTEE),
    (("EARLY", "ONE STOP", "ADVANCE"), VoteType.EARLY),
)


def clean_label(text: str) -> str:
    """A candidate label as MEDSL meant it: doubled-quote artefacts undone, whitespace collapsed."""
    while '""' in text:
        text = text.replace('""', '"')
    return " ".join(text.split())


def party_of(detailed: str, simplified: str = "") -> Party | None:
    """The party a row's candidate ran for (``electoral.parties.canonical_party``): the detailed
    label where it names one, else ``party_simplified`` (MEDSL writes ``WRITE-IN`` or ``NA`` in
    ``party_detailed`` beside ``DEMOCRAT`` in ``party_simplified``)."""
    return canonical_party(detailed) or canonical_party(simplified)


def vote_type(mode: str) -> VoteType:
    """A MEDSL ``mode`` as a vote type. Empty and ``NA`` mean the row is the unit's total; modes
    that name none of the types (``ELECTION DAY``, ``MACHINE COUNT``, ``UNKNOWN``) are votes cast
    at the polls or of unstated kind, counted as election-day votes."""
    text = mode.strip().upper()
    if not text:
        return VoteType.TOTAL
    for words, kind in MODE_WORDS:
        if any(word == text or (len(word) > 2 and word in text) for word in words):
            return kind
    return VoteType.ELECTION_DAY


def general_election_day(year: int) -> dt.date:
    """The Tuesday after the first Monday of November."""
    first = dt.date(year, 11, 1)
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    return monday + dt.timedelta(days=1)


def is_true(text: str) -> bool:
    return text.strip().upper() in ("TRUE", "T", "1", "YES")


# ---- reading rows with their line numbers ------------------------------------------------------


def records(stream: TextIO, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` for every record of a CSV stream, ``line`` being where the record starts.
    A missing column, a malformed record or a ragged row raises ``ValidationError``."""
    reader = csv.reader(stream)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ValidationError([Problem("empty-file", "the file is empty", line=1)]) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationError([Problem(
            "missing-column", f"no column {c!r}; is this a MEDSL file? (columns: "
            f"{', '.join(header)})", line=1, field=c) for c in missing])
    problems: list[Problem] = []
    line = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem("malformed-row", f"unreadable CSV record: {exc}", line=line))
            line = reader.line_num + 1
            continue
        if record and len(record) != len(header):
            problems.append(Problem("ragged-row", f"{len(record)} fields where the header has "
                                    f"{len(header)}", line=line))
        elif record:
            yield line, dict(zip(header, record, strict=True))
        line = reader.line_num + 1
    if problems:
        raise ValidationError(problems)


def withheld(text: str) -> bool:
    """A count the source withholds (``*``, MEDSL's mark for a suppressed small cell): unknown,
    never 0; it is kept as a ``Count`` whose votes are ``None``."""
    return text.strip() == "*"


# What MEDSL writes where a row has no count: the row is set aside, kind ``no_count``.
NOT_GIVEN = frozenset({"", "NA", "N/A", "-"})


def parse_count(row: Mapping[str, str], column: str, line: int,
                problems: list[Problem], *, point_zero: bool = True) -> int | None:
    """The count in ``row[column]`` (``io.counts``); ``None`` for a count the file does not give
    (``NOT_GIVEN``) or withholds (``*``), and a located problem (and ``None``) for anything else
    that is not a non-negative count. ``point_zero`` takes an exact ``.0`` (``12.0``): MEDSL's
    files are written by pandas, which prints an integer column with a missing value as floats
    (its precinct file's FIPS codes read ``44001.0``)."""
    text = row[column]
    if text.strip() in NOT_GIVEN:
        return None
    try:
        value = count_of(text, signed=True, point_zero=point_zero)
    except CountError as exc:
        problems.append(Problem("bad-votes", str(exc), line=line, field=column))
        return None
    if value is not None and value < 0:
        problems.append(Problem("bad-votes", f"negative vote count {value}", line=line,
                                field=column))
        return None
    return value


# ---- building one election ---------------------------------------------------------------------


@dataclass(slots=True)
class _Ballot:
    """What is known of one candidate while rows arrive."""

    label: str
    aggregate: bool
    parties: list[Party] = field(default_factory=list)
    write_in: bool = True
    lines: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # party id → votes

    def party(self) -> Party | None:
        for party in self.parties:
            if party.id in (DEMOCRATIC.id, REPUBLICAN.id):
                return party
        return self.parties[0] if self.parties else None


@dataclass(slots=True)
class ElectionBuilder:
    """Accumulates the rows of one election in file order, then builds its ``Returns``."""

    election: Election
    ballots: dict[str, _Ballot] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    votes: dict[tuple[str, str, VoteType], int] = field(default_factory=lambda: defaultdict(int))
    # keys with a count the file withholds ("*"): unknown, so the whole figure is unknown
    withheld: set[tuple[str, str, VoteType]] = field(default_factory=set)
    # the first line of each key: where the import stage locates what it finds of the count
    lines: dict[tuple[str, str, VoteType], int] = field(default_factory=dict)
    exclusions: list[Exclusion] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reported_total: int | None = None
    unofficial: bool = False

    def candidate_id(self, label: str, party: Party | None, write_in: bool) -> str:
        """Register a row's candidate and return its id (see ``candidate_key``)."""
        key, aggregate = candidate_key(label, party, write_in)
        ballot = self.ballots.get(key)
        if ballot is None:
            ballot = self.ballots[key] = _Ballot(label, aggregate)
        if party is not None and party not in ballot.parties:
            ballot.parties.append(party)
        ballot.write_in = ballot.write_in and write_in
        return key

    def add(self, unit: str, candidate: str, party: Party | None, votes: int | None,
            kind: VoteType = VoteType.TOTAL, line: int | None = None) -> None:
        """Add a row's votes (from ``line``); ``None`` is a count the file withholds (``*``)."""
        if line is not None:
            self.lines.setdefault((unit, candidate, kind), line)
        if votes is None:
            self.withheld.add((unit, candidate, kind))
            votes = 0
        self.votes[(unit, candidate, kind)] += votes
        if unit == self.election.state:
            self.ballots[candidate].lines[party.id if party else ""] += votes

    def build(self, source: str) -> Returns:
        parties = {p.id: p for b in self.ballots.values() for p in b.parties}
        candidates = tuple(
            Candidate(cid, b.label, party=(b.party().id if b.party() else None),  # type: ignore[union-attr]
                      write_in=b.write_in, aggregate=b.aggregate)
            for cid, b in self.ballots.items())
        counts = tuple(Count(u, c, None if (u, c, t) in self.withheld else v, t,
                             self.lines.get((u, c, t)))
                       for (u, c, t), v in self.votes.items())
        fusion = {cid: dict(b.lines) for cid, b in self.ballots.items() if len(b.lines) > 1}
        return Returns(self.election, candidates, tuple(self.units.values()), counts,
                       parties=tuple(parties.values()), source=source,
                       exclusions=tuple(replace(e, file=e.file or source) for e in self.exclusions),
                       notes=tuple(self.notes), fusion=fusion,
                       reported_total=self.reported_total, unofficial=self.unofficial)


def candidate_key(label: str, party: Party | None, write_in: bool) -> tuple[str, bool]:
    """``(id, aggregate)`` for a row's candidate. A named candidate is the slug of the name,
    whatever party line or write-in flag the row has (fusion lines are one person). A group label
    ("OTHER", "", "SCATTERING" …) is told apart by party and write-in flag: ``other-write-in``,
    ``unnamed-independent``."""
    if label.upper() not in GROUPS:
        return slug(label) or "unnamed", False
    parts = [slug(label) or "unnamed"]
    if party is not None:
        parts.append(party.id)
    if write_in and "write" not in parts[0]:
        parts.append("write-in")
    return "-".join(parts), True


def state_unit(po: str) -> Unit:
    return Unit(po, STATE_NAMES[po], UnitKind.STATE, fips=STATE_FIPS[po])


def wanted(options: ReadOptions) -> Election | None:
    return Election.from_id(options.election) if options.election else None


def finish(builders: Mapping[str, ElectionBuilder], problems: list[Problem], source: str,
           want: Election | None) -> list[Returns]:
    if problems:
        raise ValidationError(problems)
    if want is not None and want.id not in builders:
        raise NotFoundError(f"{source} has no rows for {want.id}; check the election id")
    return [builders[k].build(source) for k in sorted(builders)]


# ---- the state reader --------------------------------------------------------------------------


@register(Format.MEDSL_STATE)
def read_medsl_state(stream: TextIO, source: str, options: ReadOptions) -> list[Returns]:
    """Every state-year of a MEDSL state presidential file (either layout), one ``Returns`` each,
    sorted by election id.

    Raises:
        ValidationError: the file is not this format or has bad rows, every problem located by
            line and field (the file name is added by ``io.read_tables``).
        NotFoundError: ``options.election`` names an election the file does not have.
    """
    want = wanted(options)
    builders: dict[str, ElectionBuilder] = {}
    problems: list[Problem] = []
    column = ""
    for line, row in records(stream, STATE_COLUMNS):
        column = column or ("candidatevotes" if "candidatevotes" in row else "votes")
        if column not in row:
            raise ValidationError([Problem("missing-column", "no column 'candidatevotes' or "
                                           "'votes'", line=1, field="candidatevotes")])
        builder = builder_for(builders, election_of(row, line, problems), want)
        if builder is not None:
            _state_row(builder, row, line, column, problems)
    return finish(builders, problems, source, want)


def election_of(row: Mapping[str, str], line: int, problems: list[Problem]) -> Election | None:
    """The election a row belongs to, by ``year`` and ``state_po`` (or the ``state`` name where
    ``state_po`` is ``NA``, as on MEDSL's pseudo-county rows)."""
    po = row["state_po"].strip().upper()
    if po in ("NA", ""):
        po = STATE_BY_NAME.get(row.get("state", "").strip().lower(), "")
    if po not in STATE_NAMES:
        problems.append(Problem("unknown-state", f"unknown state code {row['state_po']!r}",
                                line=line, field="state_po"))
        return None
    year = row["year"].strip()
    if not (year.isdigit() and len(year) == 4):
        problems.append(Problem("bad-year", f"{year!r} is not a year", line=line, field="year"))
        return None
    return Election(int(year), po, "president", general_election_day(int(year)))


def builder_for(builders: dict[str, ElectionBuilder], election: Election | None,
                want: Election | None) -> ElectionBuilder | None:
    """The builder of ``election`` (made, with its state unit, on first sight); ``None`` for a row
    of no election or of one not asked for."""
    if election is None or (want is not None and election.id != want.id):
        return None
    builder = builders.get(election.id)
    if builder is None:
        builder = builders[election.id] = ElectionBuilder(election)
        builder.units[election.state] = state_unit(election.state)
    return builder


def _state_row(builder: ElectionBuilder, row: Mapping[str, str], line: int, column: str,
               problems: list[Problem]) -> None:
    votes = parse_count(row, column, line, problems)
    label = clean_label(row["candidate"])
    skip = _skip_reason(row, label)
    if skip is None and votes is None and withheld(row[column]):
        votes = None  # counted below as unknown
    elif skip is not None or votes is None:
        if not problems or problems[-1].line != line:
            builder.exclusions.append(set_aside(line, skip, votes, label, row[column]))
        return
    _record_total(builder, row, line, problems)
    if is_true(row.get("unofficial", "")):
        builder.unofficial = True
    party = party_of(row["party_detailed"], row.get("party_simplified", ""))
    candidate = builder.candidate_id(label, party, is_true(row["writein"]))
    builder.add(builder.election.state, candidate, party, votes, vote_type(row.get("mode", "")),
                line)


def _skip_reason(row: Mapping[str, str], label: str) -> tuple[str, str] | None:
    """``(reason, left_out kind)`` for a row not read as votes; ``None`` for a candidate's."""
    if row["office"].strip().upper() != OFFICE:
        return f"another office ({row['office'].strip()})", OTHER_CONTEST
    if row.get("stage", "GEN").strip().upper() not in ("GEN", ""):
        return f"not the general election (stage {row['stage'].strip()})", OTHER_CONTEST
    if is_true(row.get("special", "")):
        return "a special election", OTHER_CONTEST
    return not_votes(label)


def not_votes(label: str) -> tuple[str, str] | None:
    """``(reason, left_out kind)`` for a row that is not a vote for a candidate, by the one
    vocabulary (``io.pseudo``): MEDSL's ``OVERVOTES``, ``UNDERVOTES``, ``TOTAL VOTES CAST``."""
    kind = pseudo_kind(label)
    if kind is None:
        return None
    return kind.reason, left_out_kind(label) or ""


def set_aside(line: int, skip: tuple[str, str] | None, votes: int | None, label: str, text: str,
              unit: tuple[tuple[str, str], ...] = ()) -> Exclusion:
    """The ``Exclusion`` of a row not read as votes: for ``skip``'s reason and kind, else for
    having no count (``text`` as written)."""
    reason, kind = skip or (f"no vote count given ({text.strip() or 'empty'})", NO_COUNT)
    return Exclusion(line, reason, votes, label, kind=kind, unit=unit)


def _record_total(builder: ElectionBuilder, row: Mapping[str, str], line: int,
                  problems: list[Problem]) -> None:
    total = parse_count(row, "totalvotes", line, problems)
    if total is None:
        return
    if builder.reported_total is None:
        builder.reported_total = total
    known = builder.reported_total
    if known != total:
        problems.append(Problem("inconsistent-total", f"totalvotes {total} differs from "
                                f"{known} on earlier rows of {builder.election.id}", line=line,
                                field="totalvotes"))


def probe_state(name: str, head: str) -> bool:
    first = head.splitlines()[0].lower() if head else ""
    columns = {c.strip().strip('"') for c in first.split(",")}
    return ({"state_po", "office", "candidate", "totalvotes"} <= columns
            and not columns & {"county_fips", "county_name", "precinct"})


PROBES[Format.MEDSL_STATE] = probe_state
