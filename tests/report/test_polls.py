"""Rendering poll averages: rounding once, half away from zero; names shown as data, not markup."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from electoral.analyze.polls import HouseEffect, PollAverages, StateAverage
from electoral.report.polls import CSV_COLUMNS, lean, render_polls, rounded

AVERAGES = PollAverages(
    dt.date(2020, 10, 20),
    (StateAverage("PA", dt.date(2020, 10, 20), 50.25, 44.0, 6.25, 1.0, 3, 2.5, ()),),
    (HouseEffect("[bold]Odd[/bold] Polls", 4, -2.05),))


def test_rounding_is_half_away_from_zero() -> None:
    assert [rounded(0.25), rounded(-0.25), rounded(2.05), rounded(6.25, 2)] == [
        rounded(0.3), rounded(-0.3), rounded(2.1), rounded(6.25, 2)]
    assert [lean(6.25), lean(-2.05), lean(0.04), lean(-0.04)] == ["D+6.3", "R+2.1", "even", "even"]


def test_json_states_the_interval_from_the_standard_error() -> None:
    data = json.loads(render_polls(AVERAGES, "json"))
    # 6.25 ± 1.959964 × 1.0
    assert data["states"][0] == {"geography": "PA", "polls": 3, "effective_polls": "2.50",
                                      "democratic": "50.25", "republican": "44.00", "margin": "6.25",
                                      "margin_se": "1.00", "low_95": "4.29", "high_95": "8.21"}
    assert data["house_effects"] == [{"pollster": "[bold]Odd[/bold] Polls", "polls": 4, "effect": "-2.05"}]


def test_csv_and_text() -> None:
    rows = list(csv.DictReader(io.StringIO(render_polls(AVERAGES, "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS and [r["record"] for r in rows] == ["state", "pollster"]
    text = render_polls(AVERAGES, "text")
    assert "[bold]Odd[/bold] Polls" in text and "D+6.3" in text and "R+2.1" in text
    assert "│ 2.0 │" in text  # the half-width 1.959964 × 1.0


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError):
        render_polls(AVERAGES, "xml")
