"""A map of incomplete returns does not headline shares that would pass for the result (issue 10,
F24): a national map with states absent, a state map with counties missing."""

from __future__ import annotations

import re

from electoral.report.maps import draw_map
from electoral.tabulate.nation import national_table
from electoral.tabulate.rollup import roll_up
from tests.report.elections import county_returns


def _subtitle(svg: str) -> str:
    found = re.search(r'class="subtitle"[^>]*>([^<]*)<', svg)
    assert found, "the map has a subtitle"
    return found.group(1)


def test_a_national_map_of_two_states_shows_no_national_share() -> None:
    table = national_table([county_returns("CT", 2024), county_returns("RI", 2024, seed=2)],
                           "state")
    subtitle = _subtitle(draw_map(table, "winner"))
    assert "2 of 51 states stored (absent: AK, AL," in subtitle
    assert "no national share shown" in subtitle and "%" not in subtitle


def test_a_state_map_with_counties_missing_shows_no_statewide_share() -> None:
    returns = county_returns("CT", 2024, skip=("09001", "09003"))
    subtitle = _subtitle(draw_map(roll_up(returns, "county"), "margin"))
    assert subtitle.startswith("Margin by county · 6 of 8 counties reporting; no statewide share")
    assert "%" not in subtitle


def test_complete_returns_keep_their_shares() -> None:
    subtitle = _subtitle(draw_map(roll_up(county_returns("CT", 2024), "county"), "winner"))
    assert "%" in subtitle and "share shown" not in subtitle
