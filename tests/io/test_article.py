"""The seed articles, read by the article reader: every unit table's raw counts and figures."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from electoral.errors import ValidationError
from electoral.io import open_source
from electoral.io.article import parse_figure, read_article
from electoral.io.sample import bundled_samples, read_sample, write_sample
from electoral.io.stage import validate
from electoral.model import UnitKind
from electoral.published import TableKind

SEEDS = ("2004-CT-president", "2004-MA-president", "2024-CT-president", "2004-MO-president")


def article(seed, election: str):
    source = open_source(seed(election))
    return read_article(source.stream(), source.name)


def test_figures_keep_their_stated_precision() -> None:
    figure = parse_figure("-5.70%")
    assert figure is not None
    assert (figure.value, figure.places, figure.percent) == (Decimal("-5.70"), 2, True)
    assert parse_figure("1,578,769").value == 1578769  # type: ignore[union-attr]
    assert parse_figure("–10").value == -10  # type: ignore[union-attr]
    assert parse_figure("Eliminated") is None


@pytest.mark.parametrize("election", SEEDS)
def test_each_article_reads_into_valid_returns(seed, election: str) -> None:
    returns = article(seed, election).returns
    assert returns.election.id == election
    assert validate(returns) is returns
    assert any(u.kind == UnitKind.COUNTY for u in returns.units)


def test_counties_are_keyed_by_fips(seed) -> None:
    units = {u.name: u for u in article(seed, "2004-MO-president").returns.units}
    assert units["St. Louis"].id == "29189"
    assert units["St. Louis City"].id == "29510"
    assert units["Ste. Genevieve"].fips == "29186"
    assert len([u for u in units.values() if u.kind == UnitKind.COUNTY]) == 115


def test_infobox_gives_running_mates_and_home_states(seed) -> None:
    returns = article(seed, "2004-CT-president").returns
    kerry = returns.candidate("john-kerry")
    bush = returns.candidate("george-w-bush")
    assert (kerry.running_mate, kerry.home_state, kerry.incumbent) == (
        "John Edwards", "Massachusetts", False)
    assert bush.incumbent and returns.party_name(bush.party) == "Republican"


def test_unnamed_candidates_are_resolved_from_the_infobox_or_kept_unnamed(seed) -> None:
    returns = article(seed, "2024-CT-president").returns
    names = [c.name for c in returns.candidates if not c.aggregate]
    assert "Kamala Harris" in names and "Donald Trump" in names
    unnamed = [c for c in returns.candidates if not c.name]
    # Green, Libertarian, PSL, American Solidarity and three Independents: never invented.
    assert len(unnamed) == 7
    assert all(c.id.startswith("unnamed-") for c in unnamed)


def test_council_of_government_table_is_a_second_partition(seed) -> None:
    returns = article(seed, "2024-CT-president").returns
    cogs = [u for u in returns.units if u.kind == UnitKind.COG]
    assert len(cogs) == 9
    assert {u.fips for u in cogs} >= {"09110", "09190"}


def test_tables_published_are_all_found(seed) -> None:
    kinds = [t.kind for t in article(seed, "2024-CT-president").tables]
    assert kinds.count(TableKind.UNITS) == 2
    assert TableKind.ROUNDS in kinds and TableKind.RESULTS in kinds
    assert TableKind.DISTRICTS in kinds


def test_electors_listed(seed) -> None:
    assert article(seed, "2004-MO-president").electors[0] == "Rosemary Kochner"
    assert len(article(seed, "2004-MA-president").electors) == 12


def test_district_continuation_rows_are_not_districts(seed) -> None:
    districts = [u for u in article(seed, "2004-MO-president").returns.units
                 if u.kind == UnitKind.DISTRICT]
    assert len(districts) == 9


@pytest.mark.parametrize("election", SEEDS)
def test_bundled_sample_is_what_the_reader_derives(seed, election: str) -> None:
    derived = write_sample(article(seed, election))
    shipped = dict(bundled_samples())[f"{election}.sample.json"]
    assert derived == shipped, "run `make data` to re-derive the bundled samples"
    again = read_sample(io.StringIO(shipped), "x")
    assert write_sample(again) == shipped


def test_not_an_article_is_refused_with_its_line() -> None:
    with pytest.raises(ValidationError) as caught:
        read_article(io.StringIO("\n\nhello\n"), "bad.txt")
    problem = caught.value.problems[0]
    assert (problem.source, problem.line, problem.field) == ("bad.txt", 3, "title")


def test_a_unit_row_without_counts_is_refused() -> None:
    text = (
        "= 2004 United States presidential election in Connecticut =\n\nInfobox\n"
        "- Nominee1: John Kerry\n- Party1: Democratic Party (United States)\n"
        "- Nominee2: George W. Bush\n- Party2: Republican Party (United States)\n\n"
        "===By county===\n"
        "| County | John Kerry Democratic | George W. Bush Republican | Various | Margin | Total |\n"
        "| # | % | # | % | # | % | # | % | |\n"
        "| Fairfield | 205,902 | 51.35% | n/a | 47.29% | 5,460 | 1.36% | 16,297 | 4.06% | 400,967 |\n")
    with pytest.raises(ValidationError) as caught:
        read_article(io.StringIO(text), "t.txt")
    problem = caught.value.problems[0]
    assert (problem.line, problem.field) == (12, "George W. Bush #")
    assert "n/a" in problem.message


def test_polls_are_read_per_matchup(seed) -> None:
    polls = [t for t in article(seed, "2024-CT-president").tables if t.kind == TableKind.POLLS]
    assert [t.title for t in polls][:2] == ["Kamala Harris vs. Donald Trump vs. Robert F. Kennedy Jr.",
                                            "Joe Biden vs. Donald Trump"]
    massinc = polls[0].rows[0]
    assert massinc.label == "MassINC Polling Group (September 12–18, 2024)"
    assert [c.text for c in massinc.cells if c] == ["800", "3.7%", "52%", "37%", "3%", "8%"]
    # The "Joe Biden withdraws from the race" row is an event, not a poll.
    assert len(polls[1].rows) == 5
