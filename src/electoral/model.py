"""Domain types: what an election's returns are, independent of any file format or database.

Vocabulary follows NIST SP 1500-100 where it fits (a *reporting unit* is its GpUnit, a *count* its
VoteCounts). Every type is a frozen, slotted dataclass; ids are stable and separate from display names.
Votes are ``int``: percentages are derived later, from exact integers, by ``tabulate``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from electoral.errors import Problem, ValidationError


class UnitKind(StrEnum):
    """The kinds of reporting unit, from the largest to the smallest."""

    NATION = "nation"
    STATE = "state"
    COUNTY = "county"
    COG = "cog"  # Connecticut's councils of government (county-equivalents since 2022)
    DISTRICT = "district"  # congressional district
    TOWN = "town"
    PRECINCT = "precinct"


class VoteType(StrEnum):
    """How a vote was cast. ``TOTAL`` is every type together."""

    TOTAL = "total"
    ELECTION_DAY = "election_day"
    EARLY = "early"
    ABSENTEE = "absentee"
    MAIL = "mail"
    PROVISIONAL = "provisional"
    # Named as the source names them (docs/import-json.md: the label lower-cased, non-alphanumerics
    # as "_", a trailing "_votes" dropped): Clarity's "Absentee by Mail", "Advance Voting",
    # "Advance in Person" (OpenElections' ``advance_in_person`` column).
    ABSENTEE_BY_MAIL = "absentee_by_mail"
    ADVANCE_VOTING = "advance_voting"
    ADVANCE_IN_PERSON = "advance_in_person"


OFFICES = ("president",)
ELECTION_ID = re.compile(r"^(?P<year>\d{4})-(?P<state>[A-Z]{2})-(?P<office>[a-z][a-z_-]*)$")

STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
STATE_BY_NAME: dict[str, str] = {name.lower(): po for po, name in STATE_NAMES.items()}
# Two-digit state codes of FIPS PUB 5-2 (kept since 2008 as ANSI INCITS 38 by the Census Bureau);
# the first two digits of every county FIPS code.
STATE_FIPS: dict[str, str] = {
    "AL": "01", "AK": "02", "AZ": "04", "AR": "05", "CA": "06", "CO": "08", "CT": "09", "DE": "10",
    "DC": "11", "FL": "12", "GA": "13", "HI": "15", "ID": "16", "IL": "17", "IN": "18", "IA": "19",
    "KS": "20", "KY": "21", "LA": "22", "ME": "23", "MD": "24", "MA": "25", "MI": "26", "MN": "27",
    "MS": "28", "MO": "29", "MT": "30", "NE": "31", "NV": "32", "NH": "33", "NJ": "34", "NM": "35",
    "NY": "36", "NC": "37", "ND": "38", "OH": "39", "OK": "40", "OR": "41", "PA": "42", "RI": "44",
    "SC": "45", "SD": "46", "TN": "47", "TX": "48", "UT": "49", "VT": "50", "VA": "51", "WA": "53",
    "WV": "54", "WI": "55", "WY": "56",
}  # fmt: skip


def slug(text: str) -> str:
    """A stable id fragment for a display name: ``"St. Louis City"`` → ``"st-louis-city"``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True, slots=True)
class Election:
    """One contest for one office in one state: ``2004-CT-president``."""

    year: int
    state: str  # USPS code, "US" for a national contest
    office: str = "president"
    date: dt.date | None = None
    name: str = ""

    @property
    def id(self) -> str:
        return f"{self.year}-{self.state}-{self.office}"

    @classmethod
    def from_id(cls, election_id: str) -> Election:
        """The election an id such as ``2004-CT-president`` names (``YEAR-ST-office``; ``US``
        for a national contest).

        Raises:
            ValidationError: ``election_id`` is not of that form, or names no state.
        """
        match = ELECTION_ID.match(election_id)
        if not match:
            raise ValidationError(
                [Problem("election-id", f"{election_id!r} is not an election id; "
                         "write it as YEAR-ST-office, e.g. 2004-CT-president", field="election")]
            )
        state = match["state"]
        if state not in STATE_NAMES and state != "US":
            raise ValidationError(
                [Problem("election-id", f"unknown state {state!r} in {election_id!r}",
                         field="election")]
            )
        return cls(year=int(match["year"]), state=state, office=match["office"])


@dataclass(frozen=True, slots=True)
class Party:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate (or a ticket) on the ballot. ``name`` may be empty when a source leaves it unnamed;
    such a candidate keeps a stable id (``unnamed-3``) and is never given an invented name."""

    id: str
    name: str
    party: str | None = None  # party id
    running_mate: str | None = None
    home_state: str | None = None
    incumbent: bool = False
    write_in: bool = False
    # A pseudo-candidate stands for a group of real ones ("Various candidates", "Others (Write-In)").
    aggregate: bool = False

    @property
    def label(self) -> str:
        return self.name or f"(unnamed {self.id})"


@dataclass(frozen=True, slots=True)
class Unit:
    """A reporting unit. ``parent`` is its place in the geographic tree (precinct → town → county →
    state); ``groups`` are the other groupings it belongs to (council of government, congressional
    district), as unit ids."""

    id: str
    name: str
    kind: UnitKind
    parent: str | None = None
    groups: tuple[str, ...] = ()
    fips: str | None = None
    # A source's reconciliation row, not a place: Michigan's "{Statistical Adjustments}" precinct
    # carries the canvass's corrections to the precinct sums. Its counts may be negative and are
    # counted in every total above it (``io.rules_numbers``).
    adjustment: bool = False


@dataclass(frozen=True, slots=True)
class Count:
    """One figure of the returns: ``votes`` for ``candidate`` in ``unit`` by ``vote_type``.
    ``line`` is the line of the file the figure came from (``None`` once stored, or where the
    format has no lines); it locates what the import stage reports and is not part of equality.

    ``votes`` is ``None`` for a count the source withheld (a suppressed ``*`` cell): unknown,
    never 0, so every total containing it is a lower bound (``tabulate.rollup``). It may be
    negative on an adjustment unit (``Unit.adjustment``) only; the import stage's
    ``counts_well_formed`` rule refuses a negative count anywhere else, with its line.

    Raises:
        ValueError: ``votes`` is neither an int nor ``None``.
    """

    unit: str  # unit id
    candidate: str  # candidate id
    votes: int | None
    vote_type: VoteType = VoteType.TOTAL
    line: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.votes is not None and type(self.votes) is not int:
            raise ValueError(f"votes must be an int (or None where suppressed), not {self.votes!r}")


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """What is known of a unit beyond its votes: ballots cast, registered voters, voting-age
    population, and how far its count has got. Any may be unknown.

    ``reporting`` / ``expected`` are the source's own reporting status, in units below this one
    (Clarity's ``precinctsReported`` of ``precinctsParticipating``, NIST 1500-100's
    ``SubUnitsReported`` of ``TotalSubUnits``); ``status`` a NIST ``CountStatus`` that is not
    final (``in-process``, ``not-processed``; empty when the source gives none or says
    ``completed``), ``outstanding`` the ballots it says are still to count (NIST
    ``BallotsOutstanding``). A unit with ``reporting < expected``, a status, or ballots
    outstanding is partly counted (``partly_counted``): the coverage says so and no winner is
    declared from it (issue 10 item 5, issue 12 item 4)."""

    unit: str
    ballots_cast: int | None = None
    registered: int | None = None
    voting_age_population: int | None = None
    reporting: int | None = None
    expected: int | None = None
    status: str = ""
    outstanding: int | None = None

    @property
    def partly_counted(self) -> bool:
        return bool(self.status) or bool(self.outstanding) or (
            self.reporting is not None and self.expected is not None
            and self.reporting < self.expected)

    def progress(self) -> str:
        """How far the count is, in words: ``"4 of 10 precincts reported"``, ``"in-process"``,
        ``"150 ballots outstanding"`` (joined with "; "); ``""`` when counted."""
        parts = []
        if self.reporting is not None and self.expected is not None \
                and self.reporting < self.expected:
            parts.append(f"{self.reporting} of {self.expected} precincts reported")
        if self.status:
            parts.append(self.status)
        if self.outstanding:
            parts.append(f"{self.outstanding} ballots outstanding")
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Exclusion:
    """One row a reader or the import stage set aside instead of counting it: where it was (file
    line, 0 when the format has none), why, and the votes it carried (``None`` if unreadable).

    The fields after ``rows`` are what docs/import-json.md's ``left_out`` gives: ``kind`` a stable
    key (``total``, ``ballots_cast``, ``registered_voters``, ...; empty where a reader gave only a
    reason), ``unit`` the row's unit names from the largest down (``(("county", "Kent"),
    ("precinct", "Alder 1"))``), ``file`` the file it came from, ``candidate`` the candidate a
    county-total row stands for, and ``detail`` the check made (``615 = 310 + 280 + 25``)."""

    line: int
    reason: str
    votes: int | None = None
    label: str = ""  # what the row called itself ("UNDERVOTES", "TOTAL BALLOTS CAST", ...)
    rows: int = 1  # how many rows this entry stands for (a whole other contest is one entry)
    kind: str = ""
    unit: tuple[tuple[str, str], ...] = ()
    file: str = ""
    candidate: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Merged:
    """Spellings of one candidate that the import stage made one (``rules_labels.spellings``):
    the ``candidate``'s display name, its party id (``None`` for none) and every spelling merged,
    the display one included, sorted."""

    candidate: str
    party: str | None
    spellings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UndecidedSpelling:
    """A spelling that fits more than one candidate: kept as its own candidate, never merged.
    One per row (``file``, ``line``, ``unit`` names as in ``Exclusion``, the row's ``votes``);
    ``candidates`` the (display name, party id) pairs it could be."""

    spelling: str
    votes: int
    candidates: tuple[tuple[str, str | None], ...]
    line: int | None = None
    unit: tuple[tuple[str, str], ...] = ()
    file: str = ""


class Note(str):
    """A note (``Returns.notes``) that says where it comes from: a ``kind`` key of
    docs/import-json.md (``split_precinct``; ``note`` for any other), the file and its ``lines``.
    It is the note's text everywhere a plain note is read; the extra fields are for the import's
    JSON and are not stored."""

    kind: str
    lines: tuple[int, ...]
    source: str
    # The figures a note sums, line by line, where it has them: a fusion candidate's party lines
    # as ``(line, party label as written, votes)``.
    parts: tuple[tuple[int, str, int | None], ...]

    def __new__(cls, detail: str, kind: str = "note", lines: tuple[int, ...] = (),
                source: str = "", parts: tuple[tuple[int, str, int | None], ...] = ()) -> Note:
        note = super().__new__(cls, detail)
        note.kind, note.lines, note.source, note.parts = kind, tuple(lines), source, tuple(parts)
        return note


@dataclass(frozen=True, slots=True)
class Returns:
    """Everything an import brings for one election: the contest, who ran, the units and their counts.

    The fields after ``source`` are what the source said beside its votes; they do not take part
    in equality (two imports of the same votes are the same returns):

    * ``exclusions``: every row set aside, with its reason (``io.exclusions``);
    * ``notes``: what a reader or the import stage did that a user should know, one sentence each;
    * ``electors``: the elector slate an article lists, in its order;
    * ``fusion``: candidate id → party id → votes, for a candidate on several party lines;
    * ``reported_total``: the contest total the file itself states, in votes (MEDSL ``totalvotes``);
    * ``unofficial``: the source marks its figures as not certified.
    """

    election: Election
    candidates: tuple[Candidate, ...]
    units: tuple[Unit, ...]
    counts: tuple[Count, ...]
    parties: tuple[Party, ...] = ()
    facts: tuple[UnitFacts, ...] = ()
    source: str = ""
    exclusions: tuple[Exclusion, ...] = field(default=(), compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)
    electors: tuple[str, ...] = field(default=(), compare=False)
    fusion: dict[str, dict[str, int]] = field(default_factory=dict, compare=False)
    reported_total: int | None = field(default=None, compare=False)
    unofficial: bool = field(default=False, compare=False)
    # What the import stage's label rules did (io.rules_labels): party labels not in the
    # canonical table (as written), spellings merged, spellings left undecided.
    unknown_parties: tuple[str, ...] = field(default=(), compare=False)
    merged: tuple[Merged, ...] = field(default=(), compare=False)
    undecided: tuple[UndecidedSpelling, ...] = field(default=(), compare=False)
    # Stored anyway, but a user must read them (a unit name that is not a unit of the state).
    warnings: tuple[StageWarning, ...] = field(default=(), compare=False)

    def unit(self, unit_id: str) -> Unit:
        """The unit with id ``unit_id``.

        Raises:
            KeyError: no unit of these returns has that id.
        """
        for unit in self.units:
            if unit.id == unit_id:
                return unit
        raise KeyError(unit_id)

    def candidate(self, candidate_id: str) -> Candidate:
        """The candidate with id ``candidate_id``.

        Raises:
            KeyError: no candidate of these returns has that id.
        """
        for candidate in self.candidates:
            if candidate.id == candidate_id:
                return candidate
        raise KeyError(candidate_id)

    def party_name(self, party_id: str | None) -> str:
        for party in self.parties:
            if party.id == party_id:
                return party.name
        return party_id or ""

    def units_of(self, kind: UnitKind) -> Iterator[Unit]:
        return (unit for unit in self.units if unit.kind == kind)


@dataclass(frozen=True, slots=True)
class StageWarning:
    """Something the import stage stores anyway but a user must be told (docs/import-json.md's
    WARNING): a stable ``kind`` (``unknown_unit``), the ``detail`` in words (quoting the name),
    every file ``lines`` it concerns, ascending, and the ``file`` (empty until located)."""

    kind: str
    detail: str
    lines: tuple[int, ...] = ()
    file: str = ""

    @property
    def line(self) -> int | None:
        """The first of ``lines`` (``None`` where the format has no lines)."""
        return self.lines[0] if self.lines else None

    def __str__(self) -> str:
        where = ", ".join(str(n) for n in self.lines)
        at = f" ({self.file}{' lines ' + where if where else ''})" if self.file or where else ""
        return f"{self.detail}{at}"


@dataclass(frozen=True, slots=True)
class CastVoteRecord:
    """One ballot's marks in one ranked contest, exactly as the CVR states them, before any rule
    (overvote, skipped rank, duplicate, alias, write-in) is applied: that is the tabulator's job.

    ``marks`` are ``(rank, choice)`` pairs in the order found, ``choice`` being the label the file
    uses (a candidate name or code, or the file's overvote/undervote/write-in label). Two marks at
    one rank are an overvote; a missing rank is a skipped one.
    """

    id: str
    marks: tuple[tuple[int, str], ...]
    precinct: str | None = None
    batch: str | None = None
    contest: str | None = None
    weight: int = 1


# ---- opinion polls ---------------------------------------------------------------------------------


class Population(StrEnum):
    """Whom a poll question sampled, with 538's codes: likely voters, registered voters, all adults,
    or "voters" (the pollster did not say which voters)."""

    LV = "lv"
    RV = "rv"
    A = "a"
    V = "v"


@dataclass(frozen=True, slots=True)
class Pollster:
    """A polling firm: 538's ``pollster_id`` (``id``), its display ``name`` and its rating as the
    file states it, a letter ``grade`` (2020 schema, "A+" … "D-") or a ``numeric_grade`` (2022+
    schema, 0.5 … 3.0); ``None`` where the file gives none."""

    id: str
    name: str
    grade: str | None = None
    numeric_grade: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PollAnswer:
    """One option of a poll question: the ``candidate`` as named, the ``party`` (canonical, from
    ``electoral.parties.canonical_party``; ``None`` for no party) and the ``share`` in percent,
    exactly as the file states it."""

    candidate: str
    party: Party | None
    share: Decimal


@dataclass(frozen=True, slots=True)
class PollQuestion:
    """One question of a poll (a population, a field of candidates): its ``answers`` in file order,
    the ``sample_size`` as stated (``None`` when unstated; raw-polls states some as halves, 712.5)
    and the file ``line`` it starts on."""

    id: str
    population: Population
    sample_size: Decimal | None
    answers: tuple[PollAnswer, ...]
    line: int = 0

    def share(self, party_id: str) -> Decimal | None:
        """The share of the answer of party ``party_id`` ("democratic", "republican": the ids of
        ``electoral.parties``), ``None`` if none runs."""
        return next((a.share for a in self.answers if a.party is not None and a.party.id == party_id),
                    None)


@dataclass(frozen=True, slots=True)
class Poll:
    """One poll of one geography: ``geography`` is a USPS code ("PA"), a district ("ME-02") or
    "US"; ``start``/``end`` the field dates; ``partisan`` the party of a partisan sponsor (538's
    ``partisan`` flag) and ``internal`` whether it is a campaign's own poll; ``margin_of_error`` in
    points as published (``None`` when unstated); ``source`` the file it came from."""

    id: str
    pollster: Pollster
    geography: str
    start: dt.date
    end: dt.date
    questions: tuple[PollQuestion, ...]
    sponsors: tuple[str, ...] = ()
    methodology: str = ""
    margin_of_error: Decimal | None = None
    partisan: str | None = None
    internal: bool = False
    source: str = ""


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """A poll of 538's ``raw-polls.csv`` with the result it is scored against: the two leading
    candidates' ``actual`` shares (percent), the poll's and the result's margins (first candidate
    minus second, points), and 538's ``error`` (absolute miss of the margin) and ``bias`` (signed
    miss, positive toward the Democrat)."""

    poll: Poll
    year: int
    election_date: dt.date
    actual: tuple[Decimal, Decimal]
    margin_poll: Decimal
    margin_actual: Decimal
    error: Decimal
    bias: Decimal
