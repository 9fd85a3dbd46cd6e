"""Ballot-comparison audits: Stark's Kaplan–Markov bound and the "Super-Simple" sample size.

Each sampled ballot's cast vote record is compared with the ballot; a discrepancy overstates or
understates the reported margin by one or two votes. With ``μ`` the contest's smallest diluted
margin and ``γ > 1`` the error inflation factor, the Kaplan–Markov P-value after ``n`` ballots with
``o1``, ``o2`` one- and two-vote overstatements and ``u1``, ``u2`` understatements is

    p = min(1, (1 − μ/2γ)ⁿ · (1 − 1/2γ)^−o1 · (1 − 1/γ)^−o2 · (1 + 1/2γ)^−u1 · (1 + 1/γ)^−u2)

(Stark 2009, "Risk-limiting post-election audits: P-values from common probability inequalities",
IEEE TIFS 4(4), the Kaplan–Markov bound; Stark 2010, "Super-Simple Simultaneous Single-Ballot
Risk-Limiting Audits", EVT/WOTE '10, for γ and the size; Lindeman and Stark 2012, "A gentle
introduction to risk-limiting audits", §"Ballot-level comparison audits"). The audit stops once
``p ≤ α``; ``nmin`` is the smallest ``n`` with that, for given discrepancy counts. Planning from
expected discrepancy rates uses the rates Arlo assumes by default (0.001 and 0.0001 per ballot).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from electoral.errors import Problem, ValidationError

GAMMA = 1.03905  # Stark (2010)'s error inflation factor, the default of Arlo and rlacalc
DEFAULT_RATES = (0.001, 0.0001, 0.001, 0.0001)  # o1, o2, u1, u2 per ballot (Arlo's defaults)


@dataclass(frozen=True, slots=True)
class Discrepancies:
    """Counts of one-vote and two-vote overstatements (``o1``, ``o2``) and understatements
    (``u1``, ``u2``) among the sampled ballots."""

    o1: int = 0
    o2: int = 0
    u1: int = 0
    u2: int = 0

    def total(self) -> int:
        return self.o1 + self.o2 + self.u1 + self.u2

    def as_list(self) -> list[int]:
        return [self.o1, self.o2, self.u1, self.u2]


def parse_discrepancies(text: str) -> Discrepancies:
    """``o1,o2,u1,u2`` as ``Discrepancies``.

    Raises:
        ValidationError: not four whole numbers ≥ 0.
    """
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 4 or not all(p.isascii() and p.isdigit() for p in parts):
        raise ValidationError([Problem("bad_discrepancies", f"{text!r} is not four whole numbers "
                                       "o1,o2,u1,u2", field="discrepancies")])
    return Discrepancies(*(int(p) for p in parts))


def parse_rates(text: str) -> tuple[float, float, float, float]:
    """``r1,r2,s1,s2`` expected rates per ballot.

    Raises:
        ValidationError: not four numbers in [0, 1).
    """
    try:
        rates = tuple(float(part) for part in text.split(","))
    except ValueError:
        rates = ()
    if len(rates) != 4 or not all(0 <= r < 1 for r in rates):
        raise ValidationError([Problem("bad_rates", f"{text!r} is not four rates r1,r2,s1,s2 in "
                                       "[0, 1)", field="rates")])
    return rates[0], rates[1], rates[2], rates[3]


def _log_factors(gamma: float) -> tuple[float, float, float, float]:
    return (math.log(1 - 1 / (2 * gamma)), math.log(1 - 1 / gamma),
            math.log(1 + 1 / (2 * gamma)), math.log(1 + 1 / gamma))


def _check(margin: Fraction, gamma: float) -> None:
    problems = []
    if not gamma > 1:  # at γ = 1 one two-vote overstatement makes the bound infinite
        problems.append(Problem("bad_gamma", f"γ {gamma} must be above 1", field="gamma"))
    if margin <= 0:
        problems.append(Problem("no_margin", "the reported winners do not lead every loser",
                                field="tally"))
    if problems:
        raise ValidationError(problems)


def nmin(margin: Fraction, alpha: float, found: Discrepancies, gamma: float = GAMMA) -> int:
    """Stark's (2010) stopping size for ``found`` discrepancies at risk limit ``alpha``:
    ``max(o1+o2+u1+u2, ⌈−2γ·[ln α + Σ count·ln factor] / μ⌉)``. It bounds ``(1 − μ/2γ)ⁿ`` by
    ``exp(−nμ/2γ)``, so it is the size the published tools give and never below the exact
    Kaplan–Markov stopping size.

    Raises:
        ValidationError: ``gamma`` not above 1, or a margin ≤ 0 (then only a full hand count serves).
    """
    _check(margin, gamma)
    logs = _log_factors(gamma)
    counts = found.as_list()
    weighted = sum(c * lf for c, lf in zip(counts, logs, strict=True) if c)
    return max(found.total(), math.ceil(-2 * gamma * (math.log(alpha) + weighted) / float(margin)))


@dataclass(frozen=True, slots=True)
class ComparisonPlan:
    """A ballot-comparison plan: ``sample_size`` ballots, the discrepancy counts it allows for,
    and ``full_hand_count`` when no sample can confirm the outcome."""

    sample_size: int
    expected: Discrepancies
    full_hand_count: bool
    gamma: float
    margin: Fraction


def plan(margin: Fraction, ballots: int, alpha: float, *, gamma: float = GAMMA,
         rates: Sequence[float] = DEFAULT_RATES, found: Discrepancies | None = None
         ) -> ComparisonPlan:
    """Super-Simple's sample size at risk limit ``alpha`` for a contest of ``ballots`` ballots with
    smallest diluted margin ``margin``: from discrepancy counts ``found``, else from expected
    ``rates`` per ballot (o1, o2, u1, u2). From rates: ``D = ln(1 − μ/2γ) − Σ rate·ln factor``;
    ``D ≥ 0`` means a full hand count; ``n₀ = ⌈ln α / D⌉``; the expected counts ``⌈r1·n₀⌉``,
    ``r2·n₀`` rounded half up, ``⌈s1·n₀⌉``, ``s2·n₀`` rounded half up; the size is ``nmin`` of them
    (Stark 2010; Arlo's rounding of the expected counts).

    Raises:
        ValidationError: as ``nmin``.
    """
    _check(margin, gamma)
    if found is None:
        logs = _log_factors(gamma)
        drift = math.log(1 - float(margin) / (2 * gamma)) - sum(
            r * lf for r, lf in zip(rates, logs, strict=True) if r)
        if drift >= 0:
            return ComparisonPlan(ballots, Discrepancies(), True, gamma, margin)
        first = math.ceil(math.log(alpha) / drift)
        found = Discrepancies(math.ceil(rates[0] * first), math.floor(rates[1] * first + 0.5),
                              math.ceil(rates[2] * first), math.floor(rates[3] * first + 0.5))
    size = nmin(margin, alpha, found, gamma)
    if size >= ballots:
        return ComparisonPlan(ballots, found, True, gamma, margin)
    return ComparisonPlan(size, found, False, gamma, margin)


def p_value(margin: Fraction, sampled: int, found: Discrepancies, gamma: float = GAMMA) -> float:
    """The Kaplan–Markov P-value after ``sampled`` ballots with ``found`` discrepancies (Stark
    2009), at most 1; computed in logs so large samples neither underflow nor overflow.

    Raises:
        ValidationError: as ``nmin``, or fewer ballots sampled than discrepancies counted.
    """
    _check(margin, gamma)
    if sampled < found.total():
        raise ValidationError([Problem("too_few_sampled", f"{found.total()} discrepancies among "
                                       f"{sampled} ballots", field="sample-size")])
    logs = _log_factors(gamma)
    log_p = sampled * math.log(1 - float(margin) / (2 * gamma)) - sum(
        c * lf for c, lf in zip(found.as_list(), logs, strict=True) if c)
    return 1.0 if log_p >= 0 else math.exp(log_p)
