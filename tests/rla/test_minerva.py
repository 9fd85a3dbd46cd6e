"""Minerva (Zagórski, McClearn, Morin, Ottoboni and Vora 2020): round sizes that really stop the
audit with their chance, the round-one risk against its closed form, later rounds against a
brute-force sum over the unstopped paths, and the risk's shape as a property."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom
from typer.testing import CliRunner

from electoral.cli import app
from electoral.rla import minerva
from electoral.rla.contest import make_contest


def _k_min_by_scan(m: int, share: float, alpha: float) -> int | None:
    """Round one's smallest stopping count straight from its definition, every k = 0 … m."""
    ks = np.arange(m + 1)
    stops = alpha * binom.sf(ks - 1, m, share) >= binom.sf(ks - 1, m, 0.5)
    return int(np.argmax(stops)) if stops.any() else None


def _chance(m: int, share: float, alpha: float) -> float:
    k = _k_min_by_scan(m, share, alpha)
    return 0.0 if k is None else float(binom.sf(k - 1, m, share))


@pytest.mark.parametrize("m", [1, 13, 14, 25, 56, 100, 173])
def test_k_min_is_the_definition(m: int) -> None:
    assert minerva.k_min(m, 0.6, 0.1) == _k_min_by_scan(m, 0.6, 0.1)


@pytest.mark.parametrize(("votes", "alpha"), [
    ({"A": 600, "B": 400}, 0.1),  # s = 0.6
    ({"A": 550, "B": 450}, 0.1),  # s = 0.55
    ({"A": 700, "B": 300}, 0.05),
])
def test_round_one_sizes_stop_with_their_chance_and_are_the_smallest_near(
        votes: dict[str, int], alpha: float) -> None:
    # two candidates and no other ballots: contest ballots are pair ballots, so the sizes are m
    contest = make_contest(votes, sum(votes.values()))
    made = minerva.plan(contest, alpha)
    assert made.quantiles is not None
    share = votes["A"] / sum(votes.values())
    for q, m in made.quantiles.items():
        assert _chance(m, share, alpha) >= q
        assert _chance(m - 1, share, alpha) < q  # one ballot fewer does not
    # and no smaller size below it, scanned from 1 (π saw-tooths: this is what "smallest" means)
    smallest = next(m for m in range(1, made.quantiles[0.9] + 1) if _chance(m, share, alpha) >= 0.9)
    assert made.quantiles[0.9] == smallest
    assert made.sample_size == made.quantiles[0.9] and not made.full_hand_count


def test_sizes_scale_to_every_ballot_and_take_the_worst_pair() -> None:
    contest = make_contest({"A": 600, "B": 200, "C": 100}, 900)
    made = minerva.plan(contest, 0.1)
    pair_ab = minerva.pair_round_size(contest, contest.pairs()[0], 0.1, 0.9)
    pair_ac = minerva.pair_round_size(contest, contest.pairs()[1], 0.1, 0.9)
    assert made.quantiles is not None and made.quantiles[0.9] == max(pair_ab or 0, pair_ac or 0)
    # A–B: s = 0.75 over 800 of 900 ballots
    m = next(m for m in range(1, 200) if _chance(m, 0.75, 0.1) >= 0.9)
    assert pair_ab == -(-m * 900 // 800)


def test_round_one_risk_is_the_tail_ratio() -> None:
    contest = make_contest({"A": 600, "B": 400}, 1000)
    p, (pair,) = minerva.risk(contest, [{"A": 60, "B": 40}], 0.1)
    assert p == pytest.approx(binom.sf(59, 100, 0.5) / binom.sf(59, 100, 0.6), rel=1e-12)
    assert pair.stopped == 1


def _two_round_risk(m1: int, k1: int, m2: int, k: int, share: float, alpha: float) -> float:
    """Round two's risk summed over round one's counts that did not stop, term by term."""
    k_stop = _k_min_by_scan(m1, share, alpha)
    assert k_stop is not None and k1 < k_stop
    js = np.arange(k_stop)
    tail = {p: float(np.sum(binom.pmf(js, m1, p) * binom.sf(k - js - 1, m2, p)))
            for p in (share, 0.5)}
    return min(1.0, tail[0.5] / tail[share])


def test_second_round_conditions_on_not_having_stopped() -> None:
    contest = make_contest({"A": 600, "B": 400}, 1000)
    rounds = [{"A": 30, "B": 25}, {"A": 40, "B": 20}]
    p, (pair,) = minerva.risk(contest, rounds, 0.1)
    assert pair.by_round[0] > 0.1  # round one did not stop
    assert p == pytest.approx(_two_round_risk(55, 30, 60, 70, 0.6, 0.1), rel=1e-9)
    # a later round does not undo a stop: the stopping round's risk stays the p-value
    stopped = minerva.risk(contest, [{"A": 60, "B": 40}, {"A": 0, "B": 50}], 0.1)
    assert stopped[1][0].stopped == 1 and stopped[0] == pytest.approx(
        binom.sf(59, 100, 0.5) / binom.sf(59, 100, 0.6))


def test_second_round_size_stops_with_its_chance() -> None:
    contest = make_contest({"A": 600, "B": 400}, 1000)
    seen = [{"A": 30, "B": 25}]
    made = minerva.plan(contest, 0.1, seen)
    assert made.quantiles is not None
    for q, m in made.quantiles.items():
        # the chance that m more ballots reach round two's stopping counts, given 30 of 55 so far
        stops = [k for k in range(30, 30 + m + 1)
                 if _two_round_risk(55, 30, m, k, 0.6, 0.1) <= 0.1]
        chance = binom.sf(min(stops) - 30 - 1, m, 0.6)
        assert chance >= q
    # once a round stopped the audit, nothing more is drawn
    assert minerva.plan(contest, 0.1, [{"A": 60, "B": 40}]).sample_size == 0


def test_tied_and_hopeless_contests_need_a_full_hand_count() -> None:
    tied = minerva.plan(make_contest({"A": 500, "B": 500}, 1000), 0.1)
    assert tied.full_hand_count and tied.sample_size == 1000
    close = minerva.plan(make_contest({"A": 501, "B": 499}, 1000), 0.1)
    assert close.full_hand_count and close.sample_size == 1000


@settings(max_examples=40, deadline=None)
@given(m=st.integers(1, 300), k=st.integers(0, 300), share=st.floats(0.51, 0.95),
       extra=st.integers(1, 300))
def test_risk_is_at_most_one_and_falls_as_the_winner_share_rises(
        m: int, k: int, share: float, extra: int) -> None:
    k = min(k, m)
    pair = make_contest({"A": round(share * 10_000), "B": 10_000 - round(share * 10_000)},
                        10_000).pairs()[0]
    lower = minerva.pair_risk(pair, [{"A": k, "B": m - k}], 0.0001)
    assert 0 <= lower.p_value <= 1
    if k < m:
        higher = minerva.pair_risk(pair, [{"A": k + 1, "B": m - k - 1}], 0.0001)
        assert higher.p_value <= lower.p_value + 1e-12
    # a second round (the first did not stop at α = 0.0001 unless it is overwhelming)
    first, second = {"A": k, "B": m - k}, {"A": extra // 2, "B": extra - extra // 2}
    if lower.stopped is None:
        low2 = minerva.pair_risk(pair, [first, second], 0.0001)
        high2 = minerva.pair_risk(pair, [first, {"A": extra // 2 + 1, "B": extra - extra // 2 - 1}]
                                  if extra // 2 < extra else [first, second], 0.0001)
        assert 0 <= low2.p_value <= 1 and high2.p_value <= low2.p_value + 1e-9


def test_cli_plan_and_risk(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    planned = runner.invoke(app, ["rla", "plan", "--method", "minerva", "--risk-limit", "0.1",
                                  "--tally", "A=600,B=400", "--ballots", "1000", "--format", "json"])
    assert planned.exit_code == 0, planned.output
    document = json.loads(planned.stdout)
    assert document["method"] == "minerva" and document["asn"] is None
    assert set(document["quantiles"]) == {"0.7", "0.8", "0.9"}
    assert document["sample_size"] == document["quantiles"]["0.9"]
    measured = runner.invoke(app, ["rla", "risk", "--method", "minerva", "--risk-limit", "0.1",
                                   "--tally", "A=600,B=400", "--ballots", "1000",
                                   "--sample", "A=30,B=25", "--sample", "A=40,B=20",
                                   "--format", "json"])
    assert measured.exit_code == 0, measured.output
    risk = json.loads(measured.stdout)
    assert risk["confirmed"] and [r["confirmed"] for r in risk["rounds"]] == [False, True]
    assert risk["p_value"] == pytest.approx(_two_round_risk(55, 30, 60, 70, 0.6, 0.1), rel=1e-9)


def test_an_audit_record_measures_minerva_round_by_round() -> None:
    from electoral.rla import record
    from tests.conftest import SHARED

    draft = {"seed": "31415926535897932384", "risk_limit": 0.1, "ballots": 1000,
             "contests": [{"name": "Mayor", "votes": {"A": 600, "B": 400}, "ballots": 1000,
                           "method": "minerva"}],
             "rounds": [{"size": 55, "observed": {"Mayor": {"votes": {"A": 30, "B": 25}}}},
                        {"size": 60, "observed": {"Mayor": {"votes": {"A": 40, "B": 20}}}}]}
    done = record.complete(draft, lambda name: (SHARED / "cases" / "audit" / name).read_bytes())
    first, second = (r["p_values"]["Mayor"] for r in done["rounds"])
    assert first == pytest.approx(binom.sf(29, 55, 0.5) / binom.sf(29, 55, 0.6))
    assert second == pytest.approx(_two_round_risk(55, 30, 60, 70, 0.6, 0.1), rel=1e-9)
    assert [r["decision"] for r in done["rounds"]] == ["escalate", "stop"]
    assert record.verify(done, lambda name: b"")


# Arlo's published Minerva risks (votingworks/arlo server/tests/audit_math/test_minerva.py; the
# numbers only): (reported votes, ballots, winners, sampled votes per round, risk)
ARLO_RISKS = [
    ({"a": 600, "b": 400, "c": 100}, 1200, 1, [{"a": 56, "b": 40, "c": 3}], 0.0933945799801079),
    ({"a": 600, "b": 400, "c": 100}, 1200, 1, [{"a": 40, "b": 40, "c": 3}], 0.5596434615209632),
    ({"a": 600, "b": 400, "c": 100}, 1200, 1,
     [{"a": 40, "b": 40, "c": 3}, {"a": 70, "b": 30, "c": 10}], 0.006382031505998192),
    ({"a": 400, "b": 400, "c": 200, "d": 100}, 1100, 2, [{"a": 40, "b": 40, "c": 18, "d": 2}],
     0.0064653703790821795),
    ({"a": 400, "b": 400, "c": 200, "d": 100}, 1100, 2,
     [{"a": 30, "b": 30, "c": 30, "d": 10}, {"a": 50, "b": 50, "c": 25, "d": 25}],
     0.083535346859948),
    ({"Warnock": 1613896, "Loeffler": 1270718, "Collins": 978667, "Write-ins": 132}, 4904921, 2,
     [{"Warnock": 384, "Loeffler": 276, "Collins": 234, "Write-ins": 1}], 0.039858047805999164),
    ({"a": 5100000, "b": 4900000, "c": 100}, 10100100, 1,
     [{"a": 5100, "b": 4990, "c": 1}, {"a": 5100, "b": 4900, "c": 0}], 0.03907953348498701),
    ({"a": 2453876, "b": 2358432}, 4927219, 1, [{"a": 17605, "b": 0}], 0.0),
]


@pytest.mark.parametrize(("votes", "ballots", "winners", "rounds", "want"), ARLO_RISKS)
def test_risk_matches_arlo(votes: dict[str, int], ballots: int, winners: int,
                           rounds: list[dict[str, int]], want: float) -> None:
    got = minerva.risk(make_contest(votes, ballots, winners), rounds, 0.1)[0]
    assert got == pytest.approx(want, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize(("votes", "ballots", "winners", "arlo"), [
    ({"a": 600, "b": 400, "c": 100}, 1200, 1, (134, 166, 215)),
    ({"a": 600, "b": 200, "c": 100}, 900, 1, (20, 25, 35)),
    ({"a": 300, "b": 200, "c": 200}, 1000, 1, (222, 276, 358)),
    ({"a": 100, "b": 1}, 101, 1, (4, 4, 4)),
    ({"a": 400, "b": 400, "c": 200, "d": 100}, 1100, 2, (79, 87, 114)),
])
def test_sizes_at_most_arlos(votes: dict[str, int], ballots: int, winners: int,
                             arlo: tuple[int, int, int]) -> None:
    # Arlo's round-one sizes come from a bisection; the smallest that stops with the chance is
    # at most them (each is checked against its chance in the tests above)
    made = minerva.plan(make_contest(votes, ballots, winners), 0.1)
    for (_pair, sizes) in made.pairs:
        assert sizes is not None
    worst = {q: max((s or {})[q] for _p, s in made.pairs) for q in minerva.QUANTILES}
    assert all(worst[q] <= size for q, size in zip(minerva.QUANTILES, arlo, strict=True))
    assert made.sample_size == worst[0.9]
