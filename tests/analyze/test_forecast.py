"""The forecast: hand-computed small cases, the simulation's correlation structure, seed
reproducibility, and fitting that cannot read the forecast year's results."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pytest

from electoral.analyze.forecast import (
    DIVISION_OF,
    Parameters,
    Rating,
    StateResult,
    Unit,
    forecast,
    national_margin,
    plan_units,
    rate,
    simulate,
    state_leans,
)
from electoral.analyze.forecast_backtest import BASELINE_SD, baseline, brier, calibration, score_year
from electoral.analyze.forecast_fit import (
    FLOORS,
    fit_parameters,
    forecast_year,
    presidential_year,
    state_error,
)
from electoral.analyze.polls import poll_averages
from electoral.model import Poll
from tests.analyze.test_polls import poll

STILL = Parameters(0.0, 0.0, 0.0, 1.0)  # no error at all: the outcome is the mean


def test_a_certain_forecast_counts_electors_and_the_tipping_point_by_hand() -> None:
    units = (Unit("A", "PA", 270, 5.0, 0.0), Unit("B", "OH", 200, -3.0, 0.0),
             Unit("C", "TX", 68, -10.0, 0.0))
    result = forecast(units, STILL, year=2020, as_of="2020-10-20", national=0.0,
                      incumbent="republican", simulations=10, seed=1)
    assert result.win_democratic == 1.0 and result.win_republican == 0.0 and result.tie == 0.0
    assert result.ev_distribution[270] == 1.0 and result.ev_low == result.ev_high == 270
    # Ordered from the Democrat's best margin, A alone gives 270: A is the tipping point.
    assert [s.tipping for s in result.states] == [1.0, 0.0, 0.0]
    assert [(s.rating, s.leader) for s in result.states] == [
        (Rating.SAFE, "democratic"), (Rating.SAFE, "republican"), (Rating.SAFE, "republican")]


def test_269_to_269_is_a_contingent_election_with_no_tipping_point() -> None:
    units = (Unit("A", "PA", 269, 1.0, 0.0), Unit("B", "OH", 269, -1.0, 0.0))
    result = forecast(units, STILL, year=2020, as_of="x", national=0.0, incumbent="democratic",
                      simulations=5)
    assert result.tie == 1.0 and result.win_democratic == result.win_republican == 0.0
    assert all(s.tipping == 0.0 for s in result.states)


def test_the_win_probability_of_one_state_is_the_normal_tail() -> None:
    # mean +2, sd 4 (state only): P = Φ(0.5) = 0.6915; 200,000 draws put it within 0.005.
    units = (Unit("A", "PA", 538, 2.0, 4.0),)
    result = forecast(units, STILL, year=2020, as_of="x", national=0.0, incumbent="democratic",
                      simulations=200_000, seed=3)
    assert result.states[0].win_democratic == pytest.approx(0.6915, abs=0.005)
    # the 80% interval: 2 ± 1.2816·4
    assert result.states[0].margin_low == pytest.approx(2 - 5.126, abs=0.1)
    assert result.states[0].margin_high == pytest.approx(2 + 5.126, abs=0.1)


def test_same_seed_same_output_and_another_seed_differs() -> None:
    units = (Unit("A", "PA", 300, 1.0, 3.0), Unit("B", "OH", 238, -1.0, 3.0))
    params = Parameters(2.0, 1.0, 2.0, 5.0, national_df=5.0)
    run = lambda seed: forecast(units, params, year=2020, as_of="x", national=0.0,  # noqa: E731
                                incumbent="democratic", simulations=2_000, seed=seed)
    assert run(7) == run(7)
    assert run(7) != run(8)


def test_no_pair_of_states_is_negatively_correlated_and_a_division_adds_to_it() -> None:
    states = sorted(DIVISION_OF)
    units = tuple(Unit(s, s, 10, 0.0, 3.0 + i % 4) for i, s in enumerate(states))
    params = Parameters(national_sd=2.0, regional_sd=2.0, state_sd=2.0, prior_sd=5.0)
    margins = simulate(units, params, 20_000, seed=11)
    corr = np.corrcoef(margins, rowvar=False)
    assert corr.min() > 0.0
    # Covariance by construction: national² (+ regional² within a division), so a pair in one
    # division correlates more than a pair across divisions with the same state errors.
    pa, nj, oh = (states.index(s) for s in ("PA", "NJ", "OH"))
    cov = np.cov(margins, rowvar=False)
    assert cov[pa, nj] == pytest.approx(8.0, abs=0.6)
    assert cov[pa, oh] == pytest.approx(4.0, abs=0.6)


def test_an_unpolled_district_takes_its_state_draw() -> None:
    units = (Unit("NE", "NE", 2, -10.0, 3.0), Unit("NE-01", "NE", 1, -10.0, 0.0, follows="NE"))
    margins = simulate(units, Parameters(2.0, 1.0, 2.0, 5.0), 1_000, seed=2)
    assert np.array_equal(margins[:, 0], margins[:, 1])


def test_rating_bands() -> None:
    assert rate(0.96) == (Rating.SAFE, "democratic")
    assert rate(0.20) == (Rating.LIKELY, "republican")
    assert rate(0.65) == (Rating.LEAN, "democratic")
    assert rate(0.5) == (Rating.TOSSUP, "")


def test_posterior_combines_prior_and_polls_by_precision() -> None:
    # Lean +1 (state 51% of 100 − 49, nation even), national from the one poll: 4 − 1 = 3, so the
    # prior is 1 + 3 = 4 and equals the poll: the mean is 4. The variance: prior 2² = 4 and the
    # poll se² + state 2²; combined 1/(1/4 + 1/(se² + 4)).
    polls = [poll("1", "2020-10-01", "52", "48", n=1000)]
    average = poll_averages(polls).states[0]
    params = Parameters(0.0, 0.0, 2.0, 2.0)
    leans = {"PA": 1.0}
    units, nation = plan_units(poll_averages(polls), leans, {"PA": 20}, {}, params)
    assert nation == pytest.approx(3.0)
    assert units[0].mean == pytest.approx(4.0)
    assert units[0].sd ** 2 == pytest.approx(1 / (1 / 4 + 1 / (average.margin_se ** 2 + 4)))


def test_undecided_voters_widen_a_state_polls_error() -> None:
    # 45 − 43 leaves 12 points to neither party: with undecided_sd 0.25 the polls' own error is
    # √(2² + (0.25 × 12)²) = √13; with the prior's 2² the posterior variance is
    # 1/(1/4 + 1/(se² + 13)).
    polls = [poll("1", "2020-10-01", "45", "43", n=1000)]
    average = poll_averages(polls).states[0]
    assert average.undecided == pytest.approx(12.0)
    params = Parameters(0.0, 0.0, 2.0, 2.0, undecided_sd=0.25)
    assert params.poll_sd(12.0) == pytest.approx(math.sqrt(13))
    units, _ = plan_units(poll_averages(polls), {"PA": 0.0}, {"PA": 20}, {}, params)
    assert units[0].sd ** 2 == pytest.approx(1 / (1 / 4 + 1 / (average.margin_se ** 2 + 13)))


def test_state_error_fit_by_likelihood_by_hand() -> None:
    # No undecided: errors ±2 (variance 4); 10 points undecided: errors ±5 (variance 25); no
    # sampling error. The likelihood is highest where each group's variance is its mean square:
    # state_sd² = 4 and 4 + (10·undecided_sd)² = 25, so undecided_sd = √21 / 10.
    rows = [(sign * 2.0, 0.0, 0.0) for sign in (1, -1)] * 20 + [(sign * 5.0, 0.0, 10.0)
                                                                for sign in (1, -1)] * 20
    state_sd, undecided_sd = state_error(rows)
    assert state_sd == pytest.approx(2.0, abs=1e-3)
    assert undecided_sd == pytest.approx(math.sqrt(21) / 10, abs=1e-3)
    # Sampling variance counts first: errors ±3 with se² = 9 leave nothing for the polls' own error.
    assert state_error([(sign * 3.0, 9.0, 0.0) for sign in (1, -1)] * 5)[0] == pytest.approx(0.0, abs=1e-3)
    with pytest.raises(ValueError, match="no state errors"):
        state_error([])


def test_results_margins_and_leans() -> None:
    results = {"PA": StateResult(60, 40, 100), "OH": StateResult(30, 70, 100)}
    # (60 − 40 + 30 − 70) / 200 = −10 points; PA +20 leans 30 from it, OH −40 leans −30.
    assert national_margin(results) == pytest.approx(-10.0)
    assert state_leans(results) == pytest.approx({"PA": 30.0, "OH": -30.0})


def test_brier_calibration_and_baseline_by_hand() -> None:
    assert brier([(0.8, True, 1), (0.3, False, 3)]) == pytest.approx((0.04 + 3 * 0.09) / 4)
    bins = calibration([(0.05, False), (0.95, True), (0.91, False), (1.0, True)])
    assert [(b.low, b.count, b.observed) for b in bins] == [(0.0, 1, 0.0), (0.9, 3, 2 / 3)]
    polls = [poll("1", "2020-09-10", "50", "46"), poll("2", "2020-10-10", "49", "47"),
             poll("3", "2020-08-01", "40", "60")]  # before September: not in the baseline
    p = baseline(polls, 2020, dt.date(2020, 10, 20), {"PA": StateResult(1, 2, 3),
                                                      "OH": StateResult(40, 60, 100)})
    assert p["PA"] == pytest.approx(0.5 * (1 + math.erf(3 / BASELINE_SD / math.sqrt(2))))
    assert p["OH"] == pytest.approx(0.5 * (1 + math.erf(-20 / BASELINE_SD / math.sqrt(2))))


def test_presidential_year_of_a_poll() -> None:
    assert presidential_year(dt.date(2018, 11, 28)) == 2020
    assert presidential_year(dt.date(2020, 10, 20)) == 2020


# ---- fitting on earlier elections only ------------------------------------------------------------

STATES = ("PA", "OH", "NJ", "TX")


class FakePast:
    """Four states over 2004–2020; a poll misses each by a made-up error; reading ``forbidden``'s
    results raises."""

    def __init__(self, forbidden: int | None = None) -> None:
        self.forbidden = forbidden
        self.read: list[int] = []

    def years(self) -> Sequence[int]:
        return [2004, 2008, 2012, 2016, 2020]

    def results(self, year: int) -> Mapping[str, StateResult]:
        if year == self.forbidden:
            raise AssertionError(f"read the {year} results")
        self.read.append(year)
        shift = (year - 2004) // 4
        return {s: StateResult(480 + 10 * i + shift, 500 - 10 * i, 1000) for i, s in enumerate(STATES)}

    def polls(self, year: int) -> Sequence[Poll]:
        out = []
        for i, state in enumerate(STATES):
            dem = 48 + i + (year % 7) / 2
            out.append(poll(f"{year}{state}", f"{year}-10-20", f"{dem}", "44", geography=state))
        return out


def test_fitting_for_2020_reads_no_2020_result() -> None:
    past = FakePast(forbidden=2020)
    params = fit_parameters(past, 2020)
    assert max(past.read) == 2016 and max(params.fitted_on) == 2016
    assert params.national_sd >= FLOORS.national_sd and params.national_df == 4.0
    units = forecast_year(past, 2020, past.polls(2020), {s: 10 for s in STATES}, {},
                          simulations=1_000)
    assert {s.unit for s in units.states} == set(STATES)
    with pytest.raises(AssertionError, match="2020 results"):
        score_year(past, 2020, past.polls(2020), {s: 10 for s in STATES}, {}, dt.date(2020, 11, 3),
                   simulations=100)  # scoring is the one step that reads them, after forecasting


def test_fitting_needs_an_earlier_year_with_polls() -> None:
    with pytest.raises(ValueError, match="before 2004"):
        fit_parameters(FakePast(), 2004)


def test_the_national_error_is_a_student_t_with_fatter_tails() -> None:
    units = (Unit("A", "PA", 538, 0.0, 0.0),)
    normal = simulate(units, Parameters(2.0, 0.0, 0.0, 1.0), 200_000, 5)[:, 0]
    heavy = simulate(units, replace(Parameters(2.0, 0.0, 0.0, 1.0), national_df=3.0), 200_000, 5)[:, 0]
    assert np.mean(np.abs(heavy) > 8) > 5 * np.mean(np.abs(normal) > 8)


def test_fitting_for_an_early_forecast_uses_only_polls_as_early() -> None:
    # FakePast's polls end on 20 October; 30 days before election day (early October) none has.
    with pytest.raises(ValueError, match="before 2020"):
        fit_parameters(FakePast(), 2020, horizon=30)
    assert fit_parameters(FakePast(), 2020, horizon=10).fitted_on[-1] == 2016
