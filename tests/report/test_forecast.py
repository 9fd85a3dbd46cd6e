"""Rendering a forecast and a back-test: 538's columns from the incumbent party's side, the ratings
table, and every format."""

from __future__ import annotations

import csv
import io
import json

import pytest

from electoral.analyze.forecast import Parameters, Unit, forecast
from electoral.analyze.forecast_backtest import Prediction, YearScore, backtest
from electoral.report.forecast import render_backtest, render_forecast, state_row
from electoral.report.forecast_charts import ev_histogram

PARAMS = Parameters(0.0, 0.0, 0.0, 1.0)


def certain(incumbent: str):
    units = (Unit("PA", "PA", 300, 4.0, 0.0), Unit("OH", "OH", 238, -6.0, 0.0))
    return forecast(units, PARAMS, year=2020, as_of="2020-10-20", national=1.5, incumbent=incumbent,
                    simulations=10, seed=0)


def test_columns_are_from_the_incumbent_partys_side() -> None:
    result = certain("republican")
    assert state_row(result, result.states[0])["state"] == "PA"  # in the order of the units
    rows = {r["state"]: r for r in csv.DictReader(io.StringIO(render_forecast(result, "csv")))}
    # The Republican incumbent loses PA (D+4): winstate_inc 0, margin −4 from the incumbent's side.
    assert rows["PA"]["winstate_inc"] == "0.0000" and rows["PA"]["winstate_chal"] == "1.0000"
    assert rows["PA"]["margin"] == "-4.00" and rows["OH"]["margin"] == "6.00"
    assert rows["PA"]["tipping"] == "1.0000" and rows["PA"]["rating"] == "Safe"
    dem = {r["state"]: r for r in csv.DictReader(io.StringIO(render_forecast(certain("democratic"),
                                                                           "csv")))}
    assert dem["PA"]["winstate_inc"] == "1.0000" and dem["PA"]["margin"] == "4.00"


def test_json_and_text_carry_the_national_figures_and_ratings() -> None:
    data = json.loads(render_forecast(certain("republican"), "json"))
    assert data["national"]["ecwin_chal"] == "1.0000" and data["national"]["ev_chal"] == "300.0"
    assert data["national"]["ev_inc_lo"] == data["national"]["ev_inc_hi"] == 238
    assert data["ratings"]["Safe D"] == ["PA (300)"] and data["ratings"]["Safe R"] == ["OH (238)"]
    assert data["ev_probabilities"] == [{"total_ev": 300, "evprob_dem": "1.0000"}]
    text = render_forecast(certain("republican"), "md")
    assert "| Safe D | PA (300) |" in text and "Safe ≥ 95%" in text
    with pytest.raises(ValueError):
        render_forecast(certain("republican"), "xml")


def test_backtest_renders_scores_and_calibration() -> None:
    preds = (Prediction("PA", 20, 0.8, 0.6, -1.0, 5.0, 1.2), Prediction("OH", 18, 0.3, 0.4, -8, 1, -8.0))
    year = YearScore(2016, "2016-11-08", 100, PARAMS, 0.7, 300.0, preds)
    assert year.brier() == pytest.approx((0.04 + 0.09) / 2)
    assert year.brier(weighted=True) == pytest.approx((20 * 0.04 + 18 * 0.09) / 38)
    assert year.called() == 2 and year.coverage == 1.0
    rows = list(csv.DictReader(io.StringIO(render_backtest(backtest([year]), "csv"))))
    assert rows[0]["brier"] == "0.0650" and rows[0]["called"] == "2"
    assert "Calibration (model)" in render_backtest(backtest([year]), "text")


def test_the_histogram_is_svg_with_a_bar_per_count_drawn() -> None:
    svg = ev_histogram(certain("republican"))
    assert svg.startswith("<svg") and svg.count("<rect") == 2  # the background and one bar


def test_map_labels_never_round_to_certainty() -> None:
    from electoral.report.forecast_charts import percent_label

    assert [percent_label(p) for p in (1.0, 0.996, 0.5, 0.004, 0.0)] == ["100", ">99", "50", "<1", "0"]


def test_the_calibration_chart_has_a_dot_per_bin_of_model_and_baseline() -> None:
    from electoral.report.forecast_charts import calibration_chart

    preds = (Prediction("PA", 20, 0.8, 0.6, -1.0, 5.0, 1.2), Prediction("OH", 18, 0.3, 0.4, -8, 1, -8.0))
    svg = calibration_chart(backtest([YearScore(2016, "2016-11-08", 100, PARAMS, 0.7, 300.0, preds)]))
    assert svg.startswith("<svg") and svg.count("<circle") == 4 and "Calibration, 2016" in svg
