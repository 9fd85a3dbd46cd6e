"""Poll averages and margins of error, against figures computed by hand."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from electoral.analyze.polls import (
    last_polls_average,
    lead_margin_of_error,
    pick_question,
    poll_averages,
    share_margin_of_error,
)
from electoral.model import Party, Poll, PollAnswer, PollQuestion, Pollster, Population

DEM, REP = Party("democratic", "Democratic"), Party("republican", "Republican")


def poll(pid: str, end: str, dem: str, rep: str, n: int | None = 600, grade: str | None = "A+",
         pollster: str | None = None, population: Population = Population.LV,
         partisan: str | None = None, geography: str = "PA",
         more: tuple[PollQuestion, ...] = ()) -> Poll:
    day = dt.date.fromisoformat(end)
    question = PollQuestion(f"q{pid}", population, None if n is None else Decimal(n),
                            (PollAnswer("Biden", DEM, Decimal(dem)), PollAnswer("Trump", REP, Decimal(rep))))
    return Poll(pid, Pollster(pollster or f"p{pid}", pollster or f"Pollster {pid}", grade), geography,
                day - dt.timedelta(days=3), day, (question, *more), partisan=partisan)


def test_share_moe_of_1000_is_the_published_3_1_points() -> None:
    assert round(share_margin_of_error(50, 1000), 1) == 3.1
    assert share_margin_of_error(50, 800) == pytest.approx(1.959964 * math.sqrt(2500 / 800), abs=1e-5)


def test_design_effect_widens_the_moe_by_its_square_root() -> None:
    assert share_margin_of_error(50, 800, 2.0) == pytest.approx(share_margin_of_error(50, 800) * 2 ** .5)


def test_lead_moe_counts_the_shares_negative_covariance() -> None:
    # 50% vs 44% of 400: var = (0.5 + 0.44 - 0.06²)/400 → 100·1.96·√(0.9364/400) = 9.483 points.
    assert lead_margin_of_error(50, 44, 400) == pytest.approx(9.4833, abs=1e-3)
    # Nearly all-or-nothing between two: the lead's MoE is twice the share's.
    assert lead_margin_of_error(50, 50, 1000) == pytest.approx(2 * share_margin_of_error(50, 1000))


@pytest.mark.parametrize("args", [(50, 0), (120, 100), (-1, 100)])
def test_moe_refuses_impossible_inputs(args: tuple[float, float]) -> None:
    with pytest.raises(ValueError):
        share_margin_of_error(*args)
    with pytest.raises(ValueError):
        lead_margin_of_error(60, 50, 100)


def test_likely_voters_are_preferred_over_registered_and_adults() -> None:
    rv = PollQuestion("rv", Population.RV, Decimal(900), (PollAnswer("Biden", DEM, Decimal(49)),
                                                          PollAnswer("Trump", REP, Decimal(44))))
    adults = PollQuestion("a", Population.A, Decimal(1000), rv.answers)
    with_lv = poll("1", "2020-10-01", "50", "46", population=Population.LV, more=(rv, adults))
    assert pick_question(with_lv) == with_lv.questions[0]
    only = Poll("2", with_lv.pollster, "PA", with_lv.start, with_lv.end, (adults, rv))
    assert pick_question(only) == rv


def test_the_last_three_polls_are_averaged_plainly() -> None:
    polls = [poll("1", "2020-10-01", "40", "50"), poll("2", "2020-10-10", "52", "42"),
             poll("3", "2020-10-05", "50", "44"), poll("4", "2020-10-08", "51", "43"),
             poll("5", "2020-10-20", "60", "30", geography="OH")]
    last = last_polls_average(polls, "PA", 3)
    assert last.polls == ("2", "4", "3")
    assert last.democratic == Decimal(51) and last.republican == Decimal(43) and last.margin == 8


def test_weighted_average_of_three_polls_by_hand() -> None:
    polls = [poll("1", "2020-10-15", "50", "44", n=400, grade="A+"),
             poll("2", "2020-10-01", "48", "46", n=900, grade="B"),
             poll("3", "2020-10-15", "45", "47", n=3600, grade="D-", partisan="REP")]
    average = poll_averages(polls, dt.date(2020, 10, 15))
    [pa] = average.states
    # recency · √min(n, 2000) · grade (· ½ partisan): 1·20·1.0, ½·30·0.75, 1·√2000·0.3·½
    w = (20.0, 11.25, math.sqrt(2000) * 0.15)
    expected = (6 * w[0] + 2 * w[1] - 2 * w[2]) / sum(w)
    # One poll per pollster: house effects (m − avg)/4 cancel in the weighted mean.
    assert pa.margin == pytest.approx(expected)
    assert pa.margin == pytest.approx(3.400674, abs=1e-5)
    assert [round(x.weight, 6) for x in pa.weights] == [round(x / sum(w), 6) for x in w]
    assert {h.pollster: h.effect for h in average.house_effects} == pytest.approx(
        {"Pollster 1": (6 - expected) / 4, "Pollster 2": (2 - expected) / 4,
         "Pollster 3": (-2 - expected) / 4})
    assert pa.effective_polls == pytest.approx(sum(w) ** 2 / sum(x * x for x in w))


def test_a_pollsters_lean_is_taken_off_its_polls() -> None:
    polls = [poll(str(i), "2020-10-10", "50", "44", pollster="Even") for i in range(4)]
    polls += [poll(str(10 + i), "2020-10-10", "45", "49", pollster="Leaner") for i in range(4)]
    average = poll_averages(polls)
    effects = {h.pollster: h.effect for h in average.house_effects}
    # Both pollsters' polls weigh alike: average 1, residuals +5 and −5 over 4 polls + 3 prior.
    assert effects == pytest.approx({"Even": 20 / 7, "Leaner": -20 / 7})
    assert average.states[0].margin == pytest.approx(1.0)


def test_one_polls_uncertainty_is_its_sampling_error_with_design_effect() -> None:
    [pa] = poll_averages([poll("1", "2020-10-15", "50", "44", n=400)]).states
    assert pa.margin_se == pytest.approx(math.sqrt(1.5 * (100 * 94 - 36) / 400))
    low, high = pa.interval
    assert high - pa.margin == pytest.approx(1.959964 * pa.margin_se, abs=1e-5)
    assert low < pa.margin < high


def test_polls_that_disagree_beyond_sampling_widen_the_interval() -> None:
    agree = poll_averages([poll("1", "2020-10-15", "50", "44"), poll("2", "2020-10-15", "50", "44")])
    split = poll_averages([poll("1", "2020-10-15", "60", "34"), poll("2", "2020-10-15", "40", "54")])
    assert split.states[0].margin_se > agree.states[0].margin_se


def test_polls_after_the_as_of_date_are_left_out() -> None:
    polls = [poll("1", "2020-10-01", "50", "44"), poll("2", "2020-10-20", "40", "54")]
    [pa] = poll_averages(polls, dt.date(2020, 10, 10)).states
    assert pa.polls == 1 and pa.margin == pytest.approx(6.0)
    with pytest.raises(ValueError):
        poll_averages(polls, dt.date(2020, 9, 1))


shares = st.integers(min_value=0, max_value=50)


@given(st.lists(st.tuples(shares, shares, st.integers(50, 5000), st.integers(0, 60),
                          st.sampled_from(["A+", "B", "D-", None]), st.sampled_from("xyz")),
                min_size=1, max_size=12), st.randoms())
def test_the_average_lies_among_its_polls_and_ignores_their_order(rows, rnd) -> None:
    polls = [poll(str(i), (dt.date(2020, 10, 20) - dt.timedelta(days=age)).isoformat(), str(d), str(r),
                  n=n, grade=g, pollster=p) for i, (d, r, n, age, g, p) in enumerate(rows)]
    [pa] = poll_averages(polls, dt.date(2020, 10, 20)).states
    adjusted = [w.adjusted for w in pa.weights]
    assert min(adjusted) - 1e-9 <= pa.margin <= max(adjusted) + 1e-9
    assert sum(w.weight for w in pa.weights) == pytest.approx(1.0)
    assert 1 - 1e-9 <= pa.effective_polls <= len(polls) + 1e-9 and pa.margin_se >= 0
    shuffled = polls[:]
    rnd.shuffle(shuffled)
    [again] = poll_averages(shuffled, dt.date(2020, 10, 20)).states
    assert again.margin == pytest.approx(pa.margin) and again.margin_se == pytest.approx(pa.margin_se)
