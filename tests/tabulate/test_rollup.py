"""Roll-ups: exact percentages, margins, "other", and units adding up to their parent."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from electoral.api import published_from_text
from electoral.io import Format
from electoral.io.sample import bundled_samples
from electoral.model import Candidate, Count, Election, Returns, Unit, UnitKind
from electoral.numbers import percent
from electoral.tabulate.rollup import roll_up


def sample(election: str) -> Returns:
    name = f"{election}.sample.json"
    return published_from_text(name, dict(bundled_samples())[name], Format.SAMPLE).returns


def test_percent_rounds_half_away_from_zero() -> None:
    assert percent(1, 8, 2) == Decimal("12.50")
    assert percent(1, 800, 1) == Decimal("0.1")  # 0.125 → 0.1
    assert percent(1, 400, 1) == Decimal("0.3")  # 0.25 → 0.3, half away from zero
    assert percent(-1, 400, 1) == Decimal("-0.3")
    assert percent(-5513, 96668) == Decimal("-5.70")
    assert percent(0, 0) == Decimal("0.00")


def test_ma_county_table_reproduces_the_article() -> None:
    table = roll_up(sample("2004-MA-president"), "county")
    barnstable = table.row("Barnstable")
    assert barnstable.total == 132148
    assert [c.name for c in table.columns[:2]] == ["John Kerry", "George W. Bush"]
    assert table.other(barnstable) == 1465
    assert percent(table.other(barnstable), barnstable.total) == Decimal("1.11")
    assert (table.margin(barnstable), table.margin_percent(barnstable)) == (13629, Decimal("10.31"))
    # Essex: the article says 1.41%; the exact figure is 1.22%.
    essex = table.row("Essex")
    assert percent(table.other(essex), essex.total) == Decimal("1.22")


def test_margin_is_negative_where_the_second_leads() -> None:
    table = roll_up(sample("2004-MO-president"), "county")
    assert [c.name for c in table.columns[:2]] == ["George W. Bush", "John Kerry"]
    jackson = table.row("Jackson")
    assert table.margin(jackson) == -53154
    assert table.margin_percent(jackson) == Decimal("-16.82")


def test_state_level_uses_the_statewide_results() -> None:
    state = roll_up(sample("2004-CT-president"), "state")
    assert state.total.total == 1578769
    assert state.total.of("roger-calero") == 12


def test_unit_total_row_is_the_sum_of_its_rows() -> None:
    table = roll_up(sample("2024-CT-president"), "county")
    assert table.total.total == sum(r.total for r in table.rows) == 1759010


@st.composite
def precinct_returns(draw: st.DrawFn) -> Returns:
    counties = draw(st.integers(1, 4))
    candidates = [Candidate(f"c{i}", f"Candidate {i}") for i in range(draw(st.integers(2, 5)))]
    units = [Unit("ST", "State", UnitKind.STATE)]
    counts = []
    for c in range(counties):
        units.append(Unit(f"county-{c}", f"County {c}", UnitKind.COUNTY, "ST"))
        for p in range(draw(st.integers(1, 5))):
            pid = f"county-{c}/p{p}"
            units.append(Unit(pid, f"P{p}", UnitKind.PRECINCT, f"county-{c}"))
            for cand in candidates:
                counts.append(Count(pid, cand.id, draw(st.integers(0, 10_000))))
    return Returns(Election(2020, "CT"), tuple(candidates), tuple(units), tuple(counts))


@settings(max_examples=60, deadline=None)
@given(precinct_returns())
def test_units_add_up_to_their_parent(returns: Returns) -> None:
    counties = roll_up(returns, "county")
    state = roll_up(returns, "state")
    precincts = roll_up(returns, "precinct")
    for candidate in returns.candidates:
        independent = sum(c.votes for c in returns.counts if c.candidate == candidate.id)
        assert state.total.of(candidate.id) == independent
        assert sum(r.of(candidate.id) for r in counties.rows) == independent
        assert sum(r.of(candidate.id) for r in precincts.rows) == independent
    for row in counties.rows:
        if row.total:
            shares = sum(row.share(c.id) for c in returns.candidates)
            slack = Decimal("0.005") * len(returns.candidates)
            assert abs(shares - 100) <= slack
