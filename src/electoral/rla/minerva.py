"""Minerva ballot-polling audits: round sizes and the measured risk, round by round.

Zagórski, McClearn, Morin, Ottoboni and Vora (2020), "Minerva — an efficient risk-limiting ballot
polling audit", USENIX Security '21, and the Athena class of audits it belongs to (Zagórski et
al., arXiv 2008.02315, "The Athena class of risk-limiting ballot polling audits"). Each
winner–loser pair is audited on its own, on the ballots of the sample that show the winner or the
loser; ``s = v_w / (v_w + v_l)`` is the pair's reported share. Arlo's published risks (one and two
rounds, one and two winners) are reproduced to 1e-9 (tests/rla/test_minerva.py).

For a round schedule ``n_1 < n_2 < …`` (cumulative pair ballots) let ``σ_j`` and ``τ_j`` be the
distributions of the winner's cumulative count ``k_j`` after round ``j`` under the reported share
and under a tie, restricted to the paths that did not stop in an earlier round (each round's
distribution is the previous, with its stopping counts removed, convolved with Bin(n_j − n_{j−1},
·)). Round ``j`` stops when ``α · σ_j(≥ k_j) ≥ τ_j(≥ k_j)``; the risk it measures is
``τ_j(≥ k_j) / σ_j(≥ k_j)`` (at most 1). In round one this is
``α·P(Bin(m, s) ≥ k) ≥ P(Bin(m, ½) ≥ k)`` with ``k_min(m)`` its smallest such ``k`` and the chance
of stopping ``π(m) = P(Bin(m, s) ≥ k_min(m))``.

Sizes: the round's further pair ballots ``m`` whose chance of stopping, given the winner's count
already seen and that the audit has not stopped, is at least ``q``; scaled to all ballots as
``⌈m · ballots / (v_w + v_l)⌉``. The chance saw-tooths in ``m`` (``k_min`` moves in whole
ballots), so a bisection finds one crossing and a scan below it finds the smallest size that
still has the chance (``shared/cases/audit/README.md``: report the smallest found; Arlo's
bisection can be several per cent above it).

Round one uses log tails from ``scipy.stats`` (no underflow at millions of ballots). Later rounds
hold the distributions as arrays; convolutions of long arrays go through an FFT (absolute error
about 1e-16 of the largest probability, far below the tails ``α·q`` that decide a stop).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from electoral.rla.contest import Contest, Pair

QUANTILES = (0.7, 0.8, 0.9)
# A saw-tooth of π(m) spans about 1 / (s − ½) pair ballots (k_min rises by one ballot for about
# every 2 / (2s − 1) ballots while π rises between jumps); scanning 8 / (2s − 1) + 20 sizes below
# the bisection's crossing covers several teeth. Later rounds cost an FFT per size: cap their scan.
SCAN_TEETH = 8
SCAN_LATER_MAX = 50
DIRECT_CONVOLVE = 1 << 20  # below this many products np.convolve is exact and fast enough


def _share(pair: Pair) -> float:
    return pair.winner_votes / (pair.winner_votes + pair.loser_votes)


# ---- round one: closed-form tails -----------------------------------------------------------

def _stops_round_one(m: int, ks: np.ndarray, share: float, alpha: float) -> np.ndarray:
    from scipy.stats import binom

    under_share = binom.logsf(ks - 1, m, share)
    under_tie = binom.logsf(ks - 1, m, 0.5)
    return np.asarray(math.log(alpha) + under_share >= under_tie)


def k_min(m: int, share: float, alpha: float, guess: int | None = None) -> int | None:
    """The smallest winner count among ``m`` pair ballots that ends round one (None: none does).

    The tail ratio falls as k rises (the binomials have a monotone likelihood ratio), so the stop
    counts are ``k_min … m``: look in a small window around ``guess`` first, else bisect."""
    if not _stops_round_one(m, np.array([m]), share, alpha)[0]:
        return None
    if guess is not None:
        ks = np.arange(max(0, guess - 4), min(m, guess + 4) + 1)
        stops = _stops_round_one(m, ks, share, alpha)
        if stops.any() and not stops[0]:
            return int(ks[int(np.argmax(stops))])
    low, high = 0, m
    while low < high:
        middle = (low + high) // 2
        if _stops_round_one(m, np.array([middle]), share, alpha)[0]:
            high = middle
        else:
            low = middle + 1
    return low


def stop_chance(m: int, share: float, alpha: float) -> float:
    """π(m): the chance that ``m`` pair ballots end the audit in round one if ``share`` is right
    (Zagórski et al. 2020, round one)."""
    from scipy.stats import binom

    k = k_min(m, share, alpha)
    return 0.0 if k is None else float(binom.sf(k - 1, m, share))


def _smallest(chance: Callable[[int], float], q: float, limit: int, window: int) -> int | None:
    """The smallest size found, up to ``limit``, whose ``chance`` is at least ``q`` (None: not
    even ``limit``'s): doubling, a bisection to one crossing, then a scan of ``window`` sizes
    below it, and on while sizes still have the chance (the chance saw-tooths, so "smallest
    found" is the honest claim; the answer's next smaller size never has it)."""
    high = 1
    while chance(high) < q:
        if high >= limit:
            return None
        high = min(2 * high, limit)
    low = high // 2 + 1
    while low < high:
        middle = (low + high) // 2
        if chance(middle) >= q:
            high = middle
        else:
            low = middle + 1
    best, m = high, high - 1
    while m >= 1 and (m >= high - window or m == best - 1):
        if chance(m) >= q:
            best = m
        m -= 1
    return best


def _round_one_chances(share: float, alpha: float) -> Callable[[int], float]:
    """π as a function of m, remembering the last k_min to start the next search near it."""
    from scipy.stats import binom

    guess: list[int | None] = [None]

    def chance(m: int) -> float:
        k = k_min(m, share, alpha, guess[0])
        if k is None:
            return 0.0
        guess[0] = k
        return float(binom.sf(k - 1, m, share))

    return chance


# ---- later rounds: distributions of the paths that have not stopped ---------------------------

def _convolve(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    if first.size * second.size <= DIRECT_CONVOLVE:
        return np.convolve(first, second)
    from scipy.signal import fftconvolve

    return np.clip(fftconvolve(first, second), 0.0, None)


def _pmf(m: int, share: float) -> np.ndarray:
    """Bin(m, share)'s probabilities at 0 … m; outside mean ± 40 standard deviations they are
    below 1e-300 and are left at 0 (computing them would cost most of a later round's search)."""
    from scipy.stats import binom

    spread = 40 * math.sqrt(m * share * (1 - share)) + 40
    low, high = max(0, math.floor(m * share - spread)), min(m, math.ceil(m * share + spread))
    found = np.zeros(m + 1)
    found[low:high + 1] = binom.pmf(np.arange(low, high + 1), m, share)
    return found


def _upper_tails(dist: np.ndarray) -> np.ndarray:
    """``tails[k] = Σ_{i ≥ k} dist[i]``, small terms summed first."""
    return np.cumsum(dist[::-1])[::-1]


def _stop_set(alt: np.ndarray, null: np.ndarray, alpha: float) -> np.ndarray:
    """Counts k that stop: ``α · σ(≥ k) ≥ τ(≥ k)`` with some chance left under the share."""
    tail_alt, tail_null = _upper_tails(alt), _upper_tails(null)
    return (alpha * tail_alt >= tail_null) & (tail_alt > 0)


def _risk_at(alt: np.ndarray, null: np.ndarray, k: int, share: float) -> float:
    tail_alt, tail_null = float(_upper_tails(alt)[k]), float(_upper_tails(null)[k])
    if tail_alt > 0:
        return min(1.0, tail_null / tail_alt)
    # both tails underflowed: k lies far above what either hypothesis expects (a tie's tail goes
    # to 0 first), or far below it
    return 0.0 if k >= share * (alt.size - 1) else 1.0


@dataclass
class _Paths:
    """The unstopped paths' winner-count distributions (index k) under the share and a tie."""

    alt: np.ndarray
    null: np.ndarray

    @classmethod
    def start(cls) -> _Paths:
        return cls(np.ones(1), np.ones(1))

    def then(self, m: int, share: float, step: np.ndarray | None = None) -> _Paths:
        """The paths after ``m`` more pair ballots (``step``: Bin(m, share)'s pmf, if known)."""
        step = _pmf(m, share) if step is None else step
        return _Paths(_convolve(self.alt, step), _convolve(self.null, _pmf(m, 0.5)))

    def unstopped(self, alpha: float) -> _Paths:
        keep = ~_stop_set(self.alt, self.null, alpha)
        return _Paths(self.alt * keep, self.null * keep)


@dataclass(frozen=True, slots=True)
class PairRisk:
    """One pair's risk after each round, the round that stopped it (None: not stopped) and its
    p-value (the stopping round's risk, else the last round's)."""

    pair: Pair
    by_round: tuple[float, ...]
    stopped: int | None
    p_value: float


def _pair_rounds(pair: Pair, rounds: Sequence[Mapping[str, int]]) -> list[tuple[int, int]]:
    return [(r.get(pair.winner, 0), r.get(pair.loser, 0)) for r in rounds]


def pair_risk(pair: Pair, rounds: Sequence[Mapping[str, int]], alpha: float) -> PairRisk:
    """Minerva's risk for ``pair`` after each round of ``rounds`` (sampled votes per round, in
    order): ``τ_j(≥ k_j) / σ_j(≥ k_j)`` on the distributions of unstopped paths (module
    docstring). The pair stops at the first round whose risk is at most ``alpha``; later rounds
    do not change it. A tied pair's risk is 1."""
    if pair.tied:
        return PairRisk(pair, tuple(1.0 for _ in rounds), None, 1.0)
    share = _share(pair)
    paths = _Paths.start()
    by_round: list[float] = []
    won = 0
    risk = 1.0
    stopped: int | None = None
    for number, (w, l_) in enumerate(_pair_rounds(pair, rounds), start=1):
        if stopped is None and w + l_:
            first = paths.alt.size == 1
            if not first:  # the paths that stopped in the previous round are gone
                paths = paths.unstopped(alpha)
            paths = paths.then(w + l_, share)
            won += w
            if first:  # closed-form log tails: exact at any size
                from scipy.stats import binom

                seen = w + l_
                under_tie = float(binom.logsf(won - 1, seen, 0.5))
                under_share = float(binom.logsf(won - 1, seen, share))
                if under_share > -math.inf:
                    risk = math.exp(min(0.0, under_tie - under_share))
                else:  # both tails below the smallest double: as _risk_at decides
                    risk = 0.0 if won >= share * seen else 1.0
            else:
                risk = _risk_at(paths.alt, paths.null, won, share)
            if risk <= alpha:
                stopped = number
        by_round.append(risk)
    return PairRisk(pair, tuple(by_round), stopped, risk)


def _history(pair: Pair, rounds: Sequence[Mapping[str, int]],
             alpha: float) -> tuple[_Paths, int]:
    """The unstopped paths after ``rounds`` (stopping counts of the last round removed) and the
    winner's count seen."""
    share = _share(pair)
    paths = _Paths.start()
    won = 0
    for w, l_ in _pair_rounds(pair, rounds):
        if w + l_:
            paths = paths.then(w + l_, share).unstopped(alpha)
            won += w
    return paths, won


def _later_chance(paths: _Paths, won: int, m: int, share: float, alpha: float) -> float:
    """The chance that ``m`` further pair ballots stop the audit, given the winner's count ``won``
    so far (and so that it has not stopped)."""
    step = _pmf(m, share)
    ahead = paths.then(m, share, step)
    stops = _stop_set(ahead.alt, ahead.null, alpha)[won:won + m + 1]
    return float(np.sum(step[stops]))


def _later_chances(paths: _Paths, won: int, share: float, alpha: float,
                   known: dict[int, float]) -> Callable[[int], float]:
    """``_later_chance`` as a function of m; ``known`` caches it (the quantiles share most of
    their search)."""
    def chance(m: int) -> float:
        if m not in known:
            known[m] = _later_chance(paths, won, m, share, alpha)
        return known[m]

    return chance


def pair_round_size(contest: Contest, pair: Pair, alpha: float, q: float,
                    seen: Sequence[Mapping[str, int]] = (),
                    known: dict[int, float] | None = None) -> int | None:
    """Further ballots that end the audit of ``pair`` in the next round with chance at least ``q``
    when the reported shares are right, given the rounds ``seen`` (0 when they already stopped
    it). None for a tied pair, or when even every one of the pair's ballots does not (a size of
    more pair ballots than the contest holds means a full hand count). ``known`` caches a later
    round's chances by size across calls for one pair and ``seen``."""
    if pair.tied:
        return None
    if seen and pair_risk(pair, seen, alpha).stopped is not None:
        return 0
    share = _share(pair)
    pair_votes = pair.winner_votes + pair.loser_votes
    window = SCAN_TEETH * math.ceil(1 / (2 * share - 1)) + 20
    if share == 1.0:  # every pair ballot is the winner's: ⌈log₂(1/α)⌉ of them stop the audit
        m: int | None = max(1, math.ceil(math.log2(1 / alpha)))
    elif any(r.get(pair.winner, 0) + r.get(pair.loser, 0) for r in seen):
        paths, won = _history(pair, seen, alpha)
        chances = _later_chances(paths, won, share, alpha, {} if known is None else known)
        m = _smallest(chances, q, pair_votes, min(SCAN_LATER_MAX, window))
    else:
        m = _smallest(_round_one_chances(share, alpha), q, pair_votes, window)
    if m is None:
        return None
    return -(-m * contest.ballots // pair_votes)


@dataclass(frozen=True, slots=True)
class MinervaPlan:
    """A contest's Minerva plan: per-chance sizes (the largest over pairs; one winner only), the
    size to draw now, whether a full hand count is due, and each pair's sizes."""

    quantiles: dict[float, int] | None
    sample_size: int
    full_hand_count: bool
    pairs: tuple[tuple[Pair, dict[float, int] | None], ...]


def plan(contest: Contest, alpha: float, seen: Sequence[Mapping[str, int]] = (),
         large: tuple[int, int] = (100_000, 4)) -> MinervaPlan:
    """Minerva sizes for ``contest`` at risk limit ``alpha`` given the rounds ``seen``.

    ``sample_size`` is the 90 % size (with several winners too: Minerva has no ASN); every ballot
    when a pair is tied or cannot be confirmed, when the size reaches the ballots, or when a
    contest of more than ``large[0]`` ballots needs ``1/large[1]`` of them in round one (Arlo's
    rule for ballot polling). ``quantiles`` is None with several winners (the README's keys)."""
    pairs = []
    for pair in contest.pairs():
        known: dict[int, float] = {}
        sizes = {q: pair_round_size(contest, pair, alpha, q, seen, known) for q in QUANTILES}
        pairs.append((pair, None if None in sizes.values() else
                      {q: int(v or 0) for q, v in sizes.items()}))
    settled = all(sizes is not None for _, sizes in pairs)
    worst = {q: max((sizes or {})[q] for _, sizes in pairs) for q in QUANTILES} if settled else None
    size = worst[0.9] if worst else None
    full = (size is None or size >= contest.ballots or
            (contest.ballots > large[0] and not seen and size * large[1] >= contest.ballots))
    return MinervaPlan(worst if contest.winners == 1 else None,
                       contest.ballots if full else int(size or 0), full, tuple(pairs))


def risk(contest: Contest, rounds: Sequence[Mapping[str, int]],
         alpha: float) -> tuple[float, tuple[PairRisk, ...]]:
    """The contest's Minerva risk after ``rounds``: the largest pair p-value, and the pairs'."""
    pairs = tuple(pair_risk(pair, rounds, alpha) for pair in contest.pairs())
    return max(p.p_value for p in pairs), pairs
