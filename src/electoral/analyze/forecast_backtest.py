"""Back-testing the forecast: each year forecast from its polls with parameters fit on earlier
elections only, then scored against that year's results, beside a plain baseline.

Scores, over the 50 states and DC (statewide contests; districts are not scored):

    Brier           mean over states of (P(Democrat wins) − 1 if the Democrat won else 0)²
    EV-weighted     the same, each state weighted by its electors
    called          states whose more likely winner (P ≠ 0.5) won
    coverage        share of states whose result lies inside the 80% interval of the margin

The baseline (issue 14): each state's plain mean of its polls' margins from 1 September to the
forecast date, with a fixed 4-point standard error, P = Φ(mean / 4); a state without such polls
takes its last result's margin. Calibration pools every scored state of every year into tenths of
the predicted probability and compares the mean prediction with the share the Democrat won.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from electoral.analyze.forecast import Forecast, Parameters, StateResult
from electoral.analyze.forecast_fit import PastElections, election_day, fit_parameters, forecast_year
from electoral.analyze.polls import DEM, REP, pick_question
from electoral.model import Poll

__all__ = ["BASELINE_SD", "Backtest", "CalibrationBin", "Prediction", "YearScore", "backtest",
           "baseline", "brier", "calibration", "score_year"]

#: The baseline's fixed standard error of a state's margin, points (issue 14).
BASELINE_SD = 4.0
#: The baseline's polls start on 1 September of the election year (issue 14).
BASELINE_FROM = (9, 1)


@dataclass(frozen=True, slots=True)
class Prediction:
    """One state in one year: the model's and the baseline's P(Democrat wins), the model's 80%
    interval of the margin, and the result (margin, points)."""

    state: str
    electors: int
    model: float
    baseline: float
    low: float
    high: float
    actual: float

    @property
    def democratic_won(self) -> bool:
        return self.actual > 0


@dataclass(frozen=True, slots=True)
class YearScore:
    """One back-tested year: the forecast's summary and the scores of model and baseline."""

    year: int
    as_of: str
    polls: int
    parameters: Parameters
    win_democratic: float
    ev_democratic: float
    predictions: tuple[Prediction, ...]

    def brier(self, which: str = "model", weighted: bool = False) -> float:
        return brier([(getattr(p, which), p.democratic_won, p.electors if weighted else 1)
                      for p in self.predictions])

    def called(self, which: str = "model") -> int:
        return sum(1 for p in self.predictions
                   if getattr(p, which) != 0.5 and (getattr(p, which) > 0.5) == p.democratic_won)

    @property
    def coverage(self) -> float:
        return sum(p.low <= p.actual <= p.high for p in self.predictions) / len(self.predictions)


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """Predictions of P(Democrat wins) in [low, high): how many, their mean, the share won."""

    low: float
    high: float
    count: int
    predicted: float
    observed: float


@dataclass(frozen=True, slots=True)
class Backtest:
    """Every scored year and the pooled calibration of the model and of the baseline."""

    years: tuple[YearScore, ...]
    calibration: tuple[CalibrationBin, ...]
    baseline_calibration: tuple[CalibrationBin, ...]


def brier(rows: Sequence[tuple[float, bool, int]]) -> float:
    """The weighted Brier score of (probability, happened, weight) rows (Brier, "Verification of
    forecasts expressed in terms of probability", Monthly Weather Review 78, 1950).

    Raises:
        ValueError: no rows or no weight.
    """
    total = sum(w for _p, _o, w in rows)
    if not total:
        raise ValueError("a Brier score of nothing")
    return sum(w * (p - (1.0 if o else 0.0)) ** 2 for p, o, w in rows) / total


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def baseline(polls: Sequence[Poll], year: int, as_of: dt.date,
             previous: Mapping[str, StateResult]) -> dict[str, float]:
    """The baseline's P(Democrat wins) for every state of ``previous`` (see the module docstring)."""
    start = dt.date(year, *BASELINE_FROM)
    margins: dict[str, list[float]] = {}
    for poll in polls:
        question = pick_question(poll)
        if question is None or not start <= poll.end <= as_of:
            continue
        margin = float((question.share(DEM) or 0) - (question.share(REP) or 0))
        margins.setdefault(poll.geography, []).append(margin)
    return {s: _phi((sum(margins[s]) / len(margins[s]) if s in margins else r.margin) / BASELINE_SD)
            for s, r in previous.items()}


def score_year(past: PastElections, year: int, polls: Sequence[Poll], electors: Mapping[str, int],
               districts: Mapping[str, int], as_of: dt.date, *, simulations: int = 100_000,
               seed: int = 0) -> YearScore:
    """Forecast ``year`` from ``polls`` ending by ``as_of`` (parameters fit before ``year``), then —
    only then — read ``year``'s results and score the forecast and the baseline.

    Raises:
        ValueError: as ``forecast_year`` raises it.
    """
    params = fit_parameters(past, year, max((election_day(year) - as_of).days, 0))
    shown = [p for p in polls if p.end <= as_of]
    result: Forecast = forecast_year(past, year, shown, electors, districts, as_of=as_of,
                                     simulations=simulations, seed=seed, parameters=params)
    plain = baseline(shown, year, as_of, past.results(year - 4))
    actual = past.results(year)
    units = {u.unit: u for u in result.states}
    predictions = tuple(Prediction(s, n, units[s].win_democratic, plain[s], units[s].margin_low,
                                   units[s].margin_high, actual[s].margin)
                        for s, n in sorted(electors.items()))
    return YearScore(year, result.as_of, len(shown), params, result.win_democratic,
                     result.ev_democratic, predictions)


def calibration(rows: Sequence[tuple[float, bool]], bins: int = 10) -> tuple[CalibrationBin, ...]:
    """Predicted probabilities in ``bins`` equal bins (1.0 in the last), each bin's mean
    prediction and observed frequency; empty bins are left out."""
    out = []
    for i in range(bins):
        low, high = i / bins, (i + 1) / bins
        inside = [(p, o) for p, o in rows if low <= p < high or (i == bins - 1 and p == 1.0)]
        if inside:
            out.append(CalibrationBin(low, high, len(inside), sum(p for p, _o in inside) / len(inside),
                                      sum(o for _p, o in inside) / len(inside)))
    return tuple(out)


def backtest(scores: Sequence[YearScore]) -> Backtest:
    """The scored years with the pooled calibration tables of model and baseline."""
    rows = [p for s in scores for p in s.predictions]
    return Backtest(tuple(scores), calibration([(p.model, p.democratic_won) for p in rows]),
                    calibration([(p.baseline, p.democratic_won) for p in rows]))
