"""Fitting the forecast's error parameters on past elections only, and running a forecast for a
year from a ``PastElections`` accessor.

``fit_parameters(past, year)`` reads ``past.polls(y)`` and ``past.results(y)`` only for years
y < ``year``: whatever ``year``'s results are, the fit cannot see them (a test passes an accessor
that raises on them). A forecast made ``horizon`` days before election day is fit on each earlier
year's averages as of the same number of days before its election. The moment estimates, over the
past years with polls:

    error of state s in year y      e = poll average − result (points of margin)
    national error of y             n_y = mean over polled states of e
    division error                  d = mean over a division's states of (e − n_y)
    state error                     r = e − n_y − d
    state_sd, undecided_sd         maximise the normal likelihood of r·√(k/(k−1)) (k states in
                                    the division) with variance state_sd² + (undecided_sd·u)² + se²,
                                    u the state's undecided (and other) share, se² its average's
                                    sampling variance (``state_error``)
    regional_sd² = mean d² − mean(state_sd² + (undecided_sd·u)² + se²) × mean(1/k)
    national_sd² = mean n_y² (the national errors are centred on zero: no bias is assumed),
                   drawn as Student t with as many degrees of freedom as years fit on
    prior_sd²    = mean over states and consecutive pairs of years of (lean_y − lean_{y−4})²

each standard deviation floored (``FLOORS``) so that a lucky year or two cannot make the
forecast certain. A poll's undecided (and other-candidate) respondents are votes it cannot
place between the two parties, so an average that leaves more of the vote to neither may miss
further; the likelihood lets the earlier years say how much further (``undecided_sd`` comes out 0
when they show no such spread). The u of a state is that of its average as of the forecast date.
``state_sd`` is fit by likelihood rather than by moments because it shares the variance with
``undecided_sd``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from electoral.analyze.forecast import (
    DIVISION_OF,
    Forecast,
    Parameters,
    StateResult,
    forecast,
    plan_units,
    state_leans,
)
from electoral.analyze.polls import poll_averages
from electoral.model import Poll

__all__ = ["FLOORS", "PastElections", "election_day", "fit_parameters", "forecast_year", "incumbent_party",
           "presidential_year", "state_error"]

#: Lowest standard deviations the fit may return (points): national 2.0 (the smallest national
#: miss of the final state polls in 538's raw-polls 2000–2020 is ~1 point, and one or two years
#: cannot pin it lower than about twice that), regional 1.0, state 2.0 (state polls' typical
#: non-sampling miss), prior 2.0. Chosen, not fit: they guard a fit on few years.
FLOORS = Parameters(national_sd=2.0, regional_sd=1.0, state_sd=2.0, prior_sd=2.0)


class PastElections(Protocol):
    """Where a forecast gets past data: ``results(year)`` each state's result (USPS code →
    ``StateResult``; raises ``KeyError`` or an ``ElectoralError`` when the year is not available),
    ``polls(year)`` the polls of that year's election (empty when none), and ``years()`` the
    presidential years whose results are available."""

    def results(self, year: int) -> Mapping[str, StateResult]: ...

    def polls(self, year: int) -> Sequence[Poll]: ...

    def years(self) -> Sequence[int]: ...


def presidential_year(day: dt.date) -> int:
    """The presidential election a poll ending on ``day`` looks to: the first year divisible by 4
    on or after it (a poll of late November after an election looks to the next one; none is
    fielded then)."""
    return day.year + (-day.year) % 4


def election_day(year: int) -> dt.date:
    """Election day of ``year``: the Tuesday after the first Monday of November (3 U.S.C. §1)."""
    first = dt.date(year, 11, 1)
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    return monday + dt.timedelta(days=1)


def fit_parameters(past: PastElections, year: int, horizon: int = 0) -> Parameters:
    """The error parameters for forecasting ``year`` ``horizon`` days before its election day,
    fit on earlier elections only (see the module docstring): each earlier year's averages are
    taken as of the same number of days before its own election day, so that the errors fit are
    those of a forecast made as early (a year without polls by then is left out).

    Raises:
        ValueError: no earlier year has both polls and results, or fewer than two earlier years of
            results for the prior.
    """
    earlier = sorted(y for y in past.years() if y < year)
    errors: list[_Error] = []
    used = []
    for y in earlier:
        cutoff = election_day(y) - dt.timedelta(days=horizon)
        polls = [p for p in past.polls(y) if p.end <= cutoff]
        if not polls:
            continue
        actual = past.results(y)
        averages = poll_averages(polls, cutoff)
        rows = [(y, a.geography, a.margin - actual[a.geography].margin, a.margin_se ** 2, a.undecided)
                for a in averages.states if a.geography in actual]
        if rows:
            errors.extend(rows)
            used.append(y)
    if not errors:
        raise ValueError(f"no election before {year} has both polls and results to fit on")
    national_sd, regional_sd, state_sd, undecided_sd = _poll_errors(errors)
    prior_sd, prior_years = _prior_sd(past, earlier)
    return Parameters(max(national_sd, FLOORS.national_sd), max(regional_sd, FLOORS.regional_sd),
                      max(state_sd, FLOORS.state_sd), max(prior_sd, FLOORS.prior_sd),
                      tuple(sorted(set(used) | set(prior_years))), national_df=float(len(used)),
                      undecided_sd=undecided_sd)


_Error = tuple[int, str, float, float, float]  # year, state, error, sampling variance, undecided


def _poll_errors(errors: list[_Error]) -> tuple[float, float, float, float]:
    by_year: dict[int, list[float]] = defaultdict(list)
    for y, _s, e, _v, _u in errors:
        by_year[y].append(e)
    national = {y: sum(es) / len(es) for y, es in by_year.items()}
    groups: dict[tuple[int, str], list[_Error]] = defaultdict(list)
    for row in errors:
        groups[row[0], DIVISION_OF[row[1]]].append(row)
    division = {k: sum(r[2] - national[r[0]] for r in v) / len(v) for k, v in groups.items()}
    rows: list[tuple[float, float, float]] = []  # state error, sampling variance, undecided
    inverse: list[float] = []
    for (y, d), members in groups.items():
        k = len(members)
        if k < 2:
            continue
        rows.extend(((e - national[y] - division[y, d]) * math.sqrt(k / (k - 1)), v, u)
                    for _y, _s, e, v, u in members)
        inverse.append(1 / k)
    if rows:
        state_sd, undecided_sd = state_error(rows)
        own = sum(state_sd ** 2 + (undecided_sd * u) ** 2 + v for _r, v, u in rows) / len(rows)
    else:  # no division with two polled states: nothing tells state from regional error
        state_sd, undecided_sd = 0.0, 0.0
        own = sum(v for _y, _s, _e, v, _u in errors) / len(errors)
    regional_var = sum(d * d for d in division.values()) / len(division)
    regional_var -= own * (sum(inverse) / len(inverse) if inverse else 1.0)
    national_var = sum(n * n for n in national.values()) / len(national)
    return math.sqrt(national_var), math.sqrt(max(regional_var, 0.0)), state_sd, undecided_sd


def state_error(rows: Sequence[tuple[float, float, float]]) -> tuple[float, float]:
    """The (state_sd, undecided_sd) that maximise the normal likelihood of ``rows`` of (state
    error r, sampling variance se², undecided share u), r ~ N(0, state_sd² + (undecided_sd·u)² +
    se²): r and state_sd in points of margin, se² in points², u in points of share, undecided_sd
    in points of margin per point of share. Both are ≥ 0; L-BFGS-B (scipy) from state_sd² = the
    moment estimate mean r² − mean se² (at least 1) and undecided_sd² = 0.01, deterministic.

    Raises:
        ValueError: no rows.
    """
    from scipy.optimize import minimize

    if not rows:
        raise ValueError("no state errors to fit")
    r, v, u = (np.array(column, dtype=np.float64) for column in zip(*rows, strict=True))

    def negative_log_likelihood(x: np.ndarray) -> float:
        variance = x[0] + x[1] * u * u + v + 1e-9  # 1e-9: no zero variance
        return float(0.5 * np.sum(np.log(variance) + r * r / variance))

    # Searched over the variances state_sd² and undecided_sd², whose slopes do not vanish at zero
    # as the standard deviations' do.
    start = max(float(np.mean(r * r) - np.mean(v)), 1.0)
    found = minimize(negative_log_likelihood, np.array([start, 0.01]), method="L-BFGS-B",
                     bounds=[(0.0, None), (0.0, None)])
    return math.sqrt(found.x[0]), math.sqrt(found.x[1])


def _prior_sd(past: PastElections, earlier: Sequence[int]) -> tuple[float, list[int]]:
    pairs = [(y - 4, y) for y in earlier if y - 4 in earlier]
    if not pairs:
        raise ValueError("the prior needs results of two consecutive earlier elections")
    squares: list[float] = []
    for before, after in pairs:
        a, b = state_leans(past.results(before)), state_leans(past.results(after))
        squares.extend((b[s] - a[s]) ** 2 for s in a.keys() & b.keys())
    return math.sqrt(sum(squares) / len(squares)), sorted({y for p in pairs for y in p})


def incumbent_party(results: Mapping[str, StateResult], electors: Mapping[str, int]) -> str:
    """The party that won the last election's electors ("democratic"/"republican"), counting each
    state's electors to its statewide winner (Maine's and Nebraska's district splits have never
    decided an election)."""
    dem = sum(n for s, n in electors.items() if s in results and results[s].margin > 0)
    return "democratic" if 2 * dem > sum(electors.values()) else "republican"


def forecast_year(past: PastElections, year: int, polls: Sequence[Poll], electors: Mapping[str, int],
                  districts: Mapping[str, int], *, as_of: dt.date | None = None,
                  simulations: int = 100_000, seed: int = 0,
                  parameters: Parameters | None = None) -> Forecast:
    """The forecast of ``year`` from ``polls`` ending by ``as_of``, the prior from the last
    election before ``year`` and the parameters fit on earlier elections as far from their
    election days as ``as_of`` is from ``year``'s (``fit_parameters``, unless ``parameters`` is
    given).

    Raises:
        ValueError: as ``fit_parameters``, ``poll_averages`` and ``plan_units`` raise it, or the
            election four years before ``year`` is not available.
    """
    averages = poll_averages(polls, as_of)
    horizon = max((election_day(year) - averages.as_of).days, 0)
    params = parameters or fit_parameters(past, year, horizon)
    previous = past.results(year - 4)
    units, nation = plan_units(averages, state_leans(previous), electors, districts, params)
    return forecast(units, params, year=year, as_of=averages.as_of.isoformat(), national=nation,
                    incumbent=incumbent_party(previous, electors), simulations=simulations, seed=seed)
