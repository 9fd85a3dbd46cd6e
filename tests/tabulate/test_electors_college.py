"""The Electoral College on made-up returns: allocation rules, ties, a 269–269 contingent election,
flips, exact swings, the tipping point and the fewest votes to change the outcome."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from electoral.errors import NotFoundError, ValidationError
from electoral.model import Candidate, Count, Election, Party, Returns, Unit, UnitKind
from electoral.tabulate.apportion import electors_for
from electoral.tabulate.electors import (
    Nominee,
    StateVotes,
    count_college,
    display_name,
    state_votes,
)
from electoral.tabulate.scenarios import (
    Scenario,
    _knapsack,
    analyse,
    parse_flips,
    parse_swing,
    run_scenario,
    tipping_points,
)

D, R = "democratic", "republican"
NOMINEES = (Nominee("dem-id", "DOE, JANE", "Democratic", "Sam Roe", D),
            Nominee("rep-id", "ROE, RICHARD", "Republican", None, R))
# 269 electors in 2024: CA 54, TX 40, FL 30, NY 28, PA 19, IL 19, OH 17, GA 16, NC 16, MI 15,
# WA 12, AK 3.
HALF = ("CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI", "WA", "AK")


def fake(state: str, dem: int, rep: int, districts: dict | None = None) -> StateVotes:
    return StateVotes(state, {"dem-id": dem, "rep-id": rep}, dem + rep, NOMINEES,
                      {n: ({"dem-id": d, "rep-id": r}, d + r)
                       for n, (d, r) in (districts or {}).items()})


def country(dem_states, margin=10, year=2024, districts=None) -> list[StateVotes]:
    """Every state: Democrats win ``dem_states`` 55–45 (times ``margin``), Republicans the rest."""
    districts = districts or {}
    out = []
    for state in electors_for(year):
        dem, rep = (55, 45) if state in dem_states else (45, 55)
        out.append(fake(state, dem * margin, rep * margin, districts.get(state)))
    return out


ME_NE = {"ME": {1: (60, 40), 2: (40, 60)}, "NE": {1: (40, 60), 2: (51, 49), 3: (30, 70)}}


def test_winner_take_all_and_the_district_method() -> None:
    college = count_college(country({"CA", "NY", "ME"}, districts=ME_NE), 2028)
    assert college.total == 538 and college.needed == 270
    assert college.pledged == {D: 54 + 28 + 3 + 1, R: 538 - 86}
    assert [(c.id, c.winner, c.electors) for c in college.state("ME")] == [
        ("ME", D, 2), ("ME-01", D, 1), ("ME-02", R, 1)]
    assert [c.winner for c in college.state("NE")] == [R, R, D, R]
    assert college.winner == R and college.contingent is None
    assert college.name(D) == "Jane Doe" and college.nominees[R].party == "Republican"
    assert college.cast == college.pledged and college.elector_votes == ()


def test_a_district_state_without_district_results_is_refused() -> None:
    with pytest.raises(NotFoundError, match="no district results for ME 2028"):
        count_college(country({"CA"}), 2028)


def test_one_state_alone_gets_district_winners_by_its_own_candidate_ids() -> None:
    """Without ``unify`` (one state's returns on their own) the shipped table's party is mapped to
    the candidate who ran for it: Maine 2016 split 3–1."""
    from electoral.tabulate.electors import allocate_electors

    contests = allocate_electors(fake("ME", 357_735, 335_593), 4, 2016)
    assert [(c.id, c.winner, c.runner_up) for c in contests] == [
        ("ME", "dem-id", "rep-id"), ("ME-01", "dem-id", "rep-id"), ("ME-02", "rep-id", "dem-id")]
    assert contests[2].source.startswith("Maine Secretary of State")


def test_district_count_must_match_the_apportionment() -> None:
    districts = {**ME_NE, "ME": {1: (60, 40)}}
    with pytest.raises(ValidationError, match="ME 2028 has 2 congressional districts"):
        count_college(country({"CA"}, districts=districts), 2028)


def test_every_state_is_required_and_only_once() -> None:
    states = country({"CA"}, districts=ME_NE)
    with pytest.raises(NotFoundError, match="no presidential returns for OH"):
        count_college([s for s in states if s.state != "OH"], 2028)
    with pytest.raises(ValidationError, match="OH appears 2 times"):
        count_college([*states, fake("OH", 1, 2)], 2028)


def test_269_to_269_is_a_contingent_election() -> None:
    college = count_college(country(set(HALF), districts=ME_NE), 2028)
    # ME-01 (D) and NE-02 (D) against ME-02 (R) and the rest: swap them to keep 269–269.
    assert college.pledged[D] == 269 + 2
    flipped = run_scenario(country(set(HALF), districts=ME_NE), 2028,
                           Scenario(flips=("ME-01", "NE-02")))
    assert flipped.pledged == {D: 269, R: 269}
    assert flipped.winner is None
    contingent = flipped.contingent
    assert contingent is not None
    assert set(contingent.president_among) == {D, R}
    assert (contingent.house_needed, contingent.senate_needed) == (26, 51)
    assert "Sam Roe" in contingent.vice_president_among
    assert "the running mate of Richard Roe" in contingent.vice_president_among
    assert flipped.scenario == "flipped ME-01, NE-02"
    assert tipping_points(flipped) == ()


def test_a_tied_state_awards_no_electors() -> None:
    states = [s if s.state != "OH" else fake("OH", 500, 500)
              for s in country({"CA"}, districts=ME_NE)]
    college = count_college(states, 2028)
    (ohio,) = college.state("OH")
    assert ohio.winner is None and ohio.margin == 0
    assert sum(college.pledged.values()) == 538 - 17


def test_flipping_a_state_gives_all_its_electors_to_the_runner_up() -> None:
    states = country({"CA"}, districts=ME_NE)
    college = run_scenario(states, 2028, Scenario(flips=parse_flips("oh,ne")))
    assert {c.winner for c in college.state("NE")} == {D}
    assert all(c.flipped for c in college.state("NE"))
    assert college.state("OH")[0].winner == D
    assert college.pledged[D] == 54 + 17 + 5 + 1  # CA, OH, all of NE, ME-01


def test_an_unknown_flip_is_refused() -> None:
    with pytest.raises(ValidationError, match="OH-03 is not a contest"):
        run_scenario(country({"CA"}, districts=ME_NE), 2028, Scenario(flips=("OH-03",)))


@pytest.mark.parametrize(("text", "points"), [
    ("D+2", Fraction(2)), ("R+1.5", Fraction(-3, 2)), (" d + 0.25 ", Fraction(1, 4)),
    ("R+0", Fraction(0)), (None, Fraction(0)), ("", Fraction(0))])
def test_swing_syntax(text, points) -> None:
    assert parse_swing(text) == points


@pytest.mark.parametrize("text", ["D2", "X+1", "D+abc", "D+-1", "2", "D+101", "D+1e3"])
def test_a_swing_that_is_not_a_number_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="swing"):
        parse_swing(text)


@pytest.mark.parametrize("text", ["ZZ", "O1", "OHIO", "NE-2-3"])
def test_a_flip_that_is_not_a_state_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="not a state code"):
        parse_flips(text)


def test_parse_flips_normalises_districts() -> None:
    assert parse_flips("oh, ne-2,NE02 ,OH") == ("OH", "NE-02")


def test_a_swing_is_exact_to_the_vote() -> None:
    """490–510 of 1,000 is R+2: D+2 ties it (no winner), D+2.002 gives it to the Democrat."""
    states = [s if s.state != "OH" else fake("OH", 490, 510)
              for s in country({"CA"}, districts=ME_NE)]
    tied = run_scenario(states, 2028, Scenario(swing=parse_swing("D+2")))
    assert tied.state("OH")[0].winner is None
    won = run_scenario(states, 2028, Scenario(swing=parse_swing("D+2.002")))
    assert won.state("OH")[0].winner == D
    assert won.state("OH")[0].margin == Fraction(2, 100)
    assert won.scenario == "uniform swing D+2.002"


def test_a_swing_moves_districts_with_returns() -> None:
    states = country({"CA"}, districts=ME_NE)
    college = run_scenario(states, 2028, Scenario(swing=Fraction(-3)))  # R+3
    assert college.state("NE")[2].winner == R  # NE-02 was 51–49 D


def test_the_faithless_record_must_fit_the_returns() -> None:
    # 2004: a Minnesota elector pledged to the Democrat; these returns give MN to the Republican.
    with pytest.raises(ValidationError, match="pledged to the democratic ticket"):
        count_college(country({"CA"}, year=2004), 2004)


def test_tipping_point_and_votes_to_change() -> None:
    """Democrats win HALF but Alaska (266) by 10 points, ME-01 by 20, NE-02 by 2 and Virginia (13)
    by 1,000 votes: 281 electors, and Virginia is the one that takes them past 270."""
    dem_states = (set(HALF) - {"AK"}) | {"VA"}
    states = [fake(s.state, 50_500, 49_500) if s.state == "VA" else s
              for s in country(dem_states, margin=10_000, districts=ME_NE)]
    analysis = analyse(states, 2028)
    college = analysis.college
    assert college.pledged[D] == 281 and college.winner == D
    assert analysis.tipping_point == "VA" and analysis.tipping_points == ("VA",)
    # closest by margin share: Virginia's 1,000 of 100,000 (1 point) before NE-02's 2 points
    assert [(c.id, c.margin_votes) for c in analysis.closest[:2]] == [("VA", 1000), ("NE-02", 2)]
    shares = [c.margin_votes / c.total for c in analysis.closest]
    assert shares == sorted(shares)  # closest by margin share, not by votes
    goals = {c.goal: c for c in analysis.changes}
    assert (goals["deny-majority"].votes, goals["deny-majority"].contests) == (501, ("VA",))
    assert (goals["elect-runner-up"].votes, goals["elect-runner-up"].electors) == (501, 13)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 20), st.integers(0, 1000)), max_size=9),
       st.integers(-5, 80))
def test_knapsack_matches_brute_force(items, target) -> None:
    named = [(f"s{i}", w, c) for i, (w, c) in enumerate(items)]
    found = _knapsack(named, target)
    best = None
    for k in range(len(named) + 1):
        for subset in combinations(named, k):
            if sum(w for _, w, _ in subset) >= target:
                cost = sum(c for _, _, c in subset)
                best = cost if best is None else min(best, cost)
    assert (found[0] if found else None) == best
    if found:
        assert sum(w for i, w, _ in named if i in found[1]) >= target
        assert sum(c for i, _, c in named if i in found[1]) == found[0]


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(sorted(electors_for(2028)))))
def test_pledged_electors_always_total_538(dem_states) -> None:
    college = count_college(country(dem_states, districts=ME_NE), 2028)
    assert sum(college.pledged.values()) == 538 == sum(college.cast.values())
    assert (college.winner is None) == (max(college.pledged.values()) < 270)


def _returns(state: str, district_votes: dict[int, tuple[int, int]]) -> Returns:
    units = [Unit(state, state, UnitKind.STATE)]
    units += [Unit(f"{state}-cd{n}", f"District {n}", UnitKind.DISTRICT, parent=state)
              for n in district_votes]
    counts = [Count(f"{state}-cd{n}", cid, v) for n, pair in district_votes.items()
              for cid, v in zip(("doe", "roe"), pair, strict=True)]
    return Returns(Election(2028, state), (Candidate("doe", "Jane Doe", D),
                                           Candidate("roe", "Richard Roe", R)),
                   tuple(units), tuple(counts), (Party(D, "Democratic"), Party(R, "Republican")))


def test_district_returns_are_read_from_district_units() -> None:
    votes = state_votes(_returns("ME", {1: (600, 400), 2: (450, 550)}))
    assert votes.votes == {"doe": 1050, "roe": 950}
    assert votes.districts == {1: ({"doe": 600, "roe": 400}, 1000),
                               2: ({"doe": 450, "roe": 550}, 1000)}


@pytest.mark.parametrize(("label", "name"), [
    ("BUSH, GEORGE W.", "George W. Bush"), ("MCCAIN, JOHN", "John McCain"),
    ("BIDEN, JOSEPH R. JR", "Joseph R. Biden Jr."), ("Hillary Clinton", "Hillary Clinton"),
    ("OTHER", "Other")])
def test_display_names(label: str, name: str) -> None:
    assert display_name(label) == name


def test_the_faithless_record_1976_to_2024() -> None:
    """National Archives: 1976 one Ford elector (WA) for Reagan; 1988 one Dukakis elector (WV) for
    Bentsen; 2000 one Gore elector (DC) abstained; 2004 one Kerry elector (MN) for Edwards; 2016
    seven (two Trump electors in TX, four Clinton electors in WA, one in HI)."""
    from collections import Counter

    from electoral.tabulate.electors import FAITHLESS_YEARS, faithless_record

    record = faithless_record()
    assert Counter(v.year for v in record) == {1976: 1, 1988: 1, 2000: 1, 2004: 1, 2016: 7}
    assert all(v.year in FAITHLESS_YEARS and v.pledged in (D, R) and v.source for v in record)
    assert [v.state for v in record if not v.president] == ["DC"]
    assert Counter((v.state, v.pledged) for v in record if v.year == 2016) == {
        ("TX", R): 2, ("WA", D): 4, ("HI", D): 1}
    assert Counter(v.president for v in record if v.year == 2016)["Colin Powell"] == 3
