"""BRAVO sizes and risk (Lindeman, Stark and Yates 2012), checked against published values and
against the definitions computed another way."""

from __future__ import annotations

import math

import pytest
from scipy.stats import binom

from electoral.errors import ValidationError
from electoral.rla import audit, bravo
from electoral.rla.audit import Method
from electoral.rla.contest import make_contest, parse_counts


@pytest.mark.parametrize(("votes", "ballots", "asn"), [
    ({"A": 600_000, "B": 400_000}, 1_000_000, 119),  # BRAVO Table 1 via rlacalc findAsn, α = 0.1
    ({"A": 520_000, "B": 480_000}, 1_000_000, 2902),
    ({"A": 505_000, "B": 495_000}, 1_000_000, 46151),
    ({"A": 600, "B": 200, "C": 100}, 900, 22),  # Arlo test_bravo.py test2
])
def test_asn_published(votes: dict[str, int], ballots: int, asn: int) -> None:
    assert bravo.plan(make_contest(votes, ballots), 0.1).asn == asn


def test_round_one_sizes_really_finish_with_their_chance() -> None:
    contest = make_contest({"A": 600, "B": 400}, 1000)
    made = bravo.plan(contest, 0.1)
    assert made.quantiles == {0.7: 184, 0.8: 244, 0.9: 351}  # Arlo test_bravo.py test1
    a, b, t = math.log(1.2), math.log(0.8), math.log(10)
    for q, n in made.quantiles.items():
        # every ballot is A's or B's here: the round ends when A's k among n reaches k_min
        k_min = math.ceil((t - n * b) / (a - b))
        assert binom.sf(k_min - 1, n, 0.6) >= q


def test_risk_is_one_over_the_ratio_at_the_best_round() -> None:
    contest = make_contest({"A": 600, "B": 400}, 1000)
    p, pairs = bravo.risk(contest, [{"A": 60, "B": 40}, {"A": 20, "B": 30}])
    first = 1 / (1.2**60 * 0.8**40)
    second = 1 / (1.2**80 * 0.8**70)
    assert pairs[0].by_round == pytest.approx((min(1, first), min(1, second)), rel=1e-12)
    assert p == pytest.approx(min(first, second, 1), rel=1e-12)


def test_measure_escalates_then_plans_the_rest() -> None:
    contest = make_contest({"A": 600, "B": 400}, 1000)
    found = audit.measure(Method.BRAVO, contest, 0.1, seen=[{"A": 30, "B": 25}])
    assert found["confirmed"] is False and found["rounds"][0]["confirmed"] is False
    further = bravo.plan(contest, 0.1, [{"A": 30, "B": 25}]).sample_size
    assert found["next_sample_size"] == further > 0
    done = audit.measure(Method.BRAVO, contest, 0.1, seen=[{"A": 30, "B": 25}, {"A": 200, "B": 100}])
    assert done["confirmed"] is True and done["next_sample_size"] == 0
    again = audit.plan(Method.BRAVO, contest, 0.1, seen=[{"A": 30, "B": 25}, {"A": 200, "B": 100}])
    assert again["sample_size"] == 0 and again["asn"] == 0


def test_ties_and_tiny_margins_need_a_full_hand_count() -> None:
    tied = bravo.plan(make_contest({"A": 500, "B": 500}, 1000), 0.1)
    assert tied.full_hand_count and tied.sample_size == 1000 and tied.asn is None
    # Arlo's rule: more than 100,000 ballots and a 90 % size of a quarter of them or more
    close = bravo.plan(make_contest({"A": 500_500, "B": 499_500}, 1_000_000), 0.1)
    assert close.full_hand_count and close.sample_size == 1_000_000
    tight_small = bravo.plan(make_contest({"A": 51, "B": 49}, 100), 0.1)
    assert tight_small.full_hand_count and tight_small.sample_size == 100


def test_several_winners_pair_every_winner_with_every_loser() -> None:
    contest = make_contest({"A": 400, "B": 350, "C": 150, "D": 100}, 1000, winners=2)
    made = bravo.plan(contest, 0.1)
    assert [(p.pair.winner, p.pair.loser) for p in made.pairs] == [
        ("A", "C"), ("A", "D"), ("B", "C"), ("B", "D")]
    assert made.quantiles is None
    assert made.asn == max(p.asn or 0 for p in made.pairs) == made.sample_size


def test_bad_tallies_are_refused_with_every_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_counts("A=10,B=x,=3,A=4,C")
    assert [p.code for p in caught.value.problems] == [
        "bad_count", "bad_item", "repeated_name", "bad_item"]
    with pytest.raises(ValidationError, match="more than the 10 ballots"):
        make_contest({"A": 8, "B": 5}, 10)
    with pytest.raises(ValidationError, match="not a candidate"):
        audit.plan(Method.BRAVO, make_contest({"A": 8, "B": 2}, 10), 0.1, seen=[{"Z": 1}])
    with pytest.raises(ValidationError, match="between 0 and 1"):
        audit.plan(Method.BRAVO, make_contest({"A": 8, "B": 2}, 10), 10)
