"""Kaplan–Markov and Super-Simple (Stark 2009, 2010), against rlacalc's and Arlo's published sizes
and against the P-value computed another way."""

from __future__ import annotations

from fractions import Fraction

import pytest

from electoral.errors import ValidationError
from electoral.rla import audit, comparison
from electoral.rla.audit import Method
from electoral.rla.comparison import Discrepancies
from electoral.rla.contest import make_contest

NONE = Discrepancies()


@pytest.mark.parametrize(("margin", "size"), [  # rlacalc nmin doctests, α = 0.1, γ = 1.03905
    (Fraction(1, 5), 24), (Fraction(1, 10), 48), (Fraction(1, 20), 96)])
def test_nmin_published(margin: Fraction, size: int) -> None:
    assert comparison.nmin(margin, 0.1, NONE) == size
    assert comparison.plan(margin, 1000, 0.1, rates=(0, 0, 0, 0)).sample_size == size


@pytest.mark.parametrize(("votes", "ballots", "size"), [  # Arlo test_supersimple.py
    ({"Marsh": 60_000, "Dunmore": 40_000}, 100_000, 27),
    ({"Marsh": 30_000, "Dunmore": 24_000}, 60_000, 54)])
def test_default_rates_published(votes: dict[str, int], ballots: int, size: int) -> None:
    document = audit.plan(Method.SUPERSIMPLE, make_contest(votes, ballots), 0.1)
    assert document["sample_size"] == size
    assert document["discrepancies"] == {"o1": 1, "o2": 0, "u1": 1, "u2": 0}


def test_nmin_is_where_the_bound_with_exp_reaches_alpha() -> None:
    # Stark's nmin bounds (1 − μ/2γ)ⁿ by exp(−nμ/2γ): conservative, the exact P-value is lower
    import math

    margin, gamma = Fraction(1, 10), 1.03905
    for found in (NONE, Discrepancies(1, 0, 0, 0), Discrepancies(2, 1, 1, 0), Discrepancies(0, 0, 3, 1)):
        n = comparison.nmin(margin, 0.05, found, gamma)
        assert comparison.p_value(margin, n, found, gamma) <= 0.05

        def bound(m: int, found: Discrepancies = found) -> float:
            exact = comparison.p_value(margin, m, found, gamma)
            return exact * math.exp(-m * 0.1 / (2 * gamma)) / (1 - 0.1 / (2 * gamma)) ** m
        assert bound(n) <= 0.05
        if n > found.total():
            assert bound(n - 1) > 0.05


def test_p_value_is_the_kaplan_markov_product() -> None:
    margin, gamma = Fraction(1, 20), 1.1
    found = Discrepancies(2, 1, 1, 1)
    product = ((1 - 0.05 / (2 * gamma)) ** 200 / (1 - 1 / (2 * gamma)) ** 2 / (1 - 1 / gamma)
               / (1 + 1 / (2 * gamma)) / (1 + 1 / gamma))
    assert comparison.p_value(margin, 200, found, gamma) == pytest.approx(product, rel=1e-12)
    assert comparison.p_value(margin, 5, found, gamma) == 1.0


def test_full_hand_count_when_rates_swamp_the_margin_or_the_contest_is_tied() -> None:
    assert comparison.plan(Fraction(1, 1000), 5000, 0.05, rates=(0.01, 0.001, 0, 0)).full_hand_count
    tied = audit.plan(Method.SUPERSIMPLE, make_contest({"A": 50, "B": 50}, 100), 0.1)
    assert tied["full_hand_count"] is True and tied["sample_size"] == 100


def test_risk_after_a_round_with_an_overstatement_escalates() -> None:
    contest = make_contest({"A": 600, "B": 400}, 1000)
    found = audit.measure(Method.SUPERSIMPLE, contest, 0.1, sampled=24,
                          found=Discrepancies(1, 0, 0, 0))
    assert found["confirmed"] is False
    assert found["next_sample_size"] == comparison.nmin(Fraction(1, 5), 0.1,
                                                        Discrepancies(1, 0, 0, 0)) - 24 > 0
    with pytest.raises(ValidationError, match="above 1"):
        comparison.nmin(Fraction(1, 5), 0.1, NONE, gamma=1.0)
    with pytest.raises(ValidationError, match="discrepancies among"):
        comparison.p_value(Fraction(1, 5), 1, Discrepancies(2, 0, 0, 0))
