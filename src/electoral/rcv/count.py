"""The general ranked-choice engine behind ``engine``: RCTab's round loop over compact
ballots (distinct rankings with counts), with exact ``Decimal`` arithmetic.

Each candidate keeps a pile of the rankings counting for them; a round re-reads only the piles of
candidates who stopped continuing. The decisions (threshold, winners, eliminations, tie-breaks)
live here too and are shared by the numpy fast path (``fast``), which moves ballots its own way.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import TypeVar

import numpy as np

from electoral.rcv.javarandom import JavaRandom, java_sort_key
from electoral.rcv.rounds import (
    EXHAUSTED,
    ONE,
    PRECINCT,
    RESIDUAL,
    UNCOUNTED,
    ZERO,
    Decision,
    RcvTabulation,
    Round,
    Snapshot,
    TabulationError,
    Tally,
)
from electoral.rcv.rules import (
    OVERVOTE_CODE,
    UNDECLARED_WRITE_IN,
    Ballots,
    OvervoteRule,
    Rules,
    Status,
    Tiebreak,
    WinnerMode,
)
from electoral.rcv.tiebreak import break_tie

_STATUS_INDEX = {status: i for i, status in enumerate(Status)}
K = TypeVar("K")


class RcvCount:
    """The mutable working state of one count; only immutable ``Round``s leave it."""

    def __init__(self, ballots: Ballots, rules: Rules, slices: tuple[str, ...],
                 audit: bool = False):
        self.audit = audit
        self.trail: list[np.ndarray] = []
        self.b = ballots
        self.rules = rules
        self.names = rules.names
        self.n = len(self.names)
        self.uwi = self.names.index(UNDECLARED_WRITE_IN) if rules.write_ins else -1
        excluded = {self.names.index(x) for x in rules.excluded if x in self.names}
        self.excluded = excluded
        self.winner_round: dict[int, int] = {}
        self.eliminated_round: dict[int, int] = {}
        self.round = 0
        self.random = JavaRandom(rules.seed) if rules.tiebreak.random and rules.seed is not None \
            else None
        self.permutation = list(rules.candidates)
        if rules.tiebreak == Tiebreak.GENERATE_PERMUTATION and self.random is not None:
            self.permutation.sort(key=java_sort_key)
            self.random.shuffle(self.permutation)
        self.votes: list[Decimal] = [ZERO] * self.n
        self.inactive: dict[Status, Decimal] = {s: ZERO for s in Status}
        self.rounds: list[Round] = []
        self.residual = ZERO
        self.stopped: list[int] = []
        self._init_ballots(slices)

    def _init_ballots(self, slices: tuple[str, ...]) -> None:
        ballots, rules = self.b, self.rules
        rows = len(ballots.counts)
        self.recipient: list[int] = [-1] * rows
        self.status: list[Status | None] = [None] * rows
        self.value: list[Decimal] = [ONE] * rows
        self.alloc: list[dict[int, Decimal]] | None = [{} for _ in range(rows)] \
            if rules.uses_surpluses else None
        self.piles: list[list[int]] = [[] for _ in range(self.n)]
        self.won_rows: dict[int, list[int]] = {}
        self.snaps: list[list[Snapshot]] = [[] for _ in range(rows)] if self.audit else []
        self.scopes = self._scopes(slices)
        # per precinct/batch, kept as ballots move (a candidate's pile keeps its value while
        # the candidate continues, so sums only grow)
        self.scope_votes: dict[tuple[str, str], dict[int, Decimal]] = {}
        self.scope_inactive: dict[tuple[str, str], dict[Status, Decimal]] = {}
        self.max_rank = [r[-1][0] if r else 0 for r in ballots.ranks]

    # ---- scopes (precinct / batch breakdowns) ----

    def _scopes(self, slices: tuple[str, ...]) -> dict[str, list[str]]:
        scopes: dict[str, list[str]] = {}
        for kind in slices:
            ids = list(self.b.precincts if kind == PRECINCT else self.b.batches)
            present = {i for i in ids if i not in (None, "")}
            if not present:
                raise TabulationError(f'"Tabulate by {kind}" is on, but no cast vote record '
                                      f"lists a {kind}", code=f"no-{kind}s")
            if len(present) != len({i for i in ids}):
                raise TabulationError(f"some cast vote records have no {kind} while "
                                      f'"Tabulate by {kind}" is on', code=f"missing-{kind}")
            scopes[kind] = [str(i) for i in ids]  # every one present, checked above
        return scopes

    # ---- the loop ----

    def run(self) -> RcvTabulation:
        """Count round by round until the seats are filled (or the rules stop the count) and return
        the rounds.

        Raises:
            TabulationError: the count cannot go on (see ``engine.tabulate_rcv``).
        """
        if not self._has_ballots():
            raise TabulationError("no cast vote records to count", code="no-ballots")
        while self._keep_going():
            self.round += 1
            self._one_round()
        winners = sorted(self.winner_round, key=lambda c: self.winner_round[c])
        slice_ids = {kind: tuple(sorted({i for i in ids if i}, key=java_sort_key))
                     for kind, ids in self.scopes.items()}
        return RcvTabulation(self.rules, tuple(self.rounds),
                          tuple(self.names[c] for c in winners), slice_ids, tuple(self.trail),
                          tuple(tuple(s) for s in self.snaps))

    def _keep_going(self) -> bool:
        r = self.rules
        won, gone = len(self.winner_round), len(self.eliminated_round)
        if r.stop_after_round is not None and self.round >= r.stop_after_round:
            return False
        if won == len(r.candidates) and r.seats > self._num_candidates():
            return False
        if r.continue_until_two:
            return gone + won + 1 < self._num_candidates() or \
                self.round in self.eliminated_round.values()
        if r.mode == WinnerMode.BOTTOMS_UP_THRESHOLD:
            return won == 0
        return won < r.seats or (r.uses_surpluses and self.round in self.winner_round.values())

    def _num_candidates(self) -> int:
        return self.n - len(self.excluded)

    def continuing(self, c: int) -> bool:
        if c in self.excluded or c in self.eliminated_round:
            return False
        return c not in self.winner_round or self.rules.continue_until_two

    def _has_ballots(self) -> bool:
        return bool(self.b.counts)

    def _snapshot(self) -> np.ndarray:
        """Each row's candidate now, or -1 - (its inactive status's place in ``Status``)."""
        return np.array([c if c >= 0 else -1 - _STATUS_INDEX[s]  # type: ignore[index]
                         for c, s in zip(self.recipient, self.status, strict=True)],
                        dtype=np.int32)

    def _move_ballots(self, transfers: dict[str, dict[str, Decimal]]
                      ) -> dict[tuple[str, str], Tally]:
        """Give every ballot whose candidate stopped continuing its next choice (all ballots in
        round 1); return the precinct/batch tallies, read before this round's decisions."""
        scope_transfers: dict[tuple[str, str], dict[str, dict[str, Decimal]]] = {}
        rows = range(len(self.b.counts)) if self.round == 1 else \
            [row for c in self.stopped for row in self.piles[c]]
        for c in self.stopped:
            self.piles[c] = []
        for row in rows:
            self._reassign(row, transfers, scope_transfers)
        return self._scope_tallies(scope_transfers)

    def _one_round(self) -> None:
        transfers: dict[str, dict[str, Decimal]] = {}
        scopes = self._move_ballots(transfers)
        if self.audit:
            self.trail.append(self._snapshot())
        self.stopped = []
        threshold = self._threshold()
        continuing = [c for c in range(self.n) if self.continuing(c)]
        tally = {c: self.votes[c] for c in continuing}
        elected = self._identify_winners(tally, threshold)
        eliminated: list[Decision] = []
        if elected:
            for d in elected:
                self.winner_round[self.names.index(d.candidate)] = self.round
            if self.rules.uses_surpluses:
                self._distribute_surpluses(elected, tally, threshold)
        elif self._needs_elimination():
            eliminated = self._eliminate(tally, threshold)
            for d in eliminated:
                self.eliminated_round[self.names.index(d.candidate)] = self.round
        self.stopped = [c for c in continuing if not self.continuing(c)]
        self._close_round(tally, threshold, elected, eliminated, transfers, scopes)

    def _needs_elimination(self) -> bool:
        r = self.rules
        return (len(self.winner_round) < r.seats
                or (r.continue_until_two
                    and len(self.eliminated_round) < self._num_candidates() - 2)
                or r.mode == WinnerMode.BOTTOMS_UP_THRESHOLD)

    # ---- one ranking's choice ----

    def _reassign(self, row: int, transfers: dict[str, dict[str, Decimal]],
                  scope_transfers: dict[tuple[str, str], dict[str, dict[str, Decimal]]]) -> None:
        old = self.recipient[row]
        new, status = self._choose(row)
        weight = self.value[row] * self.b.counts[row]
        source = UNCOUNTED if old < 0 else self.names[old]
        target = EXHAUSTED if new < 0 else self.names[new]
        keys = [(kind, ids[row]) for kind, ids in self.scopes.items()]
        if self.value[row] > 0:
            _add(transfers.setdefault(source, {}), target, weight)
            for key in keys:
                _add(scope_transfers.setdefault(key, {}).setdefault(source, {}), target, weight)
        self.recipient[row] = new
        if new >= 0:
            self.piles[new].append(row)
            self.votes[new] += weight
            for key in keys:
                _add(self.scope_votes.setdefault(key, {}), new, weight)
        else:
            assert status is not None
            self.status[row] = status
            self.inactive[status] += weight
            for key in keys:
                _add(self.scope_inactive.setdefault(key, {}), status, weight)
        if self.audit:
            held = [(self.names[w], v) for w, v in (self.alloc[row] if self.alloc else {}).items()]
            if new >= 0:
                held.append((self.names[new], self.value[row]))
            self.snaps[row].append((self.round, tuple(held)))

    def _choose(self, row: int) -> tuple[int, Status | None]:
        r = self.rules
        ranks = self.b.ranks[row]
        if not ranks:
            return -1, Status.NO_RANKINGS
        labels = self.b.labels
        last = 0
        seen: set[int] = set()
        for rank, marks in ranks:
            if r.uses_surpluses and len(self.winner_round) == r.seats:
                return -1, Status.FINAL_SURPLUS
            if r.max_skipped is not None and rank - last > r.max_skipped + 1:
                return -1, Status.SKIPPED
            last = rank
            if r.exhaust_on_duplicate and _repeats(marks, seen):
                return -1, Status.REPEATED
            decision = self._overvote(marks)
            if decision == "exhaust":
                return -1, Status.OVERVOTE
            if decision != "skip":
                for m in marks:
                    code = labels.code[m]
                    if code >= 0 and self.continuing(code):
                        return code, None
            if rank == self.max_rank[row]:
                return -1, Status.EXHAUSTED
        return -1, Status.EXHAUSTED

    def _overvote(self, marks: tuple[int, ...]) -> str:
        labels, rule = self.b.labels, self.rules.overvote
        if any(labels.code[m] == OVERVOTE_CODE for m in marks):
            if len(marks) != 1:
                raise TabulationError("a ranking holds the overvote label and a candidate at once")
            if rule == OvervoteRule.EXHAUST_IF_MULTIPLE:
                raise TabulationError("an explicit overvote label needs overvoteRule "
                                      "exhaustImmediately or alwaysSkipToNextRank")
            return "exhaust" if rule == OvervoteRule.EXHAUST else "skip"
        if len(marks) <= 1:
            return ""
        if rule == OvervoteRule.EXHAUST:
            return "exhaust"
        if rule == OvervoteRule.SKIP:
            return "skip"
        live = sum(1 for m in marks if not labels.is_name[m] or self.continuing(labels.code[m]))
        return "exhaust" if live >= 2 else ""

    # ---- threshold and winners ----

    def _active(self) -> Decimal:
        total = sum((self.votes[c] for c in range(self.n) if self.continuing(c)), ZERO)
        return total + self.inactive[Status.FINAL_SURPLUS]

    def _threshold(self) -> Decimal:
        r = self.rules
        if self.round > 1 and not self._recompute_threshold():
            return self.rounds[-1].threshold
        active = self._active()
        if r.mode == WinnerMode.BOTTOMS_UP_THRESHOLD:
            return active * r.bottoms_up_fraction()
        places = r.decimals if r.non_integer_threshold else 0
        if r.hare:
            return _divide(active, Decimal(r.seats), places, ROUND_UP)
        return _divide(active, Decimal(r.seats + 1), places, ROUND_DOWN) + ONE.scaleb(-places)

    def _recompute_threshold(self) -> bool:
        r = self.rules
        if r.seats > 1:
            return False
        if r.first_round_threshold:
            return False
        if r.continue_until_two:
            return not self.winner_round
        return True

    def _identify_winners(self, tally: dict[int, Decimal], threshold: Decimal) -> list[Decision]:
        r = self.rules
        if self.uwi >= 0 and tally.get(self.uwi, ZERO) != 0:
            return []
        if r.mode == WinnerMode.BOTTOMS_UP_THRESHOLD:
            if all(v > threshold for v in tally.values()):
                return [Decision(self.names[c]) for c in tally]
            return []
        unfilled = r.seats - len(self.winner_round)
        chosen: list[int] = []
        if unfilled > 0:
            if len(tally) <= unfilled:
                chosen = list(tally)
            elif r.first_round_threshold and len(tally) - 1 == r.seats:
                top = max(tally.values())
                chosen = [c for c, v in tally.items() if v == top]
            elif r.mode != WinnerMode.BOTTOMS_UP:
                chosen = [c for c, v in tally.items() if v >= threshold and c != self.uwi]
        several = len(chosen) > 1 and (r.mode == WinnerMode.ONE_PER_ROUND
                                       or r.first_round_threshold)
        none_of_two = r.seats == 1 and not chosen and len(tally) == 2 and unfilled == 1
        if several or none_of_two:
            top = max(tally.values())
            chosen = [c for c, v in tally.items() if v == top]
            if len(chosen) > 1:
                pick, how = self._tiebreak(chosen, top, selecting_winner=True)
                return [Decision(self.names[pick], True, how)]
        return [Decision(self.names[c]) for c in chosen]

    def _tiebreak(self, tied: list[int], votes: Decimal,
                  selecting_winner: bool) -> tuple[int, str]:
        previous = [{self.names.index(k): v for k, v in rnd.tally.votes.items()}
                    for rnd in self.rounds]
        return break_tie(tied, self.names, self.rules.tiebreak, self.permutation, previous,
                         self.random, selecting_winner, self.round, votes)

    def _distribute_surpluses(self, elected: list[Decision], tally: dict[int, Decimal],
                              threshold: Decimal) -> None:
        assert self.alloc is not None
        places = self.rules.decimals
        quantum = ONE.scaleb(-places)
        for d in elected:
            c = self.names.index(d.candidate)
            votes = tally[c]
            extra = votes - threshold
            fraction = _divide(extra, votes, places, ROUND_DOWN) if extra > 0 else ZERO
            self.won_rows[c] = list(self.piles[c])
            for row in self.piles[c]:
                value = self.value[row]
                moved = (value * fraction).quantize(quantum, rounding=ROUND_DOWN)
                self.alloc[row][c] = value - moved
                self.value[row] = ONE - sum(self.alloc[row].values(), ZERO)

    # ---- eliminations ----

    def _eliminate(self, tally: dict[int, Decimal], threshold: Decimal) -> list[Decision]:
        if self.uwi >= 0 and tally.get(self.uwi, ZERO) > 0:
            return [Decision(UNDECLARED_WRITE_IN)]
        if self.rules.cutoff_elimination:
            gone = [Decision(self.names[c]) for c, v in tally.items() if v < threshold]
            if gone:
                return gone
        if self.rules.batch_elimination:
            batch = self._batch(tally)
            if len(batch) > 1:
                return [Decision(self.names[c]) for c in batch]
        if not tally:
            raise TabulationError("no candidate is left to eliminate")
        low = min(tally.values())
        last = [c for c, v in tally.items() if v == low]
        if len(last) > 1:
            pick, how = self._tiebreak(last, low, selecting_winner=False)
            return [Decision(self.names[pick], True, how)]
        return [Decision(self.names[last[0]])]

    def _batch(self, tally: dict[int, Decimal]) -> list[int]:
        levels = sorted(set(tally.values()))
        running = ZERO
        seen: list[int] = []
        out: list[int] = []
        previous: list[int] = []
        for level in levels:
            if running < level:
                fresh = [c for c in seen if c not in out]
                if fresh:
                    previous, out = out, out + fresh
            group = [c for c, v in tally.items() if v == level]
            running += level * len(group)
            seen.extend(group)
        if self.rules.continue_until_two and \
                len(out) + len(self.eliminated_round) == self._num_candidates() - 1:
            out = previous
        return out

    # ---- closing a round ----

    def _close_round(self, tally: dict[int, Decimal], threshold: Decimal,
                     elected: list[Decision], eliminated: list[Decision],
                     transfers: dict[str, dict[str, Decimal]],
                     scopes: dict[tuple[str, str], Tally]) -> None:
        votes = {self.names[c]: v for c, v in tally.items()}
        active = sum(tally.values(), ZERO) + self.inactive[Status.FINAL_SURPLUS]
        locked = ZERO
        scope_locked: dict[tuple[str, str], dict[str, Decimal]] = {}
        if self.rules.seats > 1:
            locked = self._winner_tallies(votes, threshold, transfers, scope_locked)
        finished = {key: _finish_scope(t, scope_locked.get(key, {})) for key, t in scopes.items()}
        self.rounds.append(Round(
            self.round, _frozen(votes, self.inactive, active, locked, transfers), threshold,
            tuple(elected), tuple(eliminated), self.residual, MappingProxyType(finished)))

    def _winner_tallies(self, votes: dict[str, Decimal], threshold: Decimal,
                        transfers: dict[str, dict[str, Decimal]],
                        scope_locked: dict[tuple[str, str], dict[str, Decimal]]) -> Decimal:
        locked = ZERO
        for c, won in self.winner_round.items():
            if won == self.round:
                continue
            name = self.names[c]
            if won == self.round - 1:
                total = ZERO
                for row in self.won_rows.get(c, ()):
                    assert self.alloc is not None
                    share = self.alloc[row][c] * self.b.counts[row]
                    total += share
                    for kind, ids in self.scopes.items():
                        per = scope_locked.setdefault((kind, ids[row]), {})
                        per[name] = per.get(name, ZERO) + share
                residual = total - threshold
                if residual > 0:
                    self.residual += residual
                    _add(transfers.setdefault(name, {}), RESIDUAL, residual)
                    total = threshold
            else:
                total = self.rounds[-1].tally.votes[name]
                for key, tally in self.rounds[-1].slices.items():
                    scope_locked.setdefault(key, {})[name] = tally.votes.get(name, ZERO)
            votes[name] = total
            locked += total
        return locked

    def _scope_tallies(self, scope_transfers: dict[tuple[str, str], dict[str, dict[str, Decimal]]],
                       ) -> dict[tuple[str, str], Tally]:
        """Each precinct's or batch's tally, read before this round's decisions change values."""
        continuing = [c for c in range(self.n) if self.continuing(c)]
        out: dict[tuple[str, str], Tally] = {}
        for kind, ids in self.scopes.items():
            for scope in sorted({i for i in ids if i}):
                key = (kind, scope)
                held = self.scope_votes.get(key, {})
                inactive = self.scope_inactive.get(key, {})
                out[key] = Tally({self.names[c]: held.get(c, ZERO) for c in continuing},
                                 {s: inactive.get(s, ZERO) for s in Status}, ZERO, ZERO,
                                 scope_transfers.get(key, {}))
        return out


def _finish_scope(tally: Tally, locked: dict[str, Decimal]) -> Tally:
    votes = dict(tally.votes)
    active = sum(votes.values(), ZERO) + tally.inactive[Status.FINAL_SURPLUS]
    votes.update(locked)
    return _frozen(votes, tally.inactive, active, sum(locked.values(), ZERO), tally.transfers)


def _frozen(votes: Mapping[str, Decimal], inactive: Mapping[Status, Decimal], active: Decimal,
            locked: Decimal, transfers: Mapping[str, Mapping[str, Decimal]]) -> Tally:
    """A ``Tally`` whose mappings cannot change: rounds leave the count immutable."""
    moved = {source: MappingProxyType(dict(to)) for source, to in transfers.items()}
    return Tally(MappingProxyType(dict(votes)), MappingProxyType(dict(inactive)), active, locked,
                 MappingProxyType(moved))


def _repeats(marks: tuple[int, ...], seen: set[int]) -> bool:
    """Whether a label at this rank was already seen (adding this rank's labels as it goes)."""
    for mark in marks:
        if mark in seen:
            return True
        seen.add(mark)
    return False


def _add(bucket: dict[K, Decimal], key: K, value: Decimal) -> None:
    bucket[key] = bucket.get(key, ZERO) + value


def _divide(a: Decimal, b: Decimal, places: int, rounding: str) -> Decimal:
    """``a / b`` to ``places`` decimals, rounded ``rounding`` exactly (as BigDecimal.divide)."""
    exact = Fraction(a) / Fraction(b)
    scaled = exact * 10**places
    whole = scaled.numerator // scaled.denominator if scaled >= 0 else \
        -((-scaled.numerator) // scaled.denominator)
    if rounding == ROUND_UP and whole != scaled:
        whole += 1 if scaled > 0 else -1
    return Decimal(whole).scaleb(-places)
