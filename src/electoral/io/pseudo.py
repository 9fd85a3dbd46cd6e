"""Rows that are not votes for a candidate: the one vocabulary every reader uses, and the shape rule.

Returns files put turnout, totals and ballot accounting in the candidate column ("Total Votes",
"Registered Voters", "Times Over Voted", "Write-In Totals"). Counted as candidates they win states,
so each label is recognised here with its kind, and the kind says how the row is checked against
the unit's candidates (a total must equal them, ballots cast must be at least them).

Two rules go beyond the vocabulary (issue 10 item 1, case ``01-pseudo-candidates``):

* **Total by shape** (``shape_totals``): a row whose label is in no vocabulary is a total when, in
  its unit, it has no party, at least two other candidate rows exist and its votes equal their
  sum (and are above zero), and its label is not a candidate's anywhere else in the contest, i.e.
  every unit where the label occurs shows it as the sum of the others. A candidate who happens to
  equal the others in one unit (Marsh's Cedar 4 row, 90 = 70 + 20) has a party, or shows other
  votes elsewhere, and is counted.
* **Turnout by shape** (``shape_above``): a row whose label is in no vocabulary, with no party, is
  turnout or registration ("Total Voters Checked In", a county's own word) when in every unit it is
  in, at least two candidates with a party exist and it has more votes than all of them together.
  A candidate cannot get more votes than every party's candidates together in every unit unless
  the file names no party for them, so files without party columns are never judged this way.
* **Write-in total beside its parts** (``write_in_parts``): "Write-In Totals" is left out when the
  unit also lists the write-ins it sums (the rows without a party that are candidates or
  unassigned / unresolved write-ins) and it equals them; alone it is the write-in votes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType


class Check(StrEnum):
    """How a pseudo row relates to the sum of its unit's candidates."""

    EQUAL = "equal"  # a total: must equal the candidates' sum
    AT_LEAST = "at-least"  # turnout: at least the candidates' sum
    NONE = "none"  # not comparable (registration, ballot accounting)


class PseudoKind(StrEnum):
    """The kinds of row that are not votes for a named candidate."""

    TOTAL = "total"
    BALLOTS_CAST = "ballots-cast"
    TIMES_COUNTED = "times-counted"
    REGISTERED_VOTERS = "registered-voters"
    BLANK = "blank"
    OVER_VOTE = "over-vote"
    UNDER_VOTE = "under-vote"
    SPOILED = "spoiled"
    NO_PREFERENCE = "no-preference"
    BLANK_AND_SCATTERING = "blank-and-scattering"
    WRITE_IN_TOTAL = "write-in-total"
    NOT_ASSIGNED = "not-assigned"
    UNRESOLVED_WRITE_IN = "unresolved-write-in"
    BALLOTS_ISSUED = "ballots-issued"
    BALLOTS_OF_TYPE = "ballots-of-type"
    OVER_AND_UNDER_VOTE = "over-and-under-vote"
    REJECTED_WRITE_IN = "rejected-write-in"
    PRECINCT_COUNT = "precinct-count"
    STRAIGHT_PARTY = "straight-party"
    VOTERS = "voters"

    @property
    def description(self) -> str:
        """How the import's "left out" line names the kind."""
        return _DESCRIPTIONS[self]

    @property
    def reason(self) -> str:
        """Why a reader set such a row aside: ``"undervotes: not a vote for any candidate"``."""
        return f"{_DESCRIPTIONS[self]}: not a vote for any candidate"

    @property
    def check(self) -> Check:
        """How a row of this kind is checked against its unit's candidates."""
        return _CHECKS.get(self, Check.NONE)


_DESCRIPTIONS = {
    PseudoKind.TOTAL: "total row",
    PseudoKind.BALLOTS_CAST: "ballots cast (turnout)",
    PseudoKind.TIMES_COUNTED: "ballots cast (turnout)",
    PseudoKind.REGISTERED_VOTERS: "registered voters (not votes)",
    PseudoKind.BLANK: "blank ballots",
    PseudoKind.OVER_VOTE: "overvotes",
    PseudoKind.UNDER_VOTE: "undervotes",
    PseudoKind.SPOILED: "spoiled ballots",
    PseudoKind.NO_PREFERENCE: "no preference (not a vote for any candidate)",
    PseudoKind.BLANK_AND_SCATTERING: "blank ballots merged with scattered write-ins (cannot be split)",
    PseudoKind.WRITE_IN_TOTAL: "write-in total",
    PseudoKind.NOT_ASSIGNED: "unassigned write-ins (not a candidate)",
    PseudoKind.UNRESOLVED_WRITE_IN: "unresolved write-ins (not a candidate)",
    PseudoKind.BALLOTS_ISSUED: "ballots issued (not votes)",
    PseudoKind.BALLOTS_OF_TYPE: "ballots of one vote type (turnout, not votes)",
    PseudoKind.OVER_AND_UNDER_VOTE: "overvotes and undervotes together",
    PseudoKind.REJECTED_WRITE_IN: "rejected write-ins (not a valid candidate)",
    PseudoKind.PRECINCT_COUNT: "a number of precincts (not votes)",
    PseudoKind.STRAIGHT_PARTY: "straight-party ballots (not a vote for a candidate of the contest)",
    PseudoKind.VOTERS: "voters (turnout or registration, not votes)",
}
# Ballots issued and "Voters" (those who voted, or those registered: files use it for both) are
# at least the votes any one contest's candidates got, but are not ballots cast; a vote type's
# ballots, a precinct count or a straight-party figure are compared with nothing.
_CHECKS = {PseudoKind.TOTAL: Check.EQUAL, PseudoKind.BALLOTS_CAST: Check.AT_LEAST,
           PseudoKind.TIMES_COUNTED: Check.AT_LEAST, PseudoKind.BALLOTS_ISSUED: Check.AT_LEAST,
           PseudoKind.VOTERS: Check.AT_LEAST}

# Labels as Clarity, OpenElections and MEDSL files write them (MEDSL 2024 precinct file,
# OpenElections MA 2004 / CT 2016 / IA 2020 / PA 2020 county files, Clarity detail.xml and summary
# CSVs, issue 10's cases and its new user's files); the readers' own lists (medsl.NOT_VOTES,
# openelections.NOT_VOTES / BALLOTS_CAST) are all included.
_LABELS: dict[PseudoKind, tuple[str, ...]] = {
    PseudoKind.TOTAL: ("Total", "Totals", "Total Votes", "Votes Total", "Contest Total", "Cast Votes",
                       "Total Vote", "Vote Total", "Grand Total"),
    PseudoKind.BALLOTS_CAST: ("Ballots Cast", "Total Ballots Cast", "Total Votes Cast", "Ballots",
                              "Ballots Cast Total", "Cards Cast", "Total Ballots", "Ballots Counted",
                              "Total Ballots Counted", "Turnout", "Voter Turnout", "Total Turnout",
                              "Ballots Cast - Total", "Total Voters", "Number of Voters",
                              "Voters Voting", "Public Count"),
    PseudoKind.TIMES_COUNTED: ("Times Counted", "Times Cast"),
    PseudoKind.REGISTERED_VOTERS: ("Registered Voters", "Registered Voters Total", "Registration",
                                   "Total Registered Voters", "Registered", "Total Registration",
                                   "Voter Registration", "Total Registered", "Registered Voters - Total",
                                   "Eligible Voters"),
    PseudoKind.BLANK: ("Blank", "Blanks", "Blank Vote", "Blank Votes", "Blank Ballots",
                       "Times Blank Voted", "Ballots Cast - Blank", "Blank Ballots Cast"),
    PseudoKind.OVER_VOTE: ("Over Votes", "Over Vote", "Overvotes", "Overvote", "Times Over Voted",
                           "Number of Over Votes"),
    PseudoKind.UNDER_VOTE: ("Under Votes", "Under Vote", "Undervotes", "Undervote",
                            "Times Under Voted", "Number of Under Votes", "No Vote", "No Votes",
                            "Did Not Vote"),
    PseudoKind.SPOILED: ("Spoiled", "Spoiled Ballots", "Void", "Void Vote", "Void Votes",
                         "Rejected", "Invalid Votes", "Rejected Ballots", "Uncounted",
                         "Uncounted Ballots"),
    PseudoKind.NO_PREFERENCE: ("No Preference",),
    PseudoKind.BLANK_AND_SCATTERING: ("Blank Vote/Scattering", "Blank Vote/Void Vote/Scattering"),
    PseudoKind.WRITE_IN_TOTAL: ("Write-In Totals", "Write-In Total", "Total Write-Ins",
                                "Total Write-In"),
    PseudoKind.NOT_ASSIGNED: ("Not Assigned", "Unassigned Write-Ins", "Unassigned Write-In"),
    PseudoKind.UNRESOLVED_WRITE_IN: ("Unresolved Write-In", "Unresolved Write-Ins",
                                     "Uncertified Write-Ins", "Uncertified Write-In"),
    PseudoKind.BALLOTS_ISSUED: ("Ballots Issued", "Total Ballots Issued", "Ballots Distributed"),
    PseudoKind.BALLOTS_OF_TYPE: ("Provisional Ballots", "Absentee Ballots", "Mail Ballots",
                                 "Mail-In Ballots", "Early Ballots", "Election Day Ballots",
                                 "Absentee Ballots Cast", "Provisional Ballots Cast",
                                 "Mail Ballots Cast", "Early Voting Ballots", "Early Voting",
                                 "Election Day", "Absentee", "Provisional", "Mail", "Early Vote",
                                 "Absentee by Mail", "Challenged Ballots", "Federal Only Ballots",
                                 "Federal Ballots"),
    PseudoKind.OVER_AND_UNDER_VOTE: ("Overvotes/Undervotes", "Over/Under Votes",
                                     "Over and Under Votes", "Undervotes/Overvotes",
                                     "Over Votes and Under Votes", "Over/Under"),
    PseudoKind.REJECTED_WRITE_IN: ("Rejected Write-In Votes", "Rejected Write-Ins",
                                   "Rejected Write-In", "Invalid Write-Ins", "Invalid Write-In"),
    PseudoKind.PRECINCT_COUNT: ("Precincts Reporting", "Number of Precincts", "Precincts Reported",
                                "Precincts Counted", "Total Precincts", "Precincts",
                                "Polling Places"),
    PseudoKind.STRAIGHT_PARTY: ("Straight Party", "Straight Party Ticket", "Straight Ticket",
                                "Straight Party Votes", "Straight-Party Voting"),
    PseudoKind.VOTERS: ("Voters",),
}


@lru_cache(maxsize=1 << 16)  # a file repeats its few labels on every row of every unit
def label_key(label: str) -> str:
    """A label with case, whitespace and punctuation folded away: ``"Total Votes"`` → ``totalvotes``."""
    return _FOLD.sub("", label.lower())


_FOLD = re.compile(r"[^0-9a-z]+")


def _vocabulary() -> Mapping[str, PseudoKind]:
    index: dict[str, PseudoKind] = {}
    for kind, labels in _LABELS.items():
        for label in labels:
            if index.setdefault(label_key(label), kind) is not kind:
                raise AssertionError(f"pseudo label {label!r} has two kinds")
    return MappingProxyType(index)


VOCABULARY: Mapping[str, PseudoKind] = _vocabulary()


# The stable ``left_out`` kind keys of docs/import-json.md, per pseudo-row kind (no_preference and
# blank_and_scattering are MEDSL's and OpenElections' rows that fit none of the contract's keys).
KIND_KEYS: Mapping[PseudoKind, str] = MappingProxyType({
    PseudoKind.TOTAL: "total", PseudoKind.BALLOTS_CAST: "ballots_cast",
    PseudoKind.TIMES_COUNTED: "ballots_cast", PseudoKind.REGISTERED_VOTERS: "registered_voters",
    PseudoKind.BLANK: "blank", PseudoKind.OVER_VOTE: "overvotes",
    PseudoKind.UNDER_VOTE: "undervotes", PseudoKind.SPOILED: "spoiled",
    PseudoKind.NO_PREFERENCE: "no_preference",
    PseudoKind.BLANK_AND_SCATTERING: "blank_and_scattering",
    PseudoKind.WRITE_IN_TOTAL: "write_in_total", PseudoKind.NOT_ASSIGNED: "unassigned_write_ins",
    PseudoKind.UNRESOLVED_WRITE_IN: "unresolved_write_ins",
    PseudoKind.BALLOTS_ISSUED: "ballots_issued", PseudoKind.BALLOTS_OF_TYPE: "ballots_of_type",
    PseudoKind.OVER_AND_UNDER_VOTE: "over_and_undervotes",
    PseudoKind.REJECTED_WRITE_IN: "rejected_write_ins", PseudoKind.PRECINCT_COUNT: "precincts",
    PseudoKind.STRAIGHT_PARTY: "straight_party", PseudoKind.VOTERS: "voters",
})
# The ``left_out`` kind of rows of a contest that is not the election imported.
OTHER_CONTEST = "other_contest"
# Kinds of rows left out that are no pseudo-candidate row, so fit none of the contract's keys:
# a row whose count the file does not give ("NA", empty), a file's own total above the sum of its
# units (votes placed in no unit), and a total above the sum of the candidates a file names.
NO_COUNT = "no_count"
NO_UNIT = "no_unit"
NO_CANDIDATE = "no_candidate"


# Words a total unit's name may hold beside its total word: the level it totals ("County Total",
# "Statewide Totals", "All Precincts Total") and what ("Total Votes"). Seen in OpenElections' GA,
# NV and PA files and MEDSL's precinct files; a name with any other word ("Total Absentee", a
# pseudo-precinct of real votes) is a unit.
_TOTAL_WORDS = frozenset({"total", "totals", "subtotal", "subtotals"})
# Unit names that are the whole of their parent without a "total" word (a fresh user's trial):
# "ALL PRECINCTS", "Sum", "Cumulative". Not "Countywide": states file their absentee and
# overseas ballots in a countywide unit of its own, votes no precinct holds.
_AGGREGATE_NAMES = frozenset({"all precincts", "sum", "cumulative", "aggregate", "entire county",
                              "whole county", "all wards", "all districts"})
_TOTAL_FILLER = frozenset({"county", "counties", "co", "parish", "town", "city", "state",
                           "statewide",
                           "countywide", "precinct", "precincts", "all", "grand", "for", "of", "the",
                           "votes", "vote", "cast", "jurisdiction", "municipality", "ward", "wards"})


def is_total_unit(name: str, within: Sequence[str] = ()) -> bool:
    """True when a unit column's value names a total of the units below, not a unit: "Total",
    "TOTAL", "Totals", "County Total", "Total Votes", "Kent County Totals" (``within``: the names
    of the units it lies in, which may be part of it). Such a row is its parent's total row."""
    words = re.findall(r"[a-z0-9]+", name.casefold())
    around = {w for parent in within for w in re.findall(r"[a-z0-9]+", parent.casefold())}
    if " ".join(w for w in words if w not in around) in _AGGREGATE_NAMES:
        return True
    if not _TOTAL_WORDS & set(words):
        return False
    return all(w in _TOTAL_WORDS or w in _TOTAL_FILLER or w in around for w in words)


def total_of(name: str) -> str | None:
    """What a unit name says it totals, where it says so beside a name: ``"Dover Total"``,
    ``"Total - Dover"`` → ``"dover"`` (words folded, in order), for a subtotal row whose parts
    are the units named ``Dover 1``, ``Dover 2``. ``None`` for a name with no total word or
    nothing beside it."""
    words = re.findall(r"[a-z0-9]+", name.casefold())
    rest = [w for w in words if w not in _TOTAL_WORDS]
    return " ".join(rest) if rest and len(rest) < len(words) else None


@lru_cache(maxsize=1 << 16)
def pseudo_kind(label: str) -> PseudoKind | None:
    """The kind of a row that is not a vote for a candidate, or ``None`` for a candidate's row.

    Matching ignores case, whitespace and punctuation ("TotalVotes" = "Total Votes" = "TOTAL
    VOTES"). Source: ``_LABELS`` (Clarity, OpenElections and MEDSL files).
    """
    return VOCABULARY.get(label_key(label))


def left_out_kind(label: str) -> str | None:
    """The ``left_out`` kind key (docs/import-json.md) of a row labelled ``label`` that is not a
    vote for a candidate (``"Times Over Voted"`` → ``overvotes``), or ``None`` for a candidate's
    row. For readers that must set such rows aside themselves (one whose rows of a key are
    summed before the stage sees them); the others pass the row through to the stage."""
    kind = pseudo_kind(label)
    return None if kind is None else KIND_KEYS[kind]


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One row of a unit's returns for one contest: its label, votes and party label (if any)."""

    label: str
    votes: int  # readers that withhold a count pass None: the shape rules skip it
    party: str | None = None


@dataclass(frozen=True, slots=True)
class ShapeTotal:
    """A row recognised as a total by its shape: ``unit``, its ``index`` in that unit's rows, and
    the indices of the rows it adds up."""

    unit: str
    index: int
    label: str
    votes: int
    parts: tuple[int, ...]


def shape_totals(contest: Mapping[str, Sequence[UnitRow]]) -> tuple[ShapeTotal, ...]:
    """Rows of a contest that are totals by shape (the rule is in the module docstring).

    Shapes: unit id → that unit's rows, in file order → the shape totals, by unit then index.
    A row with a party, a vocabulary label, or a label that is a candidate's in some unit is
    never one.
    """
    sums: dict[tuple[str, int], tuple[int, ...]] = {}
    candidate_labels: set[str] = set()
    for unit, rows in contest.items():
        # the unit's candidate rows and their sum, once: a row is a total when the others add
        # up to it (at least two of them, none withheld, a positive figure)
        counted = [j for j, r in enumerate(rows) if pseudo_kind(r.label) is None]
        withheld = sum(1 for j in counted if rows[j].votes is None)
        whole = sum(rows[j].votes or 0 for j in counted)
        for i in counted:
            row = rows[i]
            parts = None
            if not (row.party or "").strip() and len(counted) >= 3 and row.votes is not None \
                    and row.votes > 0 and not withheld and whole - row.votes == row.votes:
                parts = tuple(j for j in counted if j != i)
            if parts is None:
                candidate_labels.add(label_key(row.label))
            else:
                sums[(unit, i)] = parts
    return tuple(ShapeTotal(unit, i, contest[unit][i].label, contest[unit][i].votes, parts)
                 for (unit, i), parts in sorted(sums.items())
                 if label_key(contest[unit][i].label) not in candidate_labels)


def shape_above(contest: Mapping[str, Sequence[UnitRow]]) -> tuple[str, ...]:
    """The labels of a contest that are turnout or registration by shape (the rule is in the
    module docstring), as ``label_key`` folds them, sorted.

    Shapes: unit id → that unit's rows → folded labels. A label with a party or a vocabulary kind
    in any unit, or at or below the party candidates' sum in any unit, is never one.
    """
    above: dict[str, bool] = {}
    for rows in contest.values():
        partied = [r.votes for r in rows if (r.party or "").strip() and pseudo_kind(r.label) is None]
        for row in rows:
            if pseudo_kind(row.label) is not None or row.votes is None or None in partied:
                continue  # a withheld figure: this unit says nothing either way
            key = label_key(row.label)
            fits = (not (row.party or "").strip() and len(partied) >= 2
                    and row.votes > sum(partied))
            above[key] = above.get(key, True) and fits
    return tuple(sorted(k for k, fits in above.items() if fits))


@dataclass(frozen=True, slots=True)
class WriteInTotal:
    """A write-in total row and the rows it is checked against. ``beside_parts``: the parts are
    listed, so the row is left out; ``agrees``: it equals their sum."""

    index: int
    parts: tuple[int, ...]
    beside_parts: bool
    agrees: bool


def write_in_parts(rows: Sequence[UnitRow]) -> tuple[WriteInTotal, ...]:
    """Each write-in total row of one unit with the write-in rows it sums.

    Shapes: a unit's rows → one ``WriteInTotal`` per "Write-In Totals" row. The parts are the rows
    without a party that are candidates or unassigned / unresolved write-ins.
    """
    parts = tuple(i for i, r in enumerate(rows) if not (r.party or "").strip()
                  and pseudo_kind(r.label) in (None, PseudoKind.NOT_ASSIGNED,
                                               PseudoKind.UNRESOLVED_WRITE_IN))
    return tuple(WriteInTotal(i, parts, bool(parts), sum(rows[j].votes for j in parts) == row.votes)
                 for i, row in enumerate(rows) if pseudo_kind(row.label) is PseudoKind.WRITE_IN_TOTAL)


@dataclass(frozen=True, slots=True)
class TotalCheck:
    """A total or turnout row compared with its unit's candidates: ``ok`` when the relation of its
    kind holds (``votes == candidates`` for a total, ``votes >= candidates`` for ballots cast)."""

    index: int
    label: str
    kind: PseudoKind
    votes: int
    candidates: int
    ok: bool


def check_totals(rows: Sequence[UnitRow], shape: Sequence[int] = ()) -> tuple[TotalCheck, ...]:
    """Every total and turnout row of one unit checked against the sum of its candidate rows.

    Shapes: a unit's rows and the indices of its shape totals → one ``TotalCheck`` per row whose
    kind has a check. The candidates are the rows with no vocabulary kind that are not shape
    totals (a write-in candidate counts; a write-in total does not).
    """
    candidates = sum(r.votes for i, r in enumerate(rows)
                     if pseudo_kind(r.label) is None and i not in shape)
    out = []
    for i, row in enumerate(rows):
        kind = PseudoKind.TOTAL if i in shape else pseudo_kind(row.label)
        if kind is None or kind.check is Check.NONE:
            continue
        ok = row.votes == candidates if kind.check is Check.EQUAL else row.votes >= candidates
        out.append(TotalCheck(i, row.label, kind, row.votes, candidates, ok))
    return tuple(out)
