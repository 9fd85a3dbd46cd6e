"""BRAVO ballot-polling audits: sample sizes before a round and the measured risk after it.

BRAVO is Wald's sequential probability ratio test applied to each winner–loser pair (Lindeman,
Stark and Yates 2012, "BRAVO: Ballot-polling Risk-limiting Audits to Verify Outcomes", EVT/WOTE
'12; Lindeman and Stark 2012, "A gentle introduction to risk-limiting audits"). For a pair with
reported shares ``p_w``, ``p_l`` of the ballots, ``s = p_w / (p_w + p_l)``; each sampled ballot for
the winner multiplies the test statistic ``T`` by ``2s`` and each for the loser by ``2(1 − s)``
(``a = ln 2s``, ``b = ln(2 − 2s)`` in logs). The audit of the pair ends once ``T ≥ 1/α``; the risk
is ``min(1, 1/T)``, taken at the best round end (Ville's inequality makes the running maximum of
``T`` a valid test, which is what lets BRAVO stop at any round).

Sizes:
- ASN, the expected number of ballots when the reported shares are right (Lindeman, Stark and
  Yates 2012, eq. for the average sample number, with the half-ballot correction ``a/2`` of their
  Table 1): ``⌈(ln(1/α) − (w_s·a + l_s·b) + a/2) / (p_w·a + p_l·b)⌉`` for ``w_s``, ``l_s`` votes
  already sampled.
- Round-one sizes with chance ``q`` of ending the audit: the smallest pair-ballot count ``n`` at or
  above the normal approximation's root at which the ``(1 − q)``-quantile ``k`` of Binomial(n, s)
  already gives ``k·a + (n − k)·b ≥ ln(1/α)``, scaled to all ballots by ``1 / (p_w + p_l)``. The
  chance saw-tooths in ``n``, so the search starts at the normal root (as Arlo does; searching from
  1 finds smaller, saw-tooth sizes); exact binomial quantiles come from ``scipy.stats``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from electoral.rla.contest import Contest, Pair

QUANTILES = (0.7, 0.8, 0.9)
# Arlo's rule (votingworks/arlo audit_math): a ballot-polling contest of more than 100,000 ballots
# whose 90 % round-one size reaches a quarter of its ballots is cheaper to count by hand.
LARGE_CONTEST = 100_000
LARGE_FRACTION_DENOMINATOR = 4


@dataclass(frozen=True, slots=True)
class PairPlan:
    """One pair's sizes: ``asn`` and round-one ``quantiles`` (q → ballots), further ballots beyond
    the sample already seen, 0 when the pair is already confirmed; None when tied."""

    pair: Pair
    asn: int | None
    quantiles: dict[float, int] | None


def _logs(pair: Pair) -> tuple[float, float, float]:
    share = pair.winner_votes / (pair.winner_votes + pair.loser_votes)
    a = math.log(2 * share)
    b = math.log(2 - 2 * share) if pair.loser_votes else -math.inf
    return share, a, b


def _seen(pair: Pair, seen: Sequence[Mapping[str, int]]) -> tuple[int, int]:
    return (sum(r.get(pair.winner, 0) for r in seen), sum(r.get(pair.loser, 0) for r in seen))


def _log_statistic(won: int, lost: int, a: float, b: float) -> float:
    """``ln T`` after ``won`` ballots for the winner and ``lost`` for the loser (−∞ once a loser
    reported at 0 votes is seen: BRAVO can then never confirm the pair)."""
    if lost and b == -math.inf:
        return -math.inf
    return won * a + (lost * b if lost else 0.0)


def pair_asn(contest: Contest, pair: Pair, alpha: float,
             seen: Sequence[Mapping[str, int]] = ()) -> int | None:
    """BRAVO's average sample number for ``pair`` (ballots; further ballots when ``seen`` lists
    the votes already sampled, per round; 0 when already confirmed); None for a tied pair.
    Lindeman, Stark and Yates (2012)."""
    if pair.tied:
        return None
    _share, a, b = _logs(pair)
    won, lost = _seen(pair, seen)
    remaining = math.log(1 / alpha) - _log_statistic(won, lost, a, b)
    if remaining == math.inf:
        return None
    p_w, p_l = pair.winner_votes / contest.ballots, pair.loser_votes / contest.ballots
    drift = p_w * a + (p_l * b if pair.loser_votes else 0.0)
    return max(0, math.ceil((remaining + a / 2) / drift)) if remaining > 0 else 0


def _quantile_k(n: int, share: float, q: float) -> int:
    """The smallest k with P(Binomial(n, share) ≤ k) ≥ 1 − q, checked against the CDF so a rounding
    in scipy's inverse cannot move it."""
    from scipy.stats import binom

    k = int(binom.ppf(1 - q, n, share))
    while k > 0 and binom.cdf(k - 1, n, share) >= 1 - q:
        k -= 1
    while binom.cdf(k, n, share) < 1 - q:
        k += 1
    return k


def _normal_start(t: float, share: float, a: float, b: float, q: float) -> int:
    from scipy.stats import norm

    z = -float(norm.ppf(q))
    d = share * (1 - share)
    f, g = t / (a - b), b / (a - b) + share
    big_a, big_b, big_c = g * g, -(z * z * d + 2 * f * g), f * f
    root = math.sqrt(max(big_b * big_b - 4 * big_a * big_c, 0.0))
    return max(1, math.floor((-big_b + (root if q >= 0.5 else -root)) / (2 * big_a)))


def pair_round_size(contest: Contest, pair: Pair, alpha: float, q: float,
                    seen: Sequence[Mapping[str, int]] = ()) -> int | None:
    """Ballots (further, beyond ``seen``) that end the audit of ``pair`` in this round with chance
    ``q`` when the reported shares are right; 0 when already confirmed; None for a tied pair or
    one BRAVO can no longer confirm. Lindeman, Stark and Yates (2012), round-by-round sizes."""
    if pair.tied:
        return None
    share, a, b = _logs(pair)
    won, lost = _seen(pair, seen)
    t = math.log(1 / alpha) - _log_statistic(won, lost, a, b)
    if t == math.inf:
        return None
    if t <= 0:
        return 0
    if not pair.loser_votes:
        n = math.ceil(t / a)  # every sampled pair ballot is the winner's
    else:
        n = _normal_start(t, share, a, b, q)
        while True:
            k = _quantile_k(n, share, q)
            if k * a + (n - k) * b >= t:
                break
            n += 1
    pair_votes = pair.winner_votes + pair.loser_votes
    return -(-n * contest.ballots // pair_votes)


@dataclass(frozen=True, slots=True)
class BravoPlan:
    """A contest's BRAVO plan: the largest over pairs; ``quantiles`` only with one winner."""

    asn: int | None
    quantiles: dict[float, int] | None
    sample_size: int
    full_hand_count: bool
    pairs: tuple[PairPlan, ...]


def plan(contest: Contest, alpha: float, seen: Sequence[Mapping[str, int]] = ()) -> BravoPlan:
    """BRAVO sizes for ``contest`` at risk limit ``alpha`` (a fraction in (0, 1)), given the votes
    already sampled per round in ``seen`` (candidate → count). ``sample_size`` is the 90 %
    round-one size with one winner, else the ASN; every ballot when a pair is tied, when a size
    reaches the ballots, or when a contest of more than 100,000 ballots needs a quarter of them
    (Arlo's rule)."""
    pairs = []
    for pair in contest.pairs():
        quantiles = None
        if contest.winners == 1:
            sizes = {q: pair_round_size(contest, pair, alpha, q, seen) for q in QUANTILES}
            quantiles = None if None in sizes.values() else {q: int(v or 0) for q, v in sizes.items()}
        pairs.append(PairPlan(pair, pair_asn(contest, pair, alpha, seen), quantiles))
    unsettled = any(p.asn is None for p in pairs)
    asn = None if unsettled else max(int(p.asn or 0) for p in pairs)
    quantiles = None
    if contest.winners == 1 and not unsettled and all(p.quantiles for p in pairs):
        quantiles = {q: max((p.quantiles or {})[q] for p in pairs) for q in QUANTILES}
    size = quantiles[0.9] if quantiles else asn
    full = (size is None or size >= contest.ballots or
            (contest.ballots > LARGE_CONTEST and not seen
             and size * LARGE_FRACTION_DENOMINATOR >= contest.ballots))
    return BravoPlan(asn, quantiles, contest.ballots if full else int(size or 0), full, tuple(pairs))


@dataclass(frozen=True, slots=True)
class PairRisk:
    """One pair's risk after each round (cumulative sample) and the smallest of them."""

    pair: Pair
    by_round: tuple[float, ...]
    p_value: float


def pair_risk(pair: Pair, seen: Sequence[Mapping[str, int]]) -> PairRisk:
    """BRAVO's risk for ``pair`` after each round of ``seen``: ``min(1, 1/T)`` on the cumulative
    sample, and the smallest over rounds (the audit stops at the first round end with
    ``T ≥ 1/α``; Lindeman, Stark and Yates 2012). A tied pair's risk is 1."""
    if pair.tied:
        return PairRisk(pair, tuple(1.0 for _ in seen), 1.0)
    _share, a, b = _logs(pair)
    by_round = []
    won = lost = 0
    for counts in seen:
        won, lost = won + counts.get(pair.winner, 0), lost + counts.get(pair.loser, 0)
        log_t = _log_statistic(won, lost, a, b)
        by_round.append(1.0 if log_t <= 0 else math.exp(-log_t))
    return PairRisk(pair, tuple(by_round), min(by_round, default=1.0))


def risk(contest: Contest, seen: Sequence[Mapping[str, int]]) -> tuple[float, tuple[PairRisk, ...]]:
    """The contest's BRAVO risk after the rounds ``seen``: the largest pair risk, and the pairs'."""
    pairs = tuple(pair_risk(pair, seen) for pair in contest.pairs())
    return max(p.p_value for p in pairs), pairs
