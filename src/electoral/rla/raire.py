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
    """``tally_S`` for bit sets S, memoised; ballots as a padded matrix of candidate indices."""

    def __init__(self, contest: Contest):
        self.k = len(contest.candidates)
        width = max((len(b) for b in contest.ballots), default=0)
        matrix = np.full((len(contest.ballots), max(width, 1)), self.k, dtype=np.int32)
        for row, ballot in enumerate(contest.ballots):
            matrix[row, :len(ballot)] = ballot
        self.matrix = matrix
        self.counts = np.asarray(contest.counts, dtype=np.int64)
        self.rows = np.arange(len(contest.ballots))
        self.memo: dict[int, np.ndarray] = {}

    def of(self, mask: int) -> np.ndarray:
        """Each candidate's tally among ``mask`` (0 outside it), as int64."""
        found = self.memo.get(mask)
        if found is None:
            inside = np.zeros(self.k + 1, dtype=bool)  # index k pads short ballots
            for c in range(self.k):
                inside[c] = bool(mask >> c & 1)
            where = inside[self.matrix]
            has = where.any(axis=1)
            first = self.matrix[self.rows, where.argmax(axis=1)]
            found = np.bincount(first[has], weights=self.counts[has], minlength=self.k + 1)
            found = np.rint(found[:self.k]).astype(np.int64)
            self.memo[mask] = found
        return found


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
    """The search of the module docstring over one contest."""

    def __init__(self, contest: Contest, audit: Audit, winner: int, tallies: _Tallies):
        self.k = len(contest.candidates)
        self.audit = audit
        self.total = audit.total if audit.total is not None else contest.total
        self.winner = winner
        self.tallies = tallies
        first = tallies.of((1 << self.k) - 1)
        self.neb: list[list[Assertion]] = [[self._assert(w, l_, 0, int(first[w]),
                                                         int(tallies.of(1 << w | 1 << l_)[l_]))
                                            for l_ in range(self.k)] for w in range(self.k)]
        self.memo: dict[tuple[int, ...], Assertion | None] = {}
        self.bound = 0.0

    def _assert(self, w: int, l_: int, mask: int, w_tally: int, l_tally: int) -> Assertion:
        return Assertion(w, l_, mask, w_tally, l_tally,
                         self.audit.difficulty(w_tally, l_tally, self.total))

    def new(self, tail: tuple[int, ...]) -> Assertion | None:
        """The cheapest assertion new at ``tail`` (None: none is finite)."""
        if tail in self.memo:
            return self.memo[tail]
        head, rest = tail[0], tail[1:]
        mask = 0
        for c in tail:
            mask |= 1 << c
        options = [self.neb[head][l_] for l_ in rest]
        options += [self.neb[w][head] for w in range(self.k) if not mask >> w & 1]
        if rest:
            tally = self.tallies.of(mask)
            options += [self._assert(head, l_, mask, int(tally[head]), int(tally[l_]))
                        for l_ in rest]
        best = min(options, key=lambda a: (a.difficulty, -a.margin), default=None)
        best = best if best is not None and best.difficulty < math.inf else None
        self.memo[tail] = best
        return best

    def _cost(self, tail: tuple[int, ...]) -> float:
        found = self.new(tail)
        return math.inf if found is None else found.difficulty

    def _children(self, tail: tuple[int, ...]) -> list[tuple[int, ...]]:
        kids = [(c, *tail) for c in range(self.k) if c not in tail]
        return sorted(kids, key=self._cost, reverse=True)  # hardest first: the bound rises fast

    def _explore(self, tail: tuple[int, ...], path_min: float) -> None:
        cost = self._cost(tail)
        if cost <= self.bound:
            return  # every order below has an assertion no harder than the bound
        floor = min(path_min, cost)
        if len(tail) == self.k:
            self.bound = max(self.bound, floor)
            return
        for child in self._children(tail):
            self._explore(child, floor)

    def _gather(self, tail: tuple[int, ...], chosen: dict[tuple[int, int, int], Assertion]) -> None:
        found = self.new(tail)
        if found is not None and found.difficulty <= self.bound:
            chosen[(found.winner, found.loser, found.continuing)] = found
            return
        for child in self._children(tail):
            self._gather(child, chosen)

    def run(self) -> Result:
        roots = sorted(((c,) for c in range(self.k) if c != self.winner), key=self._cost,
                       reverse=True)
        for root in roots:
            self._explore(root, math.inf)
        chosen: dict[tuple[int, int, int], Assertion] = {}
        for root in roots:
            self._gather(root, chosen)
        ordered = sorted(chosen.values(), key=lambda a: (a.kind, -a.difficulty, a.winner,
                                                          a.loser, a.continuing))
        return Result(self.winner, self.bound, ordered)


def solve(contest: Contest, audit: Audit = Audit(), source: str | None = None) -> Result:
    """RAIRE's assertions for ``contest`` and the least difficulty any assertion set can have.

    Raises:
        ValidationError: fewer than two candidates, a winner that depends on how a tie is broken,
            or a declared winner the count does not elect (naming both).
    """
    k = len(contest.candidates)
    if k < 2:
        raise ValidationError([Problem("too_few_candidates", "an IRV audit needs at least two "
                                       "candidates", source=source, field="candidates")])
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
