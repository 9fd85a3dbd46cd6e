"""An Electoral College forecast: state margin distributions from the poll averages and a prior
from past results, with correlated errors, simulated.

Margins are in points, the Democrat's share of all votes minus the Republican's. For each state
(and each polled congressional district of Maine and Nebraska):

    lean            = the state's margin at the last election − the national margin then
    national        = precision-weighted mean over polled states of (poll average − lean), with
                      the national polls' average ("US") as one more such estimate
    prior           = lean + national                         variance  prior_sd²
    polls           = the state's weighted poll average       variance  se² + state_sd²
                                                                         + (undecided_sd·u)²
    mean, variance  = the precision-weighted combination of prior and polls (normal–normal)
    simulated       = mean + national_sd·T + regional_sd·Z[division] + √variance·Z[state]

with u the points of the average for neither major party (``StateAverage.undecided``): votes the
polls cannot place yet, so the more of them, the further the result can land from the polls;
T a Student t (``Parameters.national_df``) and the Z standard normals, all independent: one
national draw, one per Census division and one per state in each simulation. Every state loads on
the shared draws with a positive coefficient, so the covariance of any two states is
national_sd²·Var(T) (+ regional_sd² in one division) ≥ 0: no pair is negatively correlated, by
construction. The standard deviations and ``undecided_sd`` are fit, by
``electoral.analyze.forecast_fit``, on elections before the one forecast.

A district without polls goes with its state (its electors follow the statewide simulated winner):
electoral ships district winners, not district margins, so there is no district lean to start
from. A polled district keeps its polls' offset from the statewide polls, with its own error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from electoral.analyze.polls import PollAverages, StateAverage

__all__ = ["DIVISIONS", "RATING_BANDS", "Forecast", "Parameters", "Rating", "StateForecast",
           "StateResult", "Unit", "forecast", "national_margin", "plan_units", "rate",
           "state_leans", "state_margins"]

#: The nine Census divisions (U.S. Census Bureau, "Census Regions and Divisions of the United
#: States"): states of one division share a regional polling error.
DIVISIONS: dict[str, tuple[str, ...]] = {
    "New England": ("CT", "ME", "MA", "NH", "RI", "VT"),
    "Middle Atlantic": ("NJ", "NY", "PA"),
    "East North Central": ("IL", "IN", "MI", "OH", "WI"),
    "West North Central": ("IA", "KS", "MN", "MO", "NE", "ND", "SD"),
    "South Atlantic": ("DE", "DC", "FL", "GA", "MD", "NC", "SC", "VA", "WV"),
    "East South Central": ("AL", "KY", "MS", "TN"),
    "West South Central": ("AR", "LA", "OK", "TX"),
    "Mountain": ("AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY"),
    "Pacific": ("AK", "CA", "HI", "OR", "WA"),
}
DIVISION_OF = {state: name for name, states in DIVISIONS.items() for state in states}
#: Electors needed to win: a majority of 538 (U.S. Const. art. II §1, 12th Amendment; 3 U.S.C. §15).
MAJORITY = 270
#: The interval reported for margins and electoral votes: the central 80%.
INTERVAL = (0.10, 0.90)


class Rating(StrEnum):
    """A state's rating from the leader's win probability (``RATING_BANDS``)."""

    SAFE = "Safe"
    LIKELY = "Likely"
    LEAN = "Lean"
    TOSSUP = "Tossup"


#: Lower bounds of the leader's win probability for each rating, chosen here (the 95/75/60 bands
#: newsroom forecasts commonly print): Safe ≥ 0.95, Likely ≥ 0.75, Lean ≥ 0.60, else Tossup.
RATING_BANDS = ((Rating.SAFE, 0.95), (Rating.LIKELY, 0.75), (Rating.LEAN, 0.60), (Rating.TOSSUP, 0.0))


def rate(probability: float) -> tuple[Rating, str]:
    """The rating of a state whose Democrat wins with ``probability`` (0–1), and the party leading
    ("democratic", "republican"; "" for an exact 0.5)."""
    lead = max(probability, 1 - probability)
    party = "democratic" if probability > 0.5 else "republican" if probability < 0.5 else ""
    return next(r for r, low in RATING_BANDS if lead >= low), party


@dataclass(frozen=True, slots=True)
class StateResult:
    """One state's result in one year: Democratic, Republican and all votes."""

    democratic: int
    republican: int
    total: int

    @property
    def margin(self) -> float:
        """Democrat minus Republican, in points of all votes."""
        return 100 * (self.democratic - self.republican) / self.total


def state_margins(results: Mapping[str, StateResult]) -> dict[str, float]:
    """Each state's margin (points) from its result."""
    return {s: r.margin for s, r in results.items()}


def national_margin(results: Mapping[str, StateResult]) -> float:
    """The national popular-vote margin (points) of one year's state results."""
    total = sum(r.total for r in results.values())
    return 100 * sum(r.democratic - r.republican for r in results.values()) / total


def state_leans(results: Mapping[str, StateResult]) -> dict[str, float]:
    """Each state's margin minus the national margin (points): how far it leans from the nation."""
    nation = national_margin(results)
    return {s: r.margin - nation for s, r in results.items()}


@dataclass(frozen=True, slots=True)
class Parameters:
    """The standard deviations of the forecast's errors (points of margin) and the years they were
    fit on: ``national_sd`` shared by every state, ``regional_sd`` by a Census division,
    ``state_sd`` a state's polls' own error beyond sampling when every respondent picks a major
    party, ``undecided_sd`` what each point of undecided (or other) share adds to it
    (``poll_sd``), ``prior_sd`` how far a state's lean
    moves between elections; ``national_df`` the degrees of freedom of the national error's
    Student t (``inf``: normal): a scale estimated from n past years' errors predicts the next
    year's error as t with n degrees of freedom (the posterior predictive of a normal error of
    unknown variance), so few years of calm polls do not rule out a large miss."""

    national_sd: float
    regional_sd: float
    state_sd: float
    prior_sd: float
    fitted_on: tuple[int, ...] = ()
    national_df: float = math.inf
    undecided_sd: float = 0.0

    def poll_sd(self, undecided: float) -> float:
        """The own error (points) of polls whose average leaves ``undecided`` points (0–100) to
        neither major party: √(state_sd² + (undecided_sd·undecided)²)."""
        return math.hypot(self.state_sd, self.undecided_sd * undecided)


@dataclass(frozen=True, slots=True)
class Unit:
    """One block of electors the simulation decides: a state's statewide contest (``electors``
    net of its districts') or a congressional district; ``follows`` names the state whose draw an
    unpolled district takes."""

    id: str
    state: str
    electors: int
    mean: float
    sd: float
    follows: str | None = None


def plan_units(averages: PollAverages, leans: Mapping[str, float], electors: Mapping[str, int],
               districts: Mapping[str, int], params: Parameters) -> tuple[tuple[Unit, ...], float]:
    """The units to simulate and the national margin estimate (points).

    ``leans``: each state's lean at the last election (``state_leans``); ``electors``: each state's
    electors (``electoral.tabulate.apportion.electors_for``); ``districts``: the number of
    congressional districts of each state that gives electors by district (ME 2, NE 3).

    Raises:
        ValueError: a state of ``electors`` without a lean, or no state both polled and with a lean.
    """
    missing = sorted(set(electors) - set(leans))
    if missing:
        raise ValueError(f"no past result (lean) for {', '.join(missing)}")
    polled = {s.geography: s for s in averages.states}
    nation = _national(polled, leans, params)
    units = []
    for state in sorted(electors):
        mean, var = _posterior(polled.get(state), leans[state] + nation, params)
        count = districts.get(state, 0)
        units.append(Unit(state, state, electors[state] - count, mean, math.sqrt(var)))
        for n in range(1, count + 1):
            units.append(_district(f"{state}-{n:02d}", state, mean, polled, params))
    return tuple(units), nation


def _national(polled: Mapping[str, StateAverage], leans: Mapping[str, float],
              params: Parameters) -> float:
    estimates = [(a.margin - leans[g],
                  a.margin_se ** 2 + params.poll_sd(a.undecided) ** 2 + params.prior_sd ** 2)
                 for g, a in polled.items() if g in leans]
    if "US" in polled:
        us = polled["US"]
        estimates.append((us.margin, us.margin_se ** 2 + params.poll_sd(us.undecided) ** 2))
    if not estimates:
        raise ValueError("no polled state has a past result to measure the national margin from")
    weight = sum(1 / v for _m, v in estimates)
    return sum(m / v for m, v in estimates) / weight


def _posterior(average: StateAverage | None, prior: float, params: Parameters) -> tuple[float, float]:
    prior_var = params.prior_sd ** 2
    if average is None:
        return prior, prior_var
    poll_var = average.margin_se ** 2 + params.poll_sd(average.undecided) ** 2
    precision = 1 / prior_var + 1 / poll_var
    return (prior / prior_var + average.margin / poll_var) / precision, 1 / precision


def _district(unit: str, state: str, state_mean: float, polled: Mapping[str, StateAverage],
              params: Parameters) -> Unit:
    average = polled.get(unit)
    if average is None or state not in polled:
        return Unit(unit, state, 1, state_mean, 0.0, follows=state)
    offset = average.margin - polled[state].margin
    return Unit(unit, state, 1, state_mean + offset,
                math.hypot(average.margin_se, params.poll_sd(average.undecided)), follows=state)


@dataclass(frozen=True, slots=True)
class StateForecast:
    """One unit's forecast: the Democrat's win probability, the mean margin and its 80% interval
    (points), the probability that it is the tipping point, and its rating."""

    unit: str
    electors: int
    win_democratic: float
    margin: float
    margin_low: float
    margin_high: float
    tipping: float
    rating: Rating
    leader: str


@dataclass(frozen=True, slots=True)
class Forecast:
    """A simulated forecast: per-unit forecasts; the distribution of the Democrat's electoral votes
    (``ev_distribution[k]``: the share of simulations with k electors, k = 0…538); P(Democrat
    wins), P(Republican wins), P(269–269, a contingent election); the Democrat's mean electors and
    80% interval; the national margin estimate; the ``incumbent`` party; sims and seed."""

    year: int
    as_of: str
    states: tuple[StateForecast, ...]
    ev_distribution: tuple[float, ...]
    win_democratic: float
    win_republican: float
    tie: float
    ev_democratic: float
    ev_low: int
    ev_high: int
    national: float
    incumbent: str
    parameters: Parameters
    simulations: int
    seed: int


def forecast(units: tuple[Unit, ...], params: Parameters, *, year: int, as_of: str, national: float,
             incumbent: str, simulations: int = 100_000, seed: int = 0) -> Forecast:
    """Simulate ``simulations`` elections from ``units`` (``plan_units``) with a numpy Generator
    seeded by ``seed``: the same inputs and seed give identical output.

    Raises:
        ValueError: ``simulations`` < 1.
    """
    if simulations < 1:
        raise ValueError(f"{simulations} simulations")
    margins = simulate(units, params, simulations, seed)
    electors = np.array([u.electors for u in units], dtype=np.int64)
    dem_wins = margins > 0
    ev = dem_wins.astype(np.int64) @ electors
    total = int(electors.sum())
    needed = total // 2 + 1
    tipping = _tipping(margins, electors, ev, needed)
    low, high = _quantiles(margins, INTERVAL)
    p_win = dem_wins.mean(axis=0)
    states = []
    for i, u in enumerate(units):
        rating, leader = rate(float(p_win[i]))
        states.append(StateForecast(u.id, u.electors, float(p_win[i]), u.mean, float(low[i]),
                                    float(high[i]), float(tipping[i]), rating, leader))
    distribution = np.bincount(ev, minlength=total + 1) / simulations
    ev_low, ev_high = np.quantile(ev, INTERVAL)
    tie = float(np.mean(2 * ev == total))
    return Forecast(year, as_of, tuple(states), tuple(float(x) for x in distribution),
                    float(np.mean(ev >= needed)), float(np.mean(total - ev >= needed)), tie,
                    float(ev.mean()), int(ev_low), int(ev_high), national, incumbent, params,
                    simulations, seed)


def simulate(units: tuple[Unit, ...], params: Parameters, simulations: int, seed: int) -> np.ndarray:
    """The simulated margins, shape (simulations, units), points. A district that follows its
    state takes its state's draw (plus its offset). Column order is ``units``'."""
    rng = np.random.default_rng(seed)
    divisions = sorted(DIVISIONS)
    index = {u.id: i for i, u in enumerate(units)}
    # float32 halves the memory and the sorting time; margins need no more than 7 digits.
    shared = (rng.standard_normal(simulations, dtype=np.float32) if math.isinf(params.national_df)
              else rng.standard_t(params.national_df, simulations).astype(np.float32))
    national = shared * np.float32(params.national_sd)
    regional = rng.standard_normal((simulations, len(divisions)), dtype=np.float32)
    regional *= np.float32(params.regional_sd)
    own = rng.standard_normal((simulations, len(units)), dtype=np.float32)
    division = np.array([divisions.index(DIVISION_OF[u.state]) for u in units])
    means = np.array([u.mean for u in units], dtype=np.float32)
    sds = np.array([u.sd for u in units], dtype=np.float32)
    margins: np.ndarray = means + national[:, None] + regional[:, division] + own * sds
    for i, u in enumerate(units):
        if u.follows is not None:
            state = index[u.follows]
            # the district's offset from its state, plus its own error when it was polled
            margins[:, i] = margins[:, state] + (means[i] - means[state]) + own[:, i] * sds[i]
    return margins


def _quantiles(values: np.ndarray, probabilities: tuple[float, ...]) -> np.ndarray:
    """Column quantiles, linearly interpolated as ``np.quantile``'s default, by partial sorting
    (``np.partition`` at the two ranks around each): a full sort per column is not needed."""
    n = values.shape[0]
    positions = [(n - 1) * q for q in probabilities]
    ranks = sorted({r for p in positions for r in (math.floor(p), math.ceil(p))})
    part = np.partition(values, ranks, axis=0).astype(np.float64)
    out = []
    for p in positions:
        below, above = part[math.floor(p)], part[math.ceil(p)]
        out.append(below + (above - below) * (p - math.floor(p)))
    return np.array(out)


def _tipping(margins: np.ndarray, electors: np.ndarray, ev: np.ndarray, needed: int) -> np.ndarray:
    """Each unit's share of simulations in which it is the tipping point: ordering the units from
    the winner's best to worst margin, the one whose electors first give the winner ``needed``.
    A 269–269 simulation has none."""
    sims = margins.shape[0]
    winner_dem = ev >= needed
    decided = winner_dem | (electors.sum() - ev >= needed)
    # the winner's margin: positive is good for the winner
    oriented = np.where(winner_dem[:, None], margins, -margins)
    order = np.argsort(-oriented, axis=1, kind="stable")
    # electors add up to at most 538: int16 sums are exact and a quarter of int64's memory
    cumulative = np.cumsum(electors.astype(np.int16)[order], axis=1, dtype=np.int16)
    first = np.argmax(cumulative >= needed, axis=1)
    chosen = order[np.arange(sims), first]
    counts = np.bincount(chosen[decided], minlength=margins.shape[1])
    share: np.ndarray = counts / sims
    return share
