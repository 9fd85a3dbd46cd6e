"""RAIRE: assertions that prove an IRV winner, and how hard each is to audit.

Blom, Stuckey and Teague (2019), "RAIRE: Risk-limiting audits for IRV elections", arXiv 1903.08804.
``tally_S(c)`` is the number of ballots whose highest-ranked candidate among the set ``S`` is
``c``. An assertion compares two tallies ``W`` and ``L`` and holds when ``W > L``:

- NEB(w, l), "w is never eliminated before l": ``W`` is w's first-choice tally, ``L`` is
  ``tally_{w,l}(l)``. It contradicts every elimination order in which w goes out before l.
- NEN(w, l, S), "when exactly S remain, w is not eliminated next": ``W = tally_S(w)``,
  ``L = tally_S(l)``. It contradicts every order that eliminates w when exactly S remain.

An assertion's difficulty (the paper's §4, the ASN of the audit that checks it; N is the total
auditable ballots): OneOnMargin ``N / (W − L)``, OneOnMarginSq ``(N / (W − L))²``, MACRO
``2γ·N·ln(1/α) / (W − L)``, BRAVO ``(½ ln 2s + ln(1/α)) / ((W ln 2s + L ln(2 − 2s)) / N)`` with
``s = W / (W + L)``; infinite when ``W ≤ L``.

The search (the paper's §5): an elimination order is written from its end, so a *tail* ``π`` lists
the last ``|π|`` candidates standing, the first of them eliminated first and the last the winner.
Every assertion that contradicts every order ending in ``π`` but no order ending in ``π[1:]`` is
*new* at ``π``: NEB(π₀, l) and NEN(π₀, l, set(π)) for ``l`` in ``π[1:]``, and NEB(w, π₀) for ``w``
not in ``π``. The cheapest assertion contradicting a complete order is the cheapest new one along
its tails, so the audit's least difficulty is ``max over orders (min over its tails)``, found by a
depth-first search over tails of orders that do not end with the winner, cut where a tail's
cheapest new assertion is no harder than the largest order-minimum found so far. A second pass
takes, on each path from a root, the first tail whose new assertion is at most that difficulty.

Ballots are distinct preference lists of candidate indices (most preferred first, each
candidate once, cut at an overvote: the meaning they have in an IRV count) with a count each.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from electoral.errors import Problem, ValidationError

GAMMA = 1.03905  # Stark's error inflation factor, raire-rs's and SuperSimple's default
ALPHA = 0.05  # risk limit used by MACRO and BRAVO difficulties when none is given
MAX_CANDIDATES = 62  # sets of candidates are bits of an int64
TRIM_UP_TO = 200  # redundant assertions are removed from sets up to this size (quadratic work)


class AuditType(StrEnum):
    """The audit whose expected sample sets an assertion's difficulty (Blom et al. 2019, §4)."""

    ONE_ON_MARGIN = "oneonmargin"
    ONE_ON_MARGIN_SQ = "oneonmarginsq"
    BRAVO = "bravo"
    MACRO = "macro"


# raire-rs's problem files name the audit types so
_FILE_TYPES = {"OneOnMargin": AuditType.ONE_ON_MARGIN, "OneOnMarginSq": AuditType.ONE_ON_MARGIN_SQ,
               "BRAVO": AuditType.BRAVO, "MACRO": AuditType.MACRO}


@dataclass(frozen=True, slots=True)
class Audit:
    """How difficulty is measured: the audit type, the risk limit α, γ (MACRO) and the total
    auditable ballots N (None: the ballots of the contest)."""

    kind: AuditType = AuditType.ONE_ON_MARGIN
    risk_limit: float = ALPHA
    gamma: float = GAMMA
    total: int | None = None

    def difficulty(self, winner_tally: int, loser_tally: int, total: int) -> float:
        """The difficulty of an assertion with tallies ``W``, ``L`` over ``total`` ballots."""
        margin = winner_tally - loser_tally
        if margin <= 0:
            return math.inf
        if self.kind is AuditType.ONE_ON_MARGIN:
            return total / margin
        if self.kind is AuditType.ONE_ON_MARGIN_SQ:
            return (total / margin) ** 2
        if self.kind is AuditType.MACRO:
            return 2 * self.gamma * total * math.log(1 / self.risk_limit) / margin
        share = winner_tally / (winner_tally + loser_tally)
        drift = winner_tally * math.log(2 * share)
        if loser_tally:
            drift += loser_tally * math.log(2 - 2 * share)
        return (0.5 * math.log(2 * share) + math.log(1 / self.risk_limit)) / (drift / total)


@dataclass(frozen=True, slots=True)
class Contest:
    """An IRV contest: candidate names, distinct preference lists (indices, most preferred first)
    with their counts, and the declared winner's index (None: the count's winner)."""

    candidates: tuple[str, ...]
    ballots: tuple[tuple[int, ...], ...]
    counts: tuple[int, ...]
    winner: int | None = None

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class Assertion:
    """NEB (``continuing`` empty) or NEN (``continuing`` the candidates left, as a bit set), with
    its tallies and difficulty."""

    winner: int
    loser: int
    continuing: int  # bit set of candidate indices; 0 for NEB
    winner_tally: int
    loser_tally: int
    difficulty: float

    @property
    def kind(self) -> str:
        return "NEN" if self.continuing else "NEB"

    @property
    def margin(self) -> int:
        return self.winner_tally - self.loser_tally


@dataclass
class Result:
    """The IRV winner, the audit's difficulty, and assertions that together contradict every
    elimination order that does not end with the winner."""

    winner: int
    difficulty: float
    assertions: list[Assertion] = field(default_factory=list)

    @property
    def margin(self) -> int:
        return min(a.margin for a in self.assertions)


class _Tallies:
    """``tally_S`` for bit sets S, memoised; ballots as columns of candidate indices (index k
    pads a short ballot) and each column's candidates as bits."""

    def __init__(self, contest: Contest):
        self.k = k = len(contest.candidates)
        width = max((len(b) for b in contest.ballots), default=0)
        matrix = np.full((len(contest.ballots), max(width, 1)), k, dtype=np.int64)
        for row, ballot in enumerate(contest.ballots):
            matrix[row, :len(ballot)] = ballot
        self.columns = [np.ascontiguousarray(matrix[:, j]) for j in range(matrix.shape[1])]
        # 1 << candidate, 0 for padding: whether a mark is in S is one AND
        self.bits = [np.where(c < k, np.left_shift(1, np.minimum(c, k - 1)), 0)
                     for c in self.columns]
        self.counts = np.asarray(contest.counts, dtype=np.float64)  # exact below 2⁵³ ballots
        self.memo: dict[int, np.ndarray] = {}
        self.primed: set[int] = set()

    def _first(self, mask: int) -> tuple[np.ndarray, np.ndarray]:
        """Each ballot's highest-ranked candidate in ``mask`` (k: none) and its column."""
        first = np.full(len(self.counts), self.k, dtype=np.int64)
        where = np.full(len(self.counts), len(self.columns), dtype=np.int64)
        for j in range(len(self.columns) - 1, -1, -1):  # the last rank first: earlier ones win
            hit = (self.bits[j] & mask) != 0
            first = np.where(hit, self.columns[j], first)
            where = np.where(hit, j, where)
        return first, where

    def _count(self, first: np.ndarray) -> np.ndarray:
        found = np.bincount(first, weights=self.counts, minlength=self.k + 1)
        return np.rint(found).astype(np.int64)

    def of(self, mask: int) -> np.ndarray:
        """Each candidate's tally among ``mask`` (0 outside it), as int64."""
        found = self.memo.get(mask)
        if found is None:
            found = self.memo[mask] = self._count(self._first(mask)[0])[:self.k]
        return found

    def prime(self, mask: int) -> None:
        """The tallies of ``mask ∪ {c}`` for every c outside ``mask`` in one pass: adding c moves
        to c exactly the ballots that rank c above their first choice in ``mask``."""
        if mask in self.primed:
            return
        self.primed.add(mask)
        k = self.k
        first, where = self._first(mask)
        base = self._count(first)
        moved = np.zeros((k + 1) * (k + 1))
        for j, column in enumerate(self.columns):
            ahead = (where > j) & (column < k)
            moved += np.bincount(column[ahead] * (k + 1) + first[ahead],
                                 weights=self.counts[ahead], minlength=(k + 1) * (k + 1))
        move = np.rint(moved).astype(np.int64).reshape(k + 1, k + 1)
        for c in range(k):
            if not mask >> c & 1 and (mask | 1 << c) not in self.memo:
                tally = base[:k] - move[c, :k]
                tally[c] = move[c].sum()
                self.memo[mask | 1 << c] = tally


_NEVER = np.iinfo(np.int64).max  # a tally no candidate reaches


def _members(mask: int, k: int) -> list[int]:
    return [c for c in range(k) if mask >> c & 1]


def irv_winners(contest: Contest, tallies: _Tallies | None = None) -> set[int]:
    """Every candidate some way of breaking ties for last place elects (one, unless the winner
    depends on a tie). A candidate with a majority of the ballots still counting wins at once."""
    tallies = tallies or _Tallies(contest)
    k = len(contest.candidates)
    memo: dict[int, frozenset[int]] = {}

    def winners(mask: int) -> frozenset[int]:
        if mask in memo:
            return memo[mask]
        members = _members(mask, k)
        if len(members) == 1:
            return frozenset(members)
        tally = tallies.of(mask)
        live = int(sum(int(tally[c]) for c in members))
        leader = max(members, key=lambda c: int(tally[c]))
        if 2 * int(tally[leader]) > live:
            found = frozenset([leader])
        else:
            lowest = min(int(tally[c]) for c in members)
            found = frozenset().union(*(winners(mask & ~(1 << c)) for c in members
                                        if int(tally[c]) == lowest))
        memo[mask] = found
        return found

    return set(winners((1 << k) - 1))


class _Search:
    """The search of the module docstring over one contest.

    What a tail's subtree holds depends only on the set of candidates in it, not on their order:
    the assertions new at a tail depend on its first candidate and its set alone. So the search
    runs over sets, ``V(S) = max over c ∉ S of min(cost(c, S ∪ {c}), V(S ∪ {c}))`` with
    ``V(all) = ∞``, memoised, and cut where a cost is no more than the largest order-minimum
    found so far (``bound``); ``cost(c, T)`` is the cheapest assertion new at a tail headed by
    ``c`` with set ``T``."""

    def __init__(self, contest: Contest, audit: Audit, winner: int, tallies: _Tallies):
        self.k = len(contest.candidates)
        self.full = (1 << self.k) - 1
        self.audit = audit
        self.total = audit.total if audit.total is not None else contest.total
        self.winner = winner
        self.tallies = tallies
        first = tallies.of(self.full)
        self.first = first
        self.pair = [[int(tallies.of(1 << w | 1 << l_)[l_]) for l_ in range(self.k)]
                     for w in range(self.k)]  # pair[w][l] = tally_{w,l}(l)
        self.neb = np.array([[math.inf if w == l_ else self._difficulty(int(first[w]),
                                                                       self.pair[w][l_])
                              for l_ in range(self.k)] for w in range(self.k)])
        self.bits = np.arange(self.k, dtype=np.int64)
        self.memo: dict[int, tuple[float, bool]] = {}
        self.costs: dict[tuple[int, int], float] = {}
        self.bound = 0.0

    def _difficulty(self, w_tally: int, l_tally: int) -> float:
        return self.audit.difficulty(w_tally, l_tally, self.total)

    def _inside(self, mask: int) -> np.ndarray:
        return ((np.int64(mask) >> self.bits) & 1).astype(bool)

    def _neb_cost(self, head: int, mask: int) -> tuple[float, tuple[int, int]]:
        """The cheapest NEB new at a tail headed by ``head`` with set ``mask``: NEB(head, l) for
        l in the tail, NEB(w, head) for w outside it; as (difficulty, winner, loser)."""
        inside = self._inside(mask)
        options = np.where(inside, self.neb[head], self.neb[:, head])
        options[head] = math.inf
        at = int(np.argmin(options))
        return float(options[at]), ((head, at) if inside[at] else (at, head))

    def _nen_cost(self, head: int, mask: int) -> tuple[float, int]:
        """The cheapest NEN(head, l, mask): every difficulty rises with L for a given W, so the
        loser with the smallest tally among the rest; as (difficulty, loser)."""
        if mask == 1 << head:
            return math.inf, head
        if mask not in self.tallies.memo:
            self.tallies.prime(mask & ~(1 << head))
        tally = self.tallies.of(mask)
        rest = np.where(self._inside(mask), tally, _NEVER)
        rest[head] = _NEVER
        loser = int(np.argmin(rest))
        return self._difficulty(int(tally[head]), int(tally[loser])), loser

    def cost(self, head: int, mask: int, bound: float = -math.inf) -> float:
        """The cheapest new assertion's difficulty; only the NEB part when that is ≤ ``bound``."""
        known = self.costs.get((head, mask))
        if known is not None:
            return known
        neb = self._neb_cost(head, mask)[0]
        if neb <= bound:
            return neb
        found = self.costs[(head, mask)] = min(neb, self._nen_cost(head, mask)[0])
        return found

    def assertion(self, head: int, mask: int) -> Assertion:
        """The cheapest assertion new at a tail headed by ``head`` with set ``mask``."""
        neb, (w, l_) = self._neb_cost(head, mask)
        nen, loser = self._nen_cost(head, mask)
        if nen < neb:
            tally = self.tallies.of(mask)
            return Assertion(head, loser, mask, int(tally[head]), int(tally[loser]), nen)
        return Assertion(w, l_, 0, int(self.first[w]), self.pair[w][l_], neb)

    def _heads(self, mask: int) -> list[int]:
        if mask == 0:  # the roots: orders that end with someone other than the winner
            return [c for c in range(self.k) if c != self.winner]
        return [c for c in range(self.k) if not mask >> c & 1]

    def explore(self, mask: int, path_min: float) -> tuple[float, bool]:
        """Raise ``bound`` by the orders below ``mask`` reached with ``path_min`` the cheapest cost
        on the way; return an upper bound on V(mask) and whether it is exact."""
        if mask == self.full:
            self.bound = max(self.bound, path_min)
            return math.inf, True
        known = self.memo.get(mask)
        if known is not None:
            if known[1]:
                self.bound = max(self.bound, min(path_min, known[0]))
                return known
            if min(path_min, known[0]) <= self.bound:
                return known
        upper, exact = -math.inf, True
        kids = []
        for c in self._heads(mask):
            cost = self.cost(c, mask | 1 << c, self.bound)
            if cost <= self.bound:
                upper, exact = max(upper, cost), False
            else:
                kids.append((cost, c))
        kids.sort(reverse=True)  # hardest first: the bound rises early and cuts more
        for cost, c in kids:
            if min(path_min, cost) <= self.bound:
                upper, exact = max(upper, cost), False
                continue
            below, whole = self.explore(mask | 1 << c, min(path_min, cost))
            upper, exact = max(upper, min(cost, below)), exact and whole
        self.memo[mask] = (upper, exact)
        return upper, exact

    def gather(self, mask: int, chosen: dict[tuple[int, int, int], Assertion],
               seen: set[int]) -> None:
        """On every path down from ``mask``, the first tail whose new assertion is at most the
        bound (every order has one: the bound is the largest order-minimum)."""
        if mask in seen:
            return
        seen.add(mask)
        for c in self._heads(mask):
            tail = mask | 1 << c
            if self.cost(c, tail) <= self.bound:
                found = self.assertion(c, tail)
                chosen[(found.winner, found.loser, found.continuing)] = found
            else:
                self.gather(tail, chosen, seen)

    def _forced(self, champion: int) -> float:
        """The cheapest assertion against the order an IRV count gives when ``champion`` is never
        eliminated (the lowest other candidate goes out each round): a real order's minimum, so a
        lower bound on the answer, and usually close to it (the search then cuts almost
        everything; Blom et al.'s search likewise starts from a bound)."""
        mask, order = self.full, []
        while mask != 1 << champion:
            tally = self.tallies.of(mask)
            out = min((c for c in range(self.k) if mask >> c & 1 and c != champion),
                      key=lambda c: (int(tally[c]), c))
            order.append(out)
            mask &= ~(1 << out)
        cheapest = self.cost(champion, 1 << champion)
        tail = 1 << champion
        for out in reversed(order):
            tail |= 1 << out
            cheapest = min(cheapest, self.cost(out, tail))
        return cheapest

    def covers(self, assertions: Sequence[Assertion]) -> bool:
        """Whether ``assertions`` contradict every order that does not end with the winner: no
        path of tails from a root to a whole order meets none of them where it is new."""
        beats = [0] * self.k  # NEB(c, l): new at a tail headed by c holding l
        beaten = [0] * self.k  # NEB(w, c): new at a tail headed by c without w
        nen = set()
        for a in assertions:
            if a.continuing:
                nen.add((a.winner, a.continuing))
            else:
                beats[a.winner] |= 1 << a.loser
                beaten[a.loser] |= 1 << a.winner
        known: dict[int, bool] = {}

        def closed(mask: int) -> bool:
            if mask == self.full:
                return False
            if mask not in known:
                known[mask] = all(
                    beats[c] & tail or beaten[c] & ~tail or (c, tail) in nen or closed(tail)
                    for c in self._heads(mask) for tail in (mask | 1 << c,))
            return known[mask]

        return closed(0)

    def trim(self, assertions: list[Assertion]) -> list[Assertion]:
        """``assertions`` without those the others make redundant, tried hardest first (the
        search takes, on each path, the first assertion easy enough, so some cover orders that
        others already contradict)."""
        kept = sorted(assertions, key=lambda a: (-a.difficulty, a.margin))
        for a in list(kept):
            rest = [b for b in kept if b is not a]
            if rest and self.covers(rest):
                kept = rest
        return kept

    def run(self) -> Result:
        self.bound = max(self._forced(c) for c in range(self.k) if c != self.winner)
        self.explore(0, math.inf)
        chosen: dict[tuple[int, int, int], Assertion] = {}
        self.gather(0, chosen, set())
        found = list(chosen.values())
        if len(found) <= TRIM_UP_TO:
            found = self.trim(found)
        ordered = sorted(found, key=lambda a: (a.kind, -a.difficulty, a.winner, a.loser,
                                               a.continuing))
        return Result(self.winner, self.bound, ordered)


def solve(contest: Contest, audit: Audit = Audit(), source: str | None = None) -> Result:
    """RAIRE's assertions for ``contest`` and the least difficulty any assertion set can have.

    Raises:
        ValidationError: fewer than two candidates, a winner that depends on how a tie is broken,
            or a declared winner the count does not elect (naming both).
    """
    k = len(contest.candidates)
    if not 2 <= k <= MAX_CANDIDATES:
        raise ValidationError([Problem("candidates", f"{k} candidates: RAIRE here audits 2 to "
                                       f"{MAX_CANDIDATES}", source=source, field="candidates")])
    tallies = _Tallies(contest)
    elected = irv_winners(contest, tallies)
    names = contest.candidates
    if len(elected) > 1:
        raise ValidationError([Problem(
            "tie_decides", "the IRV winner depends on how a tie is broken: "
            + " or ".join(sorted(names[c] for c in elected)), source=source, field="votes")])
    (winner,) = elected
    if contest.winner is not None and contest.winner != winner:
        raise ValidationError([Problem(
            "wrong_winner", f"the declared winner {names[contest.winner]} is not the IRV "
            f"winner {names[winner]}", source=source, field="winner")])
    return _Search(contest, audit, winner, tallies).run()


def document(contest: Contest, result: Result, audit: Audit) -> dict[str, object]:
    """The ``electoral rla raire`` keys: ``winner``, ``difficulty``, ``margin``, ``assertions``
    (each ``type``, ``winner``, ``loser``, ``margin``, ``difficulty``; NEN also
    ``continuing``), with the audit's settings and the ballots read."""
    names = contest.candidates
    total = audit.total if audit.total is not None else contest.total

    def entry(a: Assertion) -> dict[str, object]:
        item: dict[str, object] = {"type": a.kind, "winner": names[a.winner],
                                   "loser": names[a.loser], "margin": a.margin,
                                   "difficulty": a.difficulty}
        if a.continuing:
            item["continuing"] = [names[c] for c in _members(a.continuing, len(names))]
        return item

    return {"winner": names[result.winner], "candidates": list(names),
            "ballots": contest.total, "audit": audit.kind.value, "risk_limit": audit.risk_limit,
            "gamma": audit.gamma, "total_auditable_ballots": total,
            "difficulty": result.difficulty, "margin": result.margin,
            "assertions": [entry(a) for a in result.assertions]}


# ---- raire-rs problem files ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RaireProblem:
    """A RAIRE problem file: the contest and the audit settings it names (None: not named)."""

    contest: Contest
    kind: AuditType | None
    risk_limit: float | None
    gamma: float | None
    total: int | None


def _bad(source: str, where: str, message: str) -> ValidationError:
    return ValidationError([Problem("bad_raire_problem", message, source=source, field=where)])


def _whole(value: object, source: str, where: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise _bad(source, where, f"{value!r} is not a whole number ≥ {low}")
    return value


def _number(value: object, source: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(source, where, f"{value!r} is not a number")
    return float(value)


def looks_like_problem(data: bytes) -> bool:
    """Whether ``data`` is a JSON object with RAIRE's ``votes`` and ``num_candidates`` keys."""
    try:
        found = json.loads(data)
    except ValueError:
        return False
    return isinstance(found, dict) and "votes" in found and "num_candidates" in found


def read_problem(data: bytes, source: str) -> RaireProblem:
    """A raire-rs problem: ``{"metadata": {"candidates": [...]}, "num_candidates": k, "votes":
    [{"n": count, "prefs": [indices]}], "winner": i, "audit": {"type", "confidence",
    "error_inflation_factor", "total_auditable_ballots"}}``; ``metadata``, ``winner`` and
    ``audit`` are optional (no names: indices as text). A preference list repeating a
    candidate keeps its first place.

    Raises:
        ValidationError: not JSON, or a missing or malformed field (the file and the field's path,
            e.g. ``votes[3].prefs[1]``).
    """
    try:
        found = json.loads(data)
    except ValueError as exc:
        raise _bad(source, "", f"not JSON: {exc}") from None
    if not isinstance(found, dict):
        raise _bad(source, "", "a RAIRE problem is a JSON object")
    k = _whole(found.get("num_candidates"), source, "num_candidates", 1)
    metadata = found.get("metadata") or {}
    names = metadata.get("candidates") if isinstance(metadata, dict) else None
    if names is None:
        names = [str(i) for i in range(k)]
    if not isinstance(names, list) or len(names) != k or not all(isinstance(n, str) for n in names):
        raise _bad(source, "metadata.candidates", f"must list {k} names (num_candidates)")
    if len(set(names)) != k:
        raise _bad(source, "metadata.candidates", "a name is given twice")
    votes = found.get("votes")
    if not isinstance(votes, list):
        raise _bad(source, "votes", "must be a list of {\"n\", \"prefs\"}")
    groups: dict[tuple[int, ...], int] = {}
    for i, vote in enumerate(votes):
        if not isinstance(vote, dict):
            raise _bad(source, f"votes[{i}]", "must be an object {\"n\", \"prefs\"}")
        n = _whole(vote.get("n"), source, f"votes[{i}].n")
        prefs = vote.get("prefs")
        if not isinstance(prefs, list):
            raise _bad(source, f"votes[{i}].prefs", "must be a list of candidate indices")
        ranking: list[int] = []
        for j, c in enumerate(prefs):
            if _whole(c, source, f"votes[{i}].prefs[{j}]") >= k:
                raise _bad(source, f"votes[{i}].prefs[{j}]", f"{c} is not a candidate index "
                           f"(0…{k - 1})")
            if c not in ranking:
                ranking.append(c)
        if n:
            groups[tuple(ranking)] = groups.get(tuple(ranking), 0) + n
    winner = found.get("winner")
    if winner is not None and _whole(winner, source, "winner") >= k:
        raise _bad(source, "winner", f"{winner} is not a candidate index (0…{k - 1})")
    audit = found.get("audit") or {}
    if not isinstance(audit, dict):
        raise _bad(source, "audit", "must be an object")
    kind = None
    if "type" in audit:
        kind = _FILE_TYPES.get(str(audit["type"]))
        if kind is None:
            raise _bad(source, "audit.type", f"unknown audit type {audit['type']!r} (choose from "
                       f"{', '.join(_FILE_TYPES)})")
    risk = _number(audit["confidence"], source, "audit.confidence") if "confidence" in audit \
        else None
    gamma = _number(audit["error_inflation_factor"], source, "audit.error_inflation_factor") \
        if "error_inflation_factor" in audit else None
    total = _whole(audit["total_auditable_ballots"], source, "audit.total_auditable_ballots", 1) \
        if "total_auditable_ballots" in audit else None
    contest = Contest(tuple(names), tuple(groups), tuple(groups.values()), winner)
    return RaireProblem(contest, kind, risk, gamma, total)


def contest_of(candidates: Sequence[str], rankings: Mapping[tuple[int, ...], int],
               winner: str | None = None, source: str | None = None) -> Contest:
    """A ``Contest`` from candidate names and counted preference lists; ``winner`` by name.

    Raises:
        ValidationError: ``winner`` is not a candidate.
    """
    declared = None
    if winner is not None:
        if winner not in candidates:
            raise ValidationError([Problem("unknown_winner", f"the declared winner {winner} is not "
                                           f"a candidate ({', '.join(candidates)})",
                                           source=source, field="winner")])
        declared = list(candidates).index(winner)
    kept = {r: n for r, n in rankings.items() if n}
    return Contest(tuple(candidates), tuple(kept), tuple(kept.values()), declared)
