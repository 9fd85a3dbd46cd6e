"""Invariants of the ranked-choice engine on random contests (Hypothesis): every ballot is counted
in every round (active + inactive, plus residual surplus, equals the ballots cast); a plain IRV
count written here the slow, obvious way agrees round by round; the numpy fast path agrees with
the general engine under every rule it takes."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electoral.model import CastVoteRecord
from electoral.rcv.engine import count_matrix, tabulate_rcv
from electoral.rcv.rounds import RcvTabulation
from electoral.rcv.rules import LabelMap, OvervoteRule, Rules, Tiebreak, WinnerMode, compact

NAMES = ("Ada", "Bo", "Cy", "Di", "Ed", "Flo")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def contests(draw: st.DrawFn, max_rank: int = 4) -> tuple[tuple[str, ...], list[list[int]]]:
    """Candidates and ballots: each ballot a list of candidate indices by rank, -1 a skipped
    rank, a candidate at most once (so a plain count and RCTab's rules agree)."""
    k = draw(st.integers(2, len(NAMES)))
    ranking = st.lists(st.integers(-1, k - 1), max_size=max_rank).map(_no_repeats)
    ballots = draw(st.lists(ranking, min_size=1, max_size=40))
    return NAMES[:k], ballots


def _no_repeats(ranks: list[int]) -> list[int]:
    seen: set[int] = set()
    out = []
    for c in ranks:
        out.append(-1 if c in seen else c)
        seen.add(c)
    return out


def _records(names: tuple[str, ...], ballots: list[list[int]]) -> list[tuple[CastVoteRecord,
                                                                              LabelMap]]:
    return [(CastVoteRecord(str(i), tuple((r + 1, names[c]) for r, c in enumerate(b) if c >= 0)),
             LabelMap()) for i, b in enumerate(ballots)]


def _count(names: tuple[str, ...], ballots: list[list[int]], rules: Rules) -> RcvTabulation:
    return tabulate_rcv(compact(_records(names, ballots), rules), rules)


@SETTINGS
@given(contests(), st.integers(1, 3), st.booleans())
def test_every_ballot_is_accounted_for_in_every_round(contest: tuple, seats: int,
                                                      batch: bool) -> None:
    names, ballots = contest
    seats = min(seats, len(names))
    mode = WinnerMode.SINGLE if seats == 1 else WinnerMode.MULTIPLE_PER_ROUND
    rules = Rules(names, seats=seats, mode=mode, tiebreak=Tiebreak.RANDOM, seed=7,
                  batch_elimination=batch and seats == 1, decimals=4)
    tab = _count(names, ballots, rules)
    for rnd in tab.rounds:
        total = rnd.tally.active_and_locked + rnd.tally.inactive_total + rnd.residual_surplus
        assert total == len(ballots), rnd.number


def irv_by_hand(names: tuple[str, ...], ballots: list[list[int]]) -> list[dict[str, int]]:
    """Plain IRV, slowly: every round, every ballot counts for its highest-ranked candidate still
    in; a candidate with more than half the counted votes wins; else the fewest votes goes (ties:
    the one declared last). Two left and tied: the one declared first wins."""
    remaining = list(names)
    rounds = []
    while True:
        tally = {name: 0 for name in remaining}
        for ballot in ballots:
            for c in ballot:
                if c >= 0 and names[c] in tally:
                    tally[names[c]] += 1
                    break
        rounds.append(tally)
        counted = sum(tally.values())
        if any(Fraction(v) > Fraction(counted, 2) for v in tally.values()) or len(tally) == 1:
            return rounds
        if len(tally) == 2 and len(set(tally.values())) == 1:
            return rounds
        low = min(tally.values())
        loser = [n for n in remaining if tally[n] == low][-1]
        remaining.remove(loser)


@SETTINGS
@given(contests())
def test_agrees_with_irv_by_hand(contest: tuple) -> None:
    names, ballots = contest
    rules = Rules(names, tiebreak=Tiebreak.CANDIDATE_ORDER)
    tab = _count(names, ballots, rules)
    expected = irv_by_hand(names, ballots)
    assert [{k: int(v) for k, v in r.tally.votes.items()} for r in tab.rounds] == expected
    final = expected[-1]
    top = max(final.values())
    assert tab.winners == ([n for n in names if n in final and final[n] == top][0],)


@SETTINGS
@given(contests(max_rank=5), st.sampled_from([OvervoteRule.EXHAUST, OvervoteRule.SKIP]),
       st.sampled_from([None, 0, 1]), st.booleans(),
       st.sampled_from([Tiebreak.RANDOM, Tiebreak.CANDIDATE_ORDER, Tiebreak.PREVIOUS_THEN_RANDOM,
                        Tiebreak.GENERATE_PERMUTATION]),
       st.lists(st.integers(1, 5), min_size=40, max_size=40), st.data())
def test_fast_path_agrees_with_general_engine(contest: tuple, overvote: OvervoteRule,
                                              skipped: int | None, batch: bool,
                                              tiebreak: Tiebreak, weights: list[int],
                                              data: st.DataObject) -> None:
    names, ballots = contest
    width = max(1, max(len(b) for b in ballots))
    matrix = np.full((len(ballots), width), -1, dtype=np.int32)
    for i, ballot in enumerate(ballots):
        matrix[i, :len(ballot)] = ballot
    overvotes = data.draw(st.lists(st.integers(0, len(ballots) - 1), max_size=3))
    matrix[overvotes, 0] = len(names)  # an explicit overvote label at rank 1
    labels = (*names, "overvote")
    counts = np.array(weights[:len(ballots)], dtype=np.int64)
    rules = Rules(names, tiebreak=tiebreak, seed=11, overvote=overvote, max_skipped=skipped,
                  batch_elimination=batch)
    fast = count_matrix(matrix, labels, rules, counts)
    records = [(CastVoteRecord(str(i), tuple((r + 1, labels[c]) for r, c in enumerate(row)
                                             if c >= 0), weight=int(counts[i])), LabelMap())
               for i, row in enumerate(matrix.tolist())]
    slow = tabulate_rcv(compact(records, rules), rules)
    assert [r.tally for r in fast.rounds] == [r.tally for r in slow.rounds]
    assert [(r.elected, r.eliminated, r.threshold) for r in fast.rounds] == \
        [(r.elected, r.eliminated, r.threshold) for r in slow.rounds]
    assert sum(fast.rounds[0].tally.votes.values(), Decimal(0)) + \
        fast.rounds[0].tally.inactive_total == int(counts.sum())
