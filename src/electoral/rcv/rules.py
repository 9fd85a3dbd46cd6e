"""The rules of a ranked-choice count, as RCTab names them, and the ballots in compact form.

``Rules`` is what a contest's law says (RCTab's ``rules`` block plus its candidate list);
``Ballots`` is every distinct ranking once, with how many ballots cast it. Marks are kept as the
file states them (the label, so aliases and repeated labels behave as RCTab's do), each label
resolved once to its candidate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from electoral.errors import Problem, ValidationError
from electoral.model import CastVoteRecord
from electoral.rcv.names import OVERVOTE as OVERVOTE
from electoral.rcv.names import UNDECLARED_WRITE_IN as UNDECLARED_WRITE_IN

OVERVOTE_CODE = -1


class WinnerMode(StrEnum):
    SINGLE = "singleWinnerMajority"
    ONE_PER_ROUND = "multiWinnerAllowOnlyOneWinnerPerRound"
    MULTIPLE_PER_ROUND = "multiWinnerAllowMultipleWinnersPerRound"
    BOTTOMS_UP = "bottomsUp"
    BOTTOMS_UP_THRESHOLD = "bottomsUpUsingPercentageThreshold"
    MULTI_PASS = "multiPassIrv"


class Tiebreak(StrEnum):
    RANDOM = "random"
    ASK = "stopCountingAndAsk"
    PREVIOUS_THEN_RANDOM = "previousRoundCountsThenRandom"
    PREVIOUS_THEN_ASK = "previousRoundCountsThenAsk"
    CANDIDATE_ORDER = "useCandidateOrder"
    GENERATE_PERMUTATION = "generatePermutation"

    @property
    def random(self) -> bool:
        return self in (Tiebreak.RANDOM, Tiebreak.PREVIOUS_THEN_RANDOM,
                        Tiebreak.GENERATE_PERMUTATION)


class OvervoteRule(StrEnum):
    SKIP = "alwaysSkipToNextRank"
    EXHAUST = "exhaustImmediately"
    EXHAUST_IF_MULTIPLE = "exhaustIfMultipleContinuing"


class Status(StrEnum):
    """Why a ballot stopped counting (RCTab's JSON keys)."""

    NO_RANKINGS = "didNotRankAnyCandidates"
    EXHAUSTED = "exhaustedChoices"
    OVERVOTE = "overvotes"
    SKIPPED = "skippedRankings"
    REPEATED = "repeatedRankings"
    FINAL_SURPLUS = "finalRoundSurplus"  # still "active": it sits with a winner


INACTIVE_REPORTED = (Status.OVERVOTE, Status.SKIPPED, Status.EXHAUSTED, Status.REPEATED)


@dataclass(frozen=True, slots=True)
class Rules:
    """How to count. ``candidates`` are names in the declared order (the tie-break permutation);
    ``aliases`` maps other labels to a name. ``None`` limits mean "no limit"."""

    candidates: tuple[str, ...]
    seats: int = 1
    mode: WinnerMode = WinnerMode.SINGLE
    tiebreak: Tiebreak = Tiebreak.RANDOM
    seed: int | None = None
    overvote: OvervoteRule = OvervoteRule.SKIP
    max_skipped: int | None = None
    max_rankings: int | None = None
    decimals: int = 4
    non_integer_threshold: bool = False
    hare: bool = False
    first_round_threshold: bool = False
    bottoms_up_percent: str | None = None  # as written, e.g. "15"
    cutoff_elimination: bool = False
    batch_elimination: bool = False
    continue_until_two: bool = False
    stop_after_round: int | None = None
    exhaust_on_duplicate: bool = False
    excluded: frozenset[str] = frozenset()
    aliases: tuple[tuple[str, str], ...] = ()
    write_ins: bool = False  # undeclared write-ins are counted (as one pseudo-candidate)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name a tally can hold: the declared candidates, then the write-in bucket."""
        return self.candidates + ((UNDECLARED_WRITE_IN,) if self.write_ins else ())

    @property
    def uses_surpluses(self) -> bool:
        return self.seats > 1 and self.mode != WinnerMode.BOTTOMS_UP

    def bottoms_up_fraction(self) -> Decimal:
        """The percentage as a fraction, with the precision RCTab gives it (two more places)."""
        text = self.bottoms_up_percent or "0"
        places = len(text.split(".")[1]) if "." in text else 0
        return (Decimal(text) / 100).quantize(Decimal(1).scaleb(-(places + 2)))

    def validate(self) -> Rules:
        """These rules, checked as RCTab checks a config's rules (returns ``self`` so calls chain).

        Raises:
            ValidationError: every contradiction at once, each naming the RCTab field.
        """
        problems = list(_rule_problems(self))
        if problems:
            raise ValidationError(problems)
        return self


def _rule_problems(rules: Rules) -> Iterable[Problem]:
    def bad(field_name: str, message: str) -> Problem:
        return Problem("bad-rule", message, field=field_name)

    seen: set[str] = set()
    for label in (*rules.candidates, *(alias for alias, _ in rules.aliases)):
        if label in seen:
            yield bad("candidates", f"candidate name or alias {label!r} appears twice")
        seen.add(label)
    declared = [c for c in rules.candidates if c not in rules.excluded]
    if not rules.candidates:
        yield bad("candidates", "there must be at least one declared candidate")
    elif not declared:
        yield bad("candidates", "every candidate is excluded; keep at least one")
    if rules.tiebreak.random and rules.seed is None:
        yield bad("randomSeed", f"tiebreakMode {rules.tiebreak.value!r} needs a randomSeed")
    if rules.decimals < 1 or rules.decimals > 20:
        yield bad("decimalPlacesForVoteArithmetic", "must be a whole number from 1 to 20")
    if rules.max_rankings is not None and rules.max_rankings < 1:
        yield bad("maxRankingsAllowed", "must be 'max' or a whole number from 1")
    if rules.max_skipped is not None and rules.max_skipped < 0:
        yield bad("maxSkippedRanksAllowed", "must be 'unlimited' or a whole number from 0")
    if rules.stop_after_round is not None and rules.stop_after_round < 1:
        yield bad("stopTabulationEarlyAfterRound", "must be a whole number from 1 if given")
    yield from _mode_problems(rules, bad)


def _mode_problems(rules: Rules, bad: object) -> Iterable[Problem]:
    assert callable(bad)
    mode = rules.mode
    if rules.seats < 0:
        yield bad("numberOfWinners", "must be a whole number from 0")
    elif rules.seats == 0:
        if mode != WinnerMode.BOTTOMS_UP_THRESHOLD:
            yield bad("numberOfWinners", f"0 winners needs winnerElectionMode "
                      f"{WinnerMode.BOTTOMS_UP_THRESHOLD.value!r}, not {mode.value!r}")
        try:
            percent = Decimal(rules.bottoms_up_percent or "")
            if not 0 < percent <= 100:
                raise ValueError
        except (ArithmeticError, ValueError):
            yield bad("multiSeatBottomsUpPercentageThreshold", "must be a number from 0 to 100")
    elif mode == WinnerMode.BOTTOMS_UP_THRESHOLD:
        yield bad("numberOfWinners", f"must be 0 when winnerElectionMode is {mode.value!r}")
    elif rules.seats == 1 and mode != WinnerMode.SINGLE:
        yield bad("winnerElectionMode", f"{mode.value!r} cannot fill a single seat")
    elif rules.seats > 1:
        if mode == WinnerMode.SINGLE:
            yield bad("winnerElectionMode", f"{mode.value!r} cannot fill {rules.seats} seats")
        if mode != WinnerMode.MULTI_PASS and rules.continue_until_two:
            yield bad("continueUntilTwoCandidatesRemain",
                      "cannot be true in a multi-seat contest unless it is multi-pass IRV")
        if mode != WinnerMode.MULTI_PASS and rules.batch_elimination:
            yield bad("batchElimination",
                      "cannot be true in a multi-seat contest unless it is multi-pass IRV")
        if rules.first_round_threshold:
            yield bad("doesFirstRoundDetermineThreshold", "cannot be true in a multi-seat contest")
    if mode == WinnerMode.BOTTOMS_UP_THRESHOLD and rules.batch_elimination:
        yield bad("batchElimination", f"cannot be true when winnerElectionMode is {mode.value!r}")
    if mode not in (WinnerMode.ONE_PER_ROUND, WinnerMode.MULTIPLE_PER_ROUND):
        if rules.non_integer_threshold:
            yield bad("nonIntegerWinningThreshold",
                      f"cannot be true when winnerElectionMode is {mode.value!r}")
        if rules.hare:
            yield bad("hareQuota", f"cannot be true when winnerElectionMode is {mode.value!r}")
    if rules.non_integer_threshold and rules.hare:
        yield bad("hareQuota", "nonIntegerWinningThreshold and hareQuota cannot both be true")


@dataclass(frozen=True, slots=True)
class Labels:
    """Every distinct mark label: its text, its candidate code (index into ``Rules.names``, or
    ``OVERVOTE_CODE``) and whether it is the candidate's own name (not an alias)."""

    text: tuple[str, ...]
    code: tuple[int, ...]
    is_name: tuple[bool, ...]


@dataclass(frozen=True, slots=True)
class Ballots:
    """Distinct rankings, each with its ballot count and (when asked) its precinct and batch.

    ``ranks[i]`` is a tuple of ``(rank, label ids)`` in rank order; an overvote has several ids.
    """

    labels: Labels
    ranks: tuple[tuple[tuple[int, tuple[int, ...]], ...], ...]
    counts: tuple[int, ...]
    precincts: tuple[str | None, ...] = ()
    batches: tuple[str | None, ...] = ()
    ids: tuple[tuple[str, ...], ...] = field(default=(), compare=False)  # record ids per row
    record_rows: tuple[int, ...] = field(default=(), compare=False)  # each record's row

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class LabelMap:
    """How one source's labels become marks: RCTab's per-source overvote, skipped-rank and
    write-in labels and the overvote delimiter."""

    overvote: str | None = None
    skipped: str | None = None
    write_in: str | None = None
    delimiter: str | None = None
    source: str | None = None  # the file's name, for errors


class _LabelTable:
    """Every label met so far, resolved once to its candidate; unknown ones noted by file."""

    def __init__(self, rules: Rules):
        self.names = rules.names
        self.lookup = {name: i for i, name in enumerate(self.names)}
        for alias, name in rules.aliases:
            self.lookup.setdefault(alias, self.names.index(name))
        self.ids: dict[str, int] = {}
        self.texts: list[str] = []
        self.codes: list[int] = []
        self.strangers: set[str] = set()
        self.unknown: dict[tuple[str | None, str], list[str]] = {}  # (file, label) -> ballots
        self.source: str | None = None

    def id_of(self, text: str, record: CastVoteRecord) -> int:
        found = self.ids.get(text)
        if found is None:
            code = OVERVOTE_CODE if text == OVERVOTE else self.lookup.get(text)
            if code is None:
                self.strangers.add(text)
                code = OVERVOTE_CODE
            found = self.ids[text] = len(self.texts)
            self.texts.append(text)
            self.codes.append(code)
        if text in self.strangers:
            self.unknown.setdefault((self.source, text), []).append(record.id)
        return found

    def labels(self) -> Labels:
        if self.unknown:
            raise ValidationError(
                Problem("unknown-candidate", f"ballot {where[0]}: {text!r} is not a declared "
                        f"candidate or alias ({len(where)} ballot(s) in all); declare it in the "
                        "config or fix the file", source=file, field="candidates")
                for (file, text), where in self.unknown.items())
        return Labels(tuple(self.texts), tuple(self.codes),
                      tuple(t in self.names for t in self.texts))


def compact(records: Sequence[tuple[CastVoteRecord, LabelMap]], rules: Rules,
            slices: bool = False, keep_ids: bool = False) -> Ballots:
    """Group identical rankings; resolve every label once; raise on unknown labels (all of them).
    ``slices`` keeps precinct and batch apart; ``keep_ids`` keeps each record's id and row.

    Raises:
        ValidationError: ``unknown-candidate`` for every label that is neither a candidate, an alias
            nor a declared label (all of them, each located at its CVR file).
    """
    table = _LabelTable(rules)
    groups: dict[tuple[object, ...], int] = {}
    counts: list[int] = []
    rows: list[tuple[tuple[int, tuple[int, ...]], ...]] = []
    places: list[tuple[str | None, str | None]] = []
    ids: list[list[str]] = []
    record_rows: list[int] = []
    for record, labels in records:
        table.source = labels.source
        ranking = _ranking(record, labels, table.id_of)
        key = (ranking, record.precinct, record.batch) if slices else (ranking,)
        row = groups.get(key)
        if row is None:
            row = groups[key] = len(rows)
            rows.append(ranking)
            counts.append(0)
            places.append((record.precinct, record.batch))
            ids.append([])
        counts[row] += record.weight
        if keep_ids:
            ids[row].append(record.id)
            record_rows.append(row)
    return Ballots(table.labels(), tuple(rows), tuple(counts),
                   tuple(p for p, _ in places) if slices else (),
                   tuple(b for _, b in places) if slices else (),
                   tuple(tuple(x) for x in ids) if keep_ids else (), tuple(record_rows))


def _ranking(record: CastVoteRecord, labels: LabelMap,
             label_id: object) -> tuple[tuple[int, tuple[int, ...]], ...]:
    assert callable(label_id)
    by_rank: dict[int, list[int]] = {}
    for rank, raw in record.marks:
        parts = raw.split(labels.delimiter) if labels.delimiter and labels.delimiter in raw \
            else [raw]
        for part in parts:
            text = part.strip() if len(parts) > 1 else part
            if labels.skipped is not None and text == labels.skipped:
                continue
            if labels.overvote is not None and text == labels.overvote:
                text = OVERVOTE
            elif labels.write_in is not None and text == labels.write_in:
                text = UNDECLARED_WRITE_IN
            by_rank.setdefault(rank, []).append(label_id(text, record))
    return tuple((rank, tuple(by_rank[rank])) for rank in sorted(by_rank))
