"""Render a forecast (``electoral.analyze.forecast``) and a back-test
(``electoral.analyze.forecast_backtest``) as text, Markdown, JSON or CSV.

Columns follow FiveThirtyEight's 2020 forecast files so the two can be diffed: from
``presidential_state_toplines_2020.csv`` ``state, tipping, winstate_inc, winstate_chal, margin,
margin_lo, margin_hi`` (``margin`` the incumbent party's share minus the challenger's, points);
from ``presidential_national_toplines_2020.csv`` ``ecwin_inc, ecwin_chal, ec_nomajority, ev_inc,
ev_chal, ev_inc_lo, ev_inc_hi``; from ``presidential_ev_probabilities_2020.csv`` ``total_ev,
evprob_inc, evprob_chal``. "inc" is the party that won the previous election. Probabilities are
rounded to 4 decimals, margins to 2, once, half away from zero; nothing else is computed here.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from electoral.analyze.forecast import RATING_BANDS, Forecast, Rating, StateForecast
from electoral.analyze.forecast_backtest import Backtest, CalibrationBin, YearScore
from electoral.formats import ForecastFormat
from electoral.report.polls import lean, rounded

STATE_COLUMNS = ("state", "electors", "tipping", "winstate_inc", "winstate_chal", "margin",
                 "margin_lo", "margin_hi", "rating", "leader")
PARTY_LETTER = {"democratic": "D", "republican": "R", "": ""}


def _inc(result: Forecast, p_dem: float) -> float:
    return p_dem if result.incumbent == "democratic" else 1 - p_dem


def _oriented(result: Forecast, margin: float) -> float:
    return margin if result.incumbent == "democratic" else -margin


def _p(value: float) -> str:
    return str(rounded(value, 4))


def state_row(result: Forecast, s: StateForecast) -> dict[str, str]:
    """One unit as 538's state toplines columns (``STATE_COLUMNS``)."""
    low, high = sorted((_oriented(result, s.margin_low), _oriented(result, s.margin_high)))
    return {"state": s.unit, "electors": str(s.electors), "tipping": _p(s.tipping),
            "winstate_inc": _p(_inc(result, s.win_democratic)),
            "winstate_chal": _p(1 - _inc(result, s.win_democratic)),
            "margin": str(rounded(_oriented(result, s.margin), 2)), "margin_lo": str(rounded(low, 2)),
            "margin_hi": str(rounded(high, 2)), "rating": s.rating.value, "leader": s.leader}


def national(result: Forecast) -> dict[str, Any]:
    """538's national toplines columns, and the run's seed, simulations and parameters."""
    dem_inc = result.incumbent == "democratic"
    total = len(result.ev_distribution) - 1
    ev_inc = result.ev_democratic if dem_inc else total - result.ev_democratic
    lo, hi = (result.ev_low, result.ev_high) if dem_inc else (total - result.ev_high,
                                                              total - result.ev_low)
    p = result.parameters
    return {"cycle": result.year, "modeldate": result.as_of, "incumbent": result.incumbent,
            "ecwin_inc": _p(result.win_democratic if dem_inc else result.win_republican),
            "ecwin_chal": _p(result.win_republican if dem_inc else result.win_democratic),
            "ec_nomajority": _p(result.tie), "ev_inc": str(rounded(ev_inc, 1)),
            "ev_chal": str(rounded(total - ev_inc, 1)), "ev_inc_lo": lo, "ev_inc_hi": hi,
            "national_margin_democratic": str(rounded(result.national, 2)),
            "simulations": result.simulations, "seed": result.seed,
            "parameters": {"national_sd": str(rounded(p.national_sd, 3)),
                           "national_df": "inf" if p.national_df == float("inf") else p.national_df,
                           "regional_sd": str(rounded(p.regional_sd, 3)),
                           "state_sd": str(rounded(p.state_sd, 3)),
                           "undecided_sd": str(rounded(p.undecided_sd, 4)),
                           "prior_sd": str(rounded(p.prior_sd, 3)), "fitted_on": list(p.fitted_on)}}


def ratings(result: Forecast) -> list[tuple[str, list[str]]]:
    """The "Predictions" table: for each rating and leading party, the units in it, most certain
    first (Safe D … Tossup … Safe R)."""
    order = [(r, "democratic") for r, _ in RATING_BANDS if r is not Rating.TOSSUP]
    rows = [*order, (Rating.TOSSUP, ""), *reversed([(r, "republican") for r, _ in order])]
    out = []
    for rating, party in rows:
        units = [s for s in result.states if s.rating is rating and (rating is Rating.TOSSUP
                                                                   or s.leader == party)]
        units.sort(key=lambda s: -abs(s.win_democratic - 0.5))
        label = rating.value + (f" {PARTY_LETTER[party]}" if party else "")
        out.append((label, [f"{s.unit} ({s.electors})" for s in units]))
    return out


def bands_note() -> str:
    bands = ", ".join(f"{r.value} ≥ {low:.0%}" for r, low in RATING_BANDS if low)
    return f"Ratings by the leader's win probability: {bands}, else Tossup."


def render_forecast(result: Forecast, fmt: ForecastFormat | str = ForecastFormat.TEXT) -> str:
    """The forecast as text or Markdown (national summary, ratings table, state table), JSON
    (``national``, ``states``, ``ratings``, ``ev_probabilities``) or CSV (``STATE_COLUMNS``).

    Raises:
        ValueError: for a format ``ForecastFormat`` does not name.
    """
    fmt = ForecastFormat(fmt)
    rows = [state_row(result, s) for s in result.states]
    if fmt is ForecastFormat.JSON:
        evs = [{"total_ev": k, "evprob_dem": _p(p)} for k, p in enumerate(result.ev_distribution) if p]
        return json.dumps({"national": national(result), "states": rows,
                           "ratings": dict(ratings(result)), "ev_probabilities": evs,
                           "rating_bands": bands_note()}, indent=2) + "\n"
    if fmt is ForecastFormat.CSV:
        return _csv(rows, STATE_COLUMNS)
    return _summary(result, md=fmt is ForecastFormat.MD)


def _csv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _table(header: list[str], rows: list[list[str]], md: bool, numbers: bool = True) -> list[str]:
    """A table whose first column is left-aligned and the rest right-aligned (``numbers``) or
    left-aligned too."""
    if md:
        rule = [":---"] + ["---:" if numbers else ":---"] * (len(header) - 1)
        return ["| " + " | ".join(header) + " |", "|" + "|".join(rule) + "|",
                *("| " + " | ".join(r) + " |" for r in rows)]
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 or not numbers else f"{{:>{w}}}"
                    for i, w in enumerate(widths))
    return [fmt.format(*header).rstrip(), *(fmt.format(*r).rstrip() for r in rows)]


#: The columns of ``state_table``.
STATE_TABLE_HEADER = ["Unit", "EV", "P(D)", "Margin", "80% interval", "Tipping", "Rating"]


def summary_lines(result: Forecast) -> list[str]:
    """The national figures in three lines: the chances, the electors, the run."""
    n = national(result)
    return [f"P(Democrat wins) {float(result.win_democratic):.1%} · P(Republican wins) "
            f"{result.win_republican:.1%} · P(269–269, contingent election) {result.tie:.2%}",
            f"Democratic electors: mean {rounded(result.ev_democratic, 1)}, 80% interval "
            f"{result.ev_low}–{result.ev_high}; national margin estimate {lean(result.national)}",
            f"{result.simulations:,} simulations, seed {result.seed}; incumbent party "
            f"{result.incumbent}; parameters fit on {', '.join(map(str, n['parameters']['fitted_on']))}"]


def state_table(result: Forecast) -> list[list[str]]:
    """One row per unit (``STATE_TABLE_HEADER``): electors, the Democrat's chance, the mean margin
    and its 80% interval as ``D+``/``R+``, the tipping-point chance, the rating."""
    rows = [state_row(result, s) for s in result.states]
    return [[r["state"], r["electors"], _p(s.win_democratic), lean(s.margin),
             f"{lean(s.margin_low)} to {lean(s.margin_high)}", r["tipping"], r["rating"]]
            for r, s in zip(rows, result.states, strict=True)]


def _summary(result: Forecast, md: bool) -> str:
    head = f"{result.year} presidential forecast as of {result.as_of}"
    lines = [f"### {head}" if md else head, "", *summary_lines(result), "", bands_note(), ""]
    lines += _table(["Rating", "States (electors)"], [[k, ", ".join(v) or "—"] for k, v in ratings(result)],
                    md, numbers=False)
    lines.append("")
    lines += _table(STATE_TABLE_HEADER, state_table(result), md)
    return "\n".join(lines) + "\n"


def _year(s: YearScore) -> dict[str, Any]:
    return {"year": s.year, "as_of": s.as_of, "polls": s.polls,
            "brier": _p(s.brier()), "brier_ev": _p(s.brier(weighted=True)), "called": s.called(),
            "coverage_80": _p(s.coverage), "baseline_brier": _p(s.brier("baseline")),
            "baseline_brier_ev": _p(s.brier("baseline", weighted=True)),
            "baseline_called": s.called("baseline"), "states": len(s.predictions),
            "win_democratic": _p(s.win_democratic), "fitted_on": list(s.parameters.fitted_on)}


def _bin(b: CalibrationBin) -> dict[str, Any]:
    return {"low": b.low, "high": b.high, "count": b.count, "predicted": _p(b.predicted),
            "observed": _p(b.observed)}


def render_backtest(result: Backtest, fmt: ForecastFormat | str = ForecastFormat.TEXT) -> str:
    """The back-test: per year the model's and the baseline's flat and EV-weighted Brier scores,
    states called, the 80% intervals' coverage; the pooled calibration tables. JSON ``{"years",
    "calibration", "baseline_calibration"}``; CSV one row per year.

    Raises:
        ValueError: for a format ``ForecastFormat`` does not name.
    """
    fmt = ForecastFormat(fmt)
    years = [_year(s) for s in result.years]
    if fmt is ForecastFormat.JSON:
        return json.dumps({"years": years, "calibration": [_bin(b) for b in result.calibration],
                           "baseline_calibration": [_bin(b) for b in result.baseline_calibration]},
                          indent=2) + "\n"
    if fmt is ForecastFormat.CSV:
        return _csv([{k: (" ".join(map(str, v)) if isinstance(v, list) else str(v)) for k, v in y.items()}
                     for y in years], tuple(years[0]) if years else ("year",))
    md = fmt is ForecastFormat.MD
    rows = [[str(y["year"]), str(y["as_of"]), str(y["polls"]), y["brier"], y["brier_ev"],
             f"{y['called']}/{y['states']}", y["coverage_80"], y["baseline_brier"],
             y["baseline_brier_ev"], f"{y['baseline_called']}/{y['states']}"] for y in years]
    lines = _table(["Year", "Polls to", "Polls", "Brier", "Brier (EV)", "Called", "80% coverage",
                    "Baseline Brier", "Baseline (EV)", "Baseline called"], rows, md)
    for title, bins in (("Calibration (model)", result.calibration),
                        ("Calibration (baseline)", result.baseline_calibration)):
        lines += ["", f"**{title}**" if md else title, ""]
        lines += _table(["P(D) bin", "States", "Mean predicted", "Share won by D"],
                        [[f"{b.low:.1f}–{b.high:.1f}", str(b.count), _p(b.predicted), _p(b.observed)]
                         for b in bins], md)
    return "\n".join(lines) + "\n"
