"""The ranked-choice engine on small contests worked by hand, one rule at a time, and the Java
pieces it needs to match RCTab (java.util.Random, String.hashCode)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from electoral.errors import ValidationError
from electoral.model import CastVoteRecord
from electoral.rcv.engine import count_matrix, tabulate_rcv
from electoral.rcv.javarandom import JavaRandom, hash_order, string_hash
from electoral.rcv.rounds import RcvTabulation
from electoral.rcv.rules import (
    LabelMap,
    OvervoteRule,
    Rules,
    Status,
    Tiebreak,
    WinnerMode,
    compact,
)

ABC = ("A", "B", "C")


def count(ballots: list[tuple[tuple[int, str], ...]], rules: Rules,
          labels: LabelMap | None = None) -> RcvTabulation:
    records = [(CastVoteRecord(str(i), marks), labels or LabelMap())
               for i, marks in enumerate(ballots, 1)]
    return tabulate_rcv(compact(records, rules), rules)


def ranked(*names: str) -> tuple[tuple[int, str], ...]:
    return tuple((rank, name) for rank, name in enumerate(names, 1) if name)


def votes(tab: RcvTabulation, number: int) -> dict[str, int]:
    return {k: int(v) for k, v in tab.rounds[number - 1].tally.votes.items()}


def test_java_random_matches_the_jvm() -> None:
    # new Random(42).nextInt(10) twice gives 0 then 3; new Random(0).nextDouble() = 0.730967787376657
    r = JavaRandom(42)
    assert (r.next_int(10), r.next_int(10)) == (0, 3)
    assert JavaRandom(0).next_double() == pytest.approx(0.730967787376657, abs=1e-15)


def test_string_hash_and_hash_order() -> None:
    assert string_hash("hello") == 99162322
    assert string_hash("") == 0
    # "Aa" and "BB" collide in Java; a shared bucket keeps insertion order
    assert string_hash("Aa") == string_hash("BB")
    assert hash_order(["BB", "Aa"]) == ["BB", "Aa"]
    assert sorted(hash_order(["x", "y", "z"])) == ["x", "y", "z"]


def test_majority_after_one_transfer() -> None:
    ballots = [ranked("A")] * 4 + [ranked("B", "A")] * 2 + [ranked("B")] * 2 + [ranked("C", "B")] * 3
    tab = count(ballots, Rules(ABC, tiebreak=Tiebreak.CANDIDATE_ORDER))
    assert votes(tab, 1) == {"A": 4, "B": 4, "C": 3}
    assert votes(tab, 2) == {"A": 4, "B": 7}
    assert tab.winners == ("B",)
    assert tab.rounds[0].eliminated[0].candidate == "C"
    assert tab.rounds[1].tally.transfers["C"] == {"B": Decimal(3)}
    assert tab.rounds[1].threshold == Decimal(6)


def test_tie_for_last_goes_by_candidate_order() -> None:
    ballots = [ranked("A")] * 4 + [ranked("B", "A")] * 2 + [ranked("C", "B")] * 2
    tab = count(ballots, Rules(ABC, tiebreak=Tiebreak.CANDIDATE_ORDER))
    first = tab.rounds[0].eliminated[0]
    assert first.candidate == "C" and first.tiebreak  # the later in the declared order loses


def test_random_tiebreak_needs_a_seed_and_asking_is_refused() -> None:
    with pytest.raises(ValidationError, match="randomSeed"):
        Rules(ABC, tiebreak=Tiebreak.RANDOM).validate()
    ballots = [ranked("A")] * 4 + [ranked("B")] * 2 + [ranked("C")] * 2
    with pytest.raises(ValidationError, match="operator"):
        count(ballots, Rules(ABC, tiebreak=Tiebreak.ASK))


@pytest.mark.parametrize(("rule", "expected"), [
    (OvervoteRule.EXHAUST, {"A": 1, "B": 1}),
    (OvervoteRule.SKIP, {"A": 1, "B": 1, "C": 1}),
])
def test_overvote_rules(rule: OvervoteRule, expected: dict[str, int]) -> None:
    ballots = [ranked("A"), ranked("B"), ((1, "A"), (1, "B"), (2, "C"))]
    tab = count(ballots, Rules(ABC, tiebreak=Tiebreak.CANDIDATE_ORDER, overvote=rule))
    assert {k: v for k, v in votes(tab, 1).items() if v} == expected
    overvotes = tab.rounds[0].tally.inactive[Status.OVERVOTE]
    assert overvotes == (1 if rule == OvervoteRule.EXHAUST else 0)


def test_exhaust_if_multiple_continuing() -> None:
    # the overvote A=C counts for A once C is out; A=B exhausts while both continue
    ballots = [ranked("A")] * 3 + [ranked("B")] * 3 + [ranked("C")] + \
        [((1, "C"), (2, "A"), (2, "B"))] + [((1, "A"), (1, "C"))]
    tab = count(ballots, Rules(ABC, tiebreak=Tiebreak.CANDIDATE_ORDER,
                               overvote=OvervoteRule.EXHAUST_IF_MULTIPLE))
    assert votes(tab, 1) == {"A": 3, "B": 3, "C": 2}
    assert tab.rounds[0].tally.inactive[Status.OVERVOTE] == 1
    assert tab.rounds[1].tally.inactive[Status.OVERVOTE] == 2


def test_skipped_ranks_and_duplicates() -> None:
    ballots = [ranked("C", "", "", "A")] * 2 + [ranked("C", "C", "B")] + [ranked("A")] * 3 + \
        [ranked("B")] * 3
    tab = count(ballots, Rules(ABC, tiebreak=Tiebreak.CANDIDATE_ORDER, max_skipped=1,
                               exhaust_on_duplicate=True))
    after = tab.rounds[1].tally.inactive
    assert after[Status.SKIPPED] == 2 and after[Status.REPEATED] == 1


def test_labels_are_mapped_per_source() -> None:
    labels = LabelMap(overvote="OV", skipped="skip", write_in="UWI")
    rules = Rules(("A", "B"), tiebreak=Tiebreak.CANDIDATE_ORDER, write_ins=True)
    ballots = [ranked("A")] * 3 + [ranked("UWI", "B")] + [ranked("skip", "B")] + [ranked("OV")]
    tab = count(ballots, rules, labels)
    assert votes(tab, 1) == {"A": 3, "B": 1, "Undeclared Write-ins": 1}
    assert tab.rounds[0].eliminated[0].candidate == "Undeclared Write-ins"


def test_unknown_candidates_are_all_named() -> None:
    with pytest.raises(ValidationError) as error:
        count([ranked("A"), ranked("Zed"), ranked("Yves", "A")], Rules(ABC, seed=1))
    text = str(error.value)
    assert "'Zed'" in text and "'Yves'" in text and "ballot 3" in text


def test_multi_seat_surplus_is_truncated_to_the_declared_places() -> None:
    ballots = [ranked("A", "B")] * 7 + [ranked("B")] * 2 + [ranked("C")] * 3
    rules = Rules(ABC, seats=2, mode=WinnerMode.MULTIPLE_PER_ROUND,
                  tiebreak=Tiebreak.CANDIDATE_ORDER, decimals=4)
    tab = count(ballots, rules)
    assert tab.rounds[0].threshold == Decimal(5)  # floor(12 / 3) + 1
    # A's surplus fraction 2/7 truncates to 0.2857, so B gets 2 + 7 * 0.2857
    assert tab.rounds[1].tally.votes["B"] == Decimal("3.9999")
    assert tab.winners[0] == "A"


def test_contradictory_rules_name_their_fields() -> None:
    with pytest.raises(ValidationError) as error:
        Rules(ABC, seats=2, mode=WinnerMode.SINGLE, batch_elimination=True, hare=True,
              seed=1).validate()
    fields = {p.field for p in error.value.problems}
    assert {"winnerElectionMode", "batchElimination", "hareQuota"} <= fields


def test_matrix_fast_path_agrees_with_the_general_engine() -> None:
    names = ("A", "B", "C", "D", "overvote")
    matrix = np.array([[0, 1, -1], [1, 2, 0], [2, -1, 3], [3, 4, 0], [4, 0, 1], [0, -1, -1],
                       [-1, -1, -1], [1, -1, 2]] * 3, dtype=np.int32)
    rules = Rules(names[:4], tiebreak=Tiebreak.CANDIDATE_ORDER, overvote=OvervoteRule.SKIP,
                  max_skipped=0)
    fast = count_matrix(matrix, names, rules)
    records = [CastVoteRecord(str(i), tuple((r + 1, names[c]) for r, c in enumerate(row) if c >= 0))
               for i, row in enumerate(matrix.tolist())]
    slow = tabulate_rcv(compact([(r, LabelMap()) for r in records], rules), rules)
    assert [r.tally for r in fast.rounds] == [r.tally for r in slow.rounds]
    assert fast.winners == slow.winners


def test_compiled_kernel_agrees_with_the_numpy_one(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("numba")  # the optional extra
    from electoral.rcv import fast as rcv_fast

    rng = np.random.default_rng(4)
    names = ("A", "B", "C", "D", "E")
    matrix = np.argsort(rng.random((20_000, 5)) + np.linspace(0, 0.5, 5), axis=1)[:, :3]
    matrix = matrix.astype(np.int32)
    matrix[rng.random(matrix.shape) < 0.2] = -1
    counts = rng.integers(1, 4, size=matrix.shape[0])
    rules = Rules(names, tiebreak=Tiebreak.RANDOM, seed=5, max_skipped=0)
    serial = count_matrix(matrix, names, rules, counts)
    monkeypatch.setattr(rcv_fast, "COMPILED_FROM", 0)
    parallel = count_matrix(matrix, names, rules, counts)
    assert [r.tally for r in parallel.rounds] == [r.tally for r in serial.rounds]
    assert len(serial.rounds) > 2
