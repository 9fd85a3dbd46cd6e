"""Poll averages: the articles' "average of the last N polls", a weighted average with house effects,
and the margin of error of a share and of a lead.

Shares and margins are in percentage points; a margin (lead) is the Democrat's share minus the
Republican's. One question stands for each poll (``pick_question``). The weighted average, per
geography, as of a date:

    weight = recency × sample × pollster × volume × partisan        (each below, with its reason)
    house effect of a pollster = Σ (its poll's margin − the average) / (its polls + HOUSE_PRIOR_POLLS)
    average = Σ weight × (margin − house effect) / Σ weight
    standard error = √(Σ weight² × (sampling variance + τ²)) / Σ weight

τ² is the spread of the adjusted margins beyond what sampling explains (a moment estimate as in
DerSimonian & Laird, "Meta-analysis in clinical trials", 1986), zero when the polls agree within
sampling error. The interval is the uncertainty of the average of these polls, not of the result:
polls miss together (raw-polls' 2016 Pennsylvania, Michigan and Wisconsin polls averaged D+3 to D+5;
all three went R), which only a forecast's correlated errors can allow for. Averages use floats:
they are estimates, never counts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from electoral.model import Poll, PollQuestion, Population

__all__ = ["HouseEffect", "LastPolls", "PollAverages", "PollWeight", "StateAverage", "last_polls_average",
           "lead_margin_of_error", "pick_question", "poll_averages", "pollster_weight",
           "share_margin_of_error"]

DEM, REP = "democratic", "republican"  # electoral.parties' ids of the two parties averaged

#: Two-sided 95% quantile of the normal distribution: the confidence level pollsters publish.
Z95 = 1.959963984540054
#: Design effect assumed where a poll does not state one: weighting inflates a poll's variance by
#: 1.3–2.0 in published methodology statements (Pew Research Center's typically 1.3–1.6); 1.5 is
#: the middle of that range, an assumption, not a fit.
DESIGN_EFFECT = 1.5
#: A poll this many days older counts half as much: polls move with the campaign, and two weeks is
#: about the window of a state's last few polls in 538's 2020 file; chosen, not fit.
HALF_LIFE_DAYS = 14.0
#: Samples above this size get no more weight: the sampling error of 2,000 (±2.2 points on the
#: lead) is already well below polls' typical miss of the margin (4.3 points, the mean |error| of
#: the 2,500 state polls of 538's raw-polls.csv, 2000–2020), so a larger sample is not more right.
SAMPLE_CAP = 2000
#: A poll with no stated sample size weighs as one of 911, the median of 538's 2020 state file.
SAMPLE_UNSTATED = 911
#: Partisan-sponsored polls weigh half: they lean toward their sponsor (538's raw-polls shows it in
#: ``bias``), and a rare sponsor's lean is poorly estimated by its house effect.
PARTISAN_WEIGHT = 0.5
#: A house effect is shrunk toward zero as if the pollster had this many more polls agreeing with
#: the average: one or two polls say little about a pollster's lean (empirical-Bayes shrinkage).
HOUSE_PRIOR_POLLS = 3.0
#: Pollster weight from 538's letter grade (2020 schema): evenly spaced by rank from A+ (1.0) to
#: D- (0.3); an ordinal mapping chosen here, not fit. The 2022+ ``numeric_grade`` (0.5–3.0) maps
#: linearly onto the same range: grade / 3.
GRADE_WEIGHT = {g: round(1.0 - 0.05 * i, 2) for i, g in enumerate(
    ("A+", "A", "A-", "A/B", "B+", "B", "B-", "B/C", "C+", "C", "C-", "C/D", "D+", "D", "D-"))}
#: An unrated pollster weighs as a C: little track record, neither trusted nor dismissed.
UNRATED_WEIGHT = GRADE_WEIGHT["C"]
#: Populations preferred for a poll's one question: likely voters are who votes; "v" (voters, kind
#: unstated) is nearer the electorate than all adults.
POPULATION_ORDER = (Population.LV, Population.RV, Population.V, Population.A)


def share_margin_of_error(share: float, sample_size: float, design_effect: float = 1.0,
                          z: float = Z95) -> float:
    """The margin of error of one share, in points: z·√(deff·p(100−p)/n).

    ``share`` in percent (0–100), ``sample_size`` > 0. With ``share`` 50 it is the MoE pollsters
    publish. Source: Kish, *Survey Sampling* (1965), §2.2 and the design effect §8.2.

    Raises:
        ValueError: when ``sample_size`` or ``design_effect`` is not positive, or the share is
            outside 0–100.
    """
    _require(sample_size, design_effect, share)
    return z * math.sqrt(design_effect * share * (100 - share) / sample_size)


def lead_margin_of_error(first: float, second: float, sample_size: float, design_effect: float = 1.0,
                         z: float = Z95) -> float:
    """The margin of error of a lead (``first − second``, two shares of one sample), in points:
    z·√(deff·(100(p₁+p₂) − (p₁−p₂)²)/n) — about twice a share's MoE, not √2 times, because the two
    shares of one sample are negatively correlated.

    Source: Franklin, "The 'Margin of Error' for Differences in Polls" (ABC News, 2007); the
    multinomial covariance −p₁p₂/n.

    Raises:
        ValueError: when ``sample_size`` or ``design_effect`` is not positive, a share is outside
            0–100 or the two add up to more than 100.
    """
    _require(sample_size, design_effect, first, second, first + second)
    variance = 100 * (first + second) - (first - second) ** 2
    return z * math.sqrt(design_effect * variance / sample_size)


def _require(sample_size: float, design_effect: float, *shares: float) -> None:
    if sample_size <= 0 or design_effect <= 0:
        raise ValueError(f"a sample size ({sample_size}) and design effect ({design_effect}) are > 0")
    if any(not 0 <= s <= 100 for s in shares):
        raise ValueError(f"shares {shares} must lie between 0 and 100")


def pick_question(poll: Poll) -> PollQuestion | None:
    """The one question that stands for ``poll``: among those with both a Democratic and a
    Republican answer, the first population of ``POPULATION_ORDER``, then the most answers (the full
    field, as on the ballot), then the first in the file; ``None`` when no question has both."""
    both = [q for q in poll.questions if q.share(DEM) is not None and q.share(REP) is not None]
    if not both:
        return None
    return min(both, key=lambda q: (POPULATION_ORDER.index(q.population), -len(q.answers),
                                    poll.questions.index(q)))


@dataclass(frozen=True, slots=True)
class LastPolls:
    """The articles' average of the last polls: the ``polls`` used (ids, newest first) and the
    plain means of their Democratic and Republican shares and of the margin, in points."""

    geography: str
    polls: tuple[str, ...]
    democratic: Decimal
    republican: Decimal

    @property
    def margin(self) -> Decimal:
        return self.democratic - self.republican


def last_polls_average(polls: Iterable[Poll], geography: str, count: int = 3) -> LastPolls:
    """The plain mean of the last ``count`` polls of ``geography`` ("the final 3 polls averaged"),
    newest by end date, then start date, then poll id; exact (``Decimal``) means of the shares.

    Raises:
        ValueError: when ``count`` < 1 or ``geography`` has no poll with both parties' shares.
    """
    if count < 1:
        raise ValueError(f"an average of {count} polls")
    picked = [(p, q) for p in polls if p.geography == geography and (q := pick_question(p))]
    if not picked:
        raise ValueError(f"no poll of {geography} has both a Democratic and a Republican share")
    picked.sort(key=lambda pq: (pq[0].end, pq[0].start, pq[0].id), reverse=True)
    last = picked[:count]
    dem = sum((q.share(DEM) or Decimal(0) for _p, q in last), Decimal(0)) / len(last)
    rep = sum((q.share(REP) or Decimal(0) for _p, q in last), Decimal(0)) / len(last)
    return LastPolls(geography, tuple(p.id for p, _q in last), dem, rep)


@dataclass(frozen=True, slots=True)
class PollWeight:
    """One poll in a weighted average: its margin as polled and after its pollster's house effect,
    and its share of the total ``weight`` (the weights of one average add up to 1)."""

    poll: str
    pollster: str
    end: dt.date
    population: Population
    sample_size: float | None
    margin: float
    adjusted: float
    weight: float


@dataclass(frozen=True, slots=True)
class StateAverage:
    """One geography's weighted average as of ``as_of``: shares and margin in points, the margin's
    standard error, its 95% interval, the number of polls and their effective number
    ((Σw)²/Σw², Kish), and each poll's weight."""

    geography: str
    as_of: dt.date
    democratic: float
    republican: float
    margin: float
    margin_se: float
    polls: int
    effective_polls: float
    weights: tuple[PollWeight, ...]

    @property
    def interval(self) -> tuple[float, float]:
        return self.margin - Z95 * self.margin_se, self.margin + Z95 * self.margin_se

    @property
    def undecided(self) -> float:
        """The points of the average for neither major party (undecided, other candidates),
        0–100."""
        return max(100.0 - self.democratic - self.republican, 0.0)


@dataclass(frozen=True, slots=True)
class HouseEffect:
    """A pollster's lean: how far its margins run from the averages (points, + toward the
    Democrat), after shrinkage, over ``polls`` polls."""

    pollster: str
    polls: int
    effect: float


@dataclass(frozen=True, slots=True)
class PollAverages:
    """Every geography's average (by geography code) and every pollster's house effect (largest
    lean first)."""

    as_of: dt.date
    states: tuple[StateAverage, ...]
    house_effects: tuple[HouseEffect, ...]


@dataclass(frozen=True, slots=True)
class _Entry:
    poll: Poll
    question: PollQuestion
    weight: float  # before house effects; not normalised

    @property
    def margin(self) -> float:
        return float((self.question.share(DEM) or 0) - (self.question.share(REP) or 0))

    @property
    def variance(self) -> float:
        """The sampling variance of the margin (points²), with ``DESIGN_EFFECT``."""
        dem, rep = float(self.question.share(DEM) or 0), float(self.question.share(REP) or 0)
        n = float(self.question.sample_size or SAMPLE_UNSTATED)
        return (lead_margin_of_error(dem, rep, n, DESIGN_EFFECT) / Z95) ** 2


def pollster_weight(poll: Poll) -> float:
    """The weight of a poll's pollster from its 538 rating (``GRADE_WEIGHT``, ``UNRATED_WEIGHT``)."""
    numeric = poll.pollster.numeric_grade
    if numeric is not None:
        return min(max(float(numeric) / 3, 0.0), 1.0)
    return GRADE_WEIGHT.get(poll.pollster.grade or "", UNRATED_WEIGHT)


def _entries(polls: Sequence[Poll], as_of: dt.date) -> list[_Entry]:
    picked = [(p, q) for p in polls if p.end <= as_of and (q := pick_question(p))]
    volume = Counter((p.geography, p.pollster.id) for p, _q in picked)
    entries = []
    for poll, question in picked:
        n = min(float(question.sample_size or SAMPLE_UNSTATED), SAMPLE_CAP)
        weight = (0.5 ** ((as_of - poll.end).days / HALF_LIFE_DAYS) * math.sqrt(n)
                  * pollster_weight(poll) / math.sqrt(volume[poll.geography, poll.pollster.id])
                  * (PARTISAN_WEIGHT if poll.partisan or poll.internal else 1.0))
        entries.append(_Entry(poll, question, weight))
    return entries


def poll_averages(polls: Sequence[Poll], as_of: dt.date | None = None) -> PollAverages:
    """Each geography's weighted poll average and each pollster's house effect, from the polls
    ending on or before ``as_of`` (default: the last end date among ``polls``).

    Weights and constants as this module's docstring and constants state. A pollster's volume in a
    geography (k polls) divides each of its polls' weights by √k, so that one frequent pollster does
    not make the average its own.

    Raises:
        ValueError: when no poll (ending by ``as_of``) has both a Democratic and a Republican share.
    """
    day = as_of or max((p.end for p in polls), default=dt.date.min)
    entries = _entries(polls, day)
    if not entries:
        raise ValueError(f"no poll ending by {day} has both a Democratic and a Republican share")
    by_geography: dict[str, list[_Entry]] = defaultdict(list)
    for entry in entries:
        by_geography[entry.poll.geography].append(entry)
    plain = {g: _mean([e.margin for e in es], [e.weight for e in es]) for g, es in by_geography.items()}
    residuals: dict[str, list[float]] = defaultdict(list)
    names: dict[str, str] = {}
    for entry in entries:
        residuals[entry.poll.pollster.id].append(entry.margin - plain[entry.poll.geography])
        names[entry.poll.pollster.id] = entry.poll.pollster.name
    house = {p: sum(r) / (len(r) + HOUSE_PRIOR_POLLS) for p, r in residuals.items()}
    states = tuple(_average(g, day, by_geography[g], house) for g in sorted(by_geography))
    effects = sorted((HouseEffect(names[p], len(residuals[p]), e) for p, e in house.items()),
                     key=lambda h: (-abs(h.effect), h.pollster))
    return PollAverages(day, states, tuple(effects))


def _mean(values: Sequence[float], weights: Sequence[float]) -> float:
    return sum(v * w for v, w in zip(values, weights, strict=True)) / sum(weights)


def _average(geography: str, day: dt.date, entries: list[_Entry], house: dict[str, float]) -> StateAverage:
    weights = [e.weight for e in entries]
    total = sum(weights)
    shifts = [house[e.poll.pollster.id] for e in entries]
    adjusted = [e.margin - s for e, s in zip(entries, shifts, strict=True)]
    margin = _mean(adjusted, weights)
    # Half the house effect comes off each side: a lean toward one party is a lead it gains.
    dem = _mean([float(e.question.share(DEM) or 0) - s / 2 for e, s in zip(entries, shifts, strict=True)],
                weights)
    rep = _mean([float(e.question.share(REP) or 0) + s / 2 for e, s in zip(entries, shifts, strict=True)],
                weights)
    variances = [e.variance for e in entries]
    spread = _mean([(a - margin) ** 2 for a in adjusted], weights)
    tau2 = max(0.0, spread - _mean(variances, weights)) if len(entries) > 1 else 0.0
    se = math.sqrt(sum(w * w * (v + tau2) for w, v in zip(weights, variances, strict=True))) / total
    rows = tuple(PollWeight(e.poll.id, e.poll.pollster.name, e.poll.end, e.question.population,
                            float(e.question.sample_size) if e.question.sample_size else None,
                            e.margin, a, w / total)
                 for e, a, w in zip(entries, adjusted, weights, strict=True))
    return StateAverage(geography, day, dem, rep, margin, se, len(entries),
                        total * total / sum(w * w for w in weights), rows)
