"""The planner comparison: ballot polling, ballot comparison and batch comparison side by side for
every contest, and the curves of sample size against margin that the chart draws.

Each contest's figures are exactly those ``electoral rla plan`` gives for the same inputs (this
module calls ``audit.plan`` and ``audit.batches``; nothing is recomputed another way):

- BRAVO ballot polling (Lindeman, Stark and Yates 2012): the ASN and the size that ends the audit
  in round one with 90 % chance; ``sample_size`` as ``rla plan`` (the 90 % size, else the ASN);
- Minerva ballot polling (Zagórski et al. 2020): the 90 % round-one size;
- SuperSimple ballot comparison (Stark 2010) at γ and the expected discrepancy rates;
- MACRO batch comparison (Stark 2008), where the contest has batches: the batches to draw (PPEB,
  with replacement) and the expected distinct batches and ballots they send to a hand count
  (``macro.expected_ballots``), the work the other methods' ballot counts compare with.

"full hand count" (``full_hand_count`` true, every ballot or batch) where no sample can confirm
the outcome, by the rules of ``shared/cases/audit/README.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from electoral.errors import Problem, ValidationError
from electoral.rla import comparison, macro
from electoral.rla.audit import Method, batches, check_risk_limit, plan
from electoral.rla.contest import Contest, make_contest

#: The methods of a comparison row, in column order.
METHODS = ("bravo", "minerva", "supersimple", "macro")


@dataclass(frozen=True, slots=True)
class Planned:
    """One contest to plan: its reported votes, the level it is (``state``, ``county``, or
    ``contest`` for a tally or a batch file's contest), where its ballots come from (``ballots
    cast`` when the returns say, ``given`` on the command line, ``votes counted`` when neither does
    and the votes stand in for them, which understates undervotes) and its batches, if any."""

    contest: Contest
    level: str
    ballots_from: str
    batches: Mapping[str, macro.BatchCount] | None = None
    batch_level: str | None = None


@dataclass(frozen=True, slots=True)
class Size:
    """One method's plan for one contest. ``sample_size`` is ballots (MACRO: batches drawn); the
    polling methods' ``round_one_90`` the 90 % round-one size; MACRO's ``expected_batches`` and
    ``expected_ballots`` the expected distinct batches and ballots to hand count."""

    sample_size: int
    full_hand_count: bool
    asn: int | None = None
    round_one_90: int | None = None
    expected_batches: float | None = None
    expected_ballots: int | None = None

    def ballots(self, contest_ballots: int) -> int:
        """The ballots this plan sends to people: every one on a full hand count, MACRO's
        expected ballots, else the sample size."""
        if self.full_hand_count:
            return contest_ballots
        return self.sample_size if self.expected_ballots is None else self.expected_ballots


@dataclass(frozen=True, slots=True)
class Row:
    """A contest's side-by-side plans (``macro`` None without batches)."""

    planned: Planned
    bravo: Size
    minerva: Size
    supersimple: Size
    macro: Size | None

    @property
    def name(self) -> str:
        return self.planned.contest.name

    @property
    def margin(self) -> Fraction:
        """The smallest diluted margin over winner–loser pairs (0 when tied)."""
        contest = self.planned.contest
        return Fraction(0) if contest.tied() else contest.margin()

    def sizes(self) -> dict[str, Size]:
        found = {"bravo": self.bravo, "minerva": self.minerva, "supersimple": self.supersimple}
        return found if self.macro is None else {**found, "macro": self.macro}

    def fewest(self) -> str | None:
        """The method that hands people the fewest ballots (None when every one is a full hand
        count); the first in column order on a tie."""
        ballots = self.planned.contest.ballots
        open_ = {m: s.ballots(ballots) for m, s in self.sizes().items() if not s.full_hand_count}
        return min(open_, key=lambda m: open_[m]) if open_ else None

    def to_json(self) -> dict[str, object]:
        contest = self.planned.contest
        winners = [name for name, _ in contest.ranked()[:contest.winners]]
        return {"name": contest.name, "level": self.planned.level, "ballots": contest.ballots,
                "ballots_from": self.planned.ballots_from, "reported_winners": winners,
                "votes": dict(contest.votes), "margin": float(self.margin),
                "batches": None if self.planned.batches is None else len(self.planned.batches),
                "batch_level": self.planned.batch_level,
                **{m: None if s is None else _size_json(m, s)
                   for m, s in (("bravo", self.bravo), ("minerva", self.minerva),
                                ("supersimple", self.supersimple), ("macro", self.macro))},
                "fewest_ballots": self.fewest()}


def _size_json(method: str, size: Size) -> dict[str, object]:
    found: dict[str, object] = {"sample_size": size.sample_size,
                                "full_hand_count": size.full_hand_count}
    if method == "bravo":
        found["asn"] = size.asn
    if method in ("bravo", "minerva"):
        found["round_one_90"] = size.round_one_90
    if method == "macro":
        found |= {"expected_batches": size.expected_batches,
                  "expected_ballots": size.expected_ballots}
    return found


@dataclass(frozen=True, slots=True)
class Comparison:
    """Every contest's row at one risk limit, γ and set of expected discrepancy rates; ``source``
    names what was planned (an election id, a file, "tally"); ``skipped`` the contests left out
    and why."""

    risk_limit: float
    gamma: float
    rates: tuple[float, float, float, float]
    source: str
    rows: tuple[Row, ...]
    skipped: tuple[tuple[str, str], ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        return {"source": self.source, "risk_limit": self.risk_limit, "gamma": self.gamma,
                "rates": dict(zip(("o1", "o2", "u1", "u2"), self.rates, strict=True)),
                "contests": [row.to_json() for row in self.rows],
                "skipped": [{"name": n, "reason": r} for n, r in self.skipped]}


def _quantile(document: Mapping[str, object], key: str = "0.9") -> int | None:
    quantiles = document.get("quantiles")
    return int(quantiles[key]) if isinstance(quantiles, dict) else None


def _int(value: object) -> int:
    if not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


def plan_row(planned: Planned, alpha: float, *, gamma: float = comparison.GAMMA,
             rates: Sequence[float] = comparison.DEFAULT_RATES) -> Row:
    """One contest's row: ``audit.plan`` for BRAVO, Minerva and SuperSimple, ``audit.batches`` for
    MACRO (when ``planned`` has batches), so each figure is the one ``rla plan`` prints.

    Raises:
        ValidationError: a risk limit outside (0, 1), or γ not above 1.
    """
    contest = planned.contest
    polled = plan(Method.BRAVO, contest, alpha)
    bravo = Size(_int(polled["sample_size"]), bool(polled["full_hand_count"]),
                 asn=polled["asn"] if isinstance(polled["asn"], int) else None,
                 round_one_90=_quantile(polled))
    minerva_plan = plan(Method.MINERVA, contest, alpha)
    minerva = Size(_int(minerva_plan["sample_size"]), bool(minerva_plan["full_hand_count"]),
                   round_one_90=_quantile(minerva_plan))
    compared = plan(Method.SUPERSIMPLE, contest, alpha, gamma=gamma, rates=rates)
    supersimple = Size(_int(compared["sample_size"]), bool(compared["full_hand_count"]))
    return Row(planned, bravo, minerva, supersimple, _macro(planned, alpha))


def _macro(planned: Planned, alpha: float) -> Size | None:
    if planned.batches is None:
        return None
    contest = planned.contest
    document = batches({contest.name: dict(planned.batches)}, alpha, contest=contest.name,
                       winners=contest.winners)
    draws, full = _int(document["sample_size"]), bool(document["full_hand_count"])
    held = planned.batches
    if full:
        return Size(draws, True, expected_batches=float(len(held)),
                    expected_ballots=sum(c.ballots or 0 for c in held.values()))
    # the same totals audit.batches planned with: the batches' own sums
    found, _ = macro.contest_of({contest.name: dict(held)}, contest.name, contest.winners)
    expected, ballots = macro.expected_ballots(macro.error_bounds(found, held), held, draws)
    return Size(draws, False, expected_batches=expected, expected_ballots=math.ceil(ballots))


def compare(planned: Sequence[Planned], alpha: float, *, gamma: float = comparison.GAMMA,
            rates: Sequence[float] = comparison.DEFAULT_RATES, source: str = "tally",
            skipped: Sequence[tuple[str, str]] = ()) -> Comparison:
    """The comparison of every contest in ``planned`` at risk limit ``alpha``.

    Raises:
        ValidationError: a risk limit outside (0, 1), or γ not above 1.
    """
    check_risk_limit(alpha)
    rows = tuple(plan_row(p, alpha, gamma=gamma, rates=rates) for p in planned)
    r1, r2, s1, s2 = rates
    return Comparison(alpha, gamma, (r1, r2, s1, s2), source, rows, tuple(skipped))


def from_batch_file(batch_file: macro.Batches, winners: int = 1) -> list[Planned]:
    """Every contest of a MACRO batch file, its totals and ballots summed over its batches.

    Raises:
        ValidationError: a file without contests, or as ``make_contest`` (fewer than two
            candidates, bad winners).
    """
    if not batch_file:
        raise ValidationError([Problem("no_contests", "the batch file holds no contest",
                                       field="batches")])
    found = []
    for name in batch_file:
        contest, held = macro.contest_of(batch_file, name, winners)
        found.append(Planned(contest, "contest", "batch file", held, "batch"))
    return found


# ---- the chart's curves ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Curve:
    """One method's sizes against the diluted margin for a two-candidate contest of ``ballots``
    ballots: ``points`` (margin, ballots to audit, full hand count), margins increasing."""

    method: str
    points: tuple[tuple[float, int, bool], ...]


def curves(alpha: float, ballots: int, *, batch_ballots: int | None = None,
           gamma: float = comparison.GAMMA, rates: Sequence[float] = comparison.DEFAULT_RATES,
           lowest: float = 0.001, steps: int = 40) -> list[Curve]:
    """Sizes at risk limit ``alpha`` over margins from ``lowest`` to 1, spaced evenly on a log
    scale, for a two-candidate contest of ``ballots`` ballots and no undervotes: BRAVO's 90 %
    round one (``plan``'s sample size), SuperSimple at ``gamma`` and ``rates``, and, with
    ``batch_ballots``, MACRO's expected ballots when the contest falls in equal batches of that
    many ballots, each with the contest's margin (then every ``u_p`` is equal and
    ``U = (V + N) / V``, Stark 2008). The margin ``μ`` becomes ``d = max(1, round(μ·N))`` votes,
    the winner ``⌊(N + d)/2⌋``, and the point's margin is ``d / N``, the one planned.

    Raises:
        ValidationError: a risk limit outside (0, 1), or γ not above 1.
    """
    check_risk_limit(alpha)
    margins = sorted({max(1, round(ballots * lowest ** (1 - i / (steps - 1)))) for i in range(steps)})
    found: dict[str, list[tuple[float, int, bool]]] = {"bravo": [], "supersimple": [], "macro": []}
    for votes_apart in margins:
        winner = (ballots + votes_apart) // 2
        contest = make_contest({"winner": winner, "loser": winner - votes_apart}, ballots)
        x = votes_apart / ballots
        for method in (Method.BRAVO, Method.SUPERSIMPLE):
            made = plan(method, contest, alpha, gamma=gamma, rates=rates)
            found[method.value].append((x, _int(made["sample_size"]), bool(made["full_hand_count"])))
        if batch_ballots:
            found["macro"].append((x, *_uniform_batches(votes_apart, ballots, batch_ballots, alpha)))
    return [Curve(m, tuple(p)) for m, p in found.items() if p]


def _uniform_batches(votes_apart: int, ballots: int, batch_ballots: int,
                     alpha: float) -> tuple[int, bool]:
    count = max(1, -(-ballots // batch_ballots))
    draws = macro.first_round(Fraction(votes_apart + ballots, votes_apart), alpha)
    if draws >= count:
        return ballots, True
    # each of ``count`` equal batches is drawn with chance 1/count at every draw
    return math.ceil(ballots * (1 - (1 - 1 / count) ** draws)), False
