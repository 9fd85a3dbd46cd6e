"""RAIRE (Blom, Stuckey and Teague 2019): each assertion's tallies, margin and difficulty from
their definitions, the set contradicting every elimination order that does not end with the
winner, and the difficulty equal to a brute-force minimax over every order and every assertion."""

from __future__ import annotations

import gzip
import itertools
import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from electoral.errors import ValidationError
from electoral.rla import raire
from electoral.rla.raire import Audit, AuditType
from tests.conftest import SHARED

AUDIT = SHARED / "cases" / "audit"
Ballots = list[tuple[tuple[str, ...], int]]

GUIDE: Ballots = [(("Chuan", "Bob", "Alice"), 5000), (("Bob", "Chuan", "Diego"), 1000),
                  (("Diego", "Alice"), 1500), (("Alice", "Diego"), 4000), (("Diego",), 2000)]


def _tally(ballots: Ballots, among: set[str], who: str) -> int:
    """Ballots whose highest-ranked candidate in ``among`` is ``who`` (the paper's tally_S)."""
    key = (id(ballots), frozenset(among))
    if key not in _TALLIES:
        found: dict[str | None, int] = {}
        for prefs, n in ballots:
            top = next((c for c in prefs if c in among), None)
            found[top] = found.get(top, 0) + n
        _TALLIES[key] = (ballots, found)
    return _TALLIES[key][1].get(who, 0)


# tallies by ballot list and set; the list is kept so its id is not reused while cached
_TALLIES: dict[tuple[int, frozenset[str]], tuple[Ballots, dict[str | None, int]]] = {}


def _difficulty(audit: Audit, w: int, l_: int, total: int) -> float:
    """The README's formulas, written out again."""
    if w <= l_:
        return math.inf
    if audit.kind is AuditType.ONE_ON_MARGIN:
        return total / (w - l_)
    if audit.kind is AuditType.ONE_ON_MARGIN_SQ:
        return (total / (w - l_)) ** 2
    if audit.kind is AuditType.MACRO:
        return 2 * audit.gamma * total * math.log(1 / audit.risk_limit) / (w - l_)
    s = w / (w + l_)
    drift = (w * math.log(2 * s) + (l_ * math.log(2 - 2 * s) if l_ else 0.0)) / total
    return (0.5 * math.log(2 * s) + math.log(1 / audit.risk_limit)) / drift


def _tallies_of(ballots: Ballots, item: dict[str, object], names: list[str]) -> tuple[int, int]:
    w, l_ = str(item["winner"]), str(item["loser"])
    if item["type"] == "NEB":
        return _tally(ballots, set(names), w), _tally(ballots, {w, l_}, l_)
    among = set(item["continuing"])  # type: ignore[arg-type]
    return _tally(ballots, among, w), _tally(ballots, among, l_)


def _contradicts(item: dict[str, object], order: tuple[str, ...]) -> bool:
    """Whether an assertion rules out an elimination order (first eliminated first)."""
    w, l_ = str(item["winner"]), str(item["loser"])
    if item["type"] == "NEB":
        return order.index(w) < order.index(l_)
    among = set(item["continuing"])  # type: ignore[arg-type]
    at = len(order) - len(among)
    return set(order[at:]) == among and order[at] == w


def _brute_difficulty(ballots: Ballots, names: list[str], winner: str, audit: Audit) -> float:
    """max over orders not ending with the winner of the cheapest assertion contradicting it."""
    total = sum(n for _, n in ballots)
    worst = 0.0
    for order in itertools.permutations(names):
        if order[-1] == winner:
            continue
        costs = [_difficulty(audit, _tally(ballots, set(names), w), _tally(ballots, {w, l_}, l_),
                             total)
                 for i, w in enumerate(order) for l_ in order[i + 1:]]
        for i in range(len(order) - 1):
            among = set(order[i:])
            costs += [_difficulty(audit, _tally(ballots, among, order[i]),
                                  _tally(ballots, among, l_), total) for l_ in order[i + 1:]]
        worst = max(worst, min(costs))
    return worst


def _contest(ballots: Ballots, names: list[str]) -> raire.Contest:
    index = {n: i for i, n in enumerate(names)}
    rankings: dict[tuple[int, ...], int] = {}
    for prefs, n in ballots:
        key = tuple(index[c] for c in prefs)
        rankings[key] = rankings.get(key, 0) + n
    return raire.contest_of(names, rankings)


def _check(ballots: Ballots, names: list[str], audit: Audit) -> dict[str, object]:
    contest = _contest(ballots, names)
    document = raire.document(contest, raire.solve(contest, audit), audit)
    winner = str(document["winner"])
    total = sum(n for _, n in ballots)
    assertions = document["assertions"]
    assert isinstance(assertions, list) and assertions
    for item in assertions:
        w, l_ = _tallies_of(ballots, item, names)
        assert item["margin"] == w - l_ > 0
        assert item["difficulty"] == pytest.approx(_difficulty(audit, w, l_, total), rel=1e-12)
    others = [o for o in itertools.permutations(names) if o[-1] != winner]
    for order in others:
        assert any(_contradicts(item, order) for item in assertions), order
    for item in assertions:  # none is redundant: each alone contradicts some order
        assert any(not any(_contradicts(x, o) for x in assertions if x is not item)
                   for o in others if _contradicts(item, o)), item
    brute = _brute_difficulty(ballots, names, winner, audit)
    assert document["difficulty"] == pytest.approx(brute, rel=1e-12)
    assert max(a["difficulty"] for a in assertions) == pytest.approx(brute, rel=1e-12)
    assert document["margin"] == min(a["margin"] for a in assertions)
    return document


@pytest.mark.parametrize("kind", list(AuditType))
def test_guide_example(kind: AuditType) -> None:
    names = ["Alice", "Bob", "Chuan", "Diego"]
    document = _check(GUIDE, names, Audit(kind, 0.05))
    assert document["winner"] == "Chuan"
    if kind is AuditType.ONE_ON_MARGIN:  # raire-rs's guide example: the same five assertions
        assert document["difficulty"] == 27.0 and document["margin"] == 500
        vectors = json.loads((AUDIT / "vectors.json").read_text())["vectors"]
        reference = next(v for v in vectors if v["id"] == "raire-guide-json")
        key = ("type", "winner", "loser", "margin")
        assert sorted((tuple(a[k] for k in key), sorted(a.get("continuing", [])))
                      for a in document["assertions"]) == sorted(  # type: ignore[union-attr]
            (tuple(a[k] for k in key), sorted(a.get("continuing", [])))
            for a in reference["reference_assertions"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.permutations(["A", "B", "C", "D", "E"]), st.integers(0, 5),
                          st.integers(1, 400)), min_size=1, max_size=12),
       st.sampled_from(list(AuditType)))
def test_difficulty_is_the_brute_force_minimax(
        drawn: list[tuple[list[str], int, int]], kind: AuditType) -> None:
    ballots: Ballots = [(tuple(order[:cut]), n) for order, cut, n in drawn]
    names = ["A", "B", "C", "D", "E"]
    try:
        _check(ballots, names, Audit(kind, 0.05))
    except ValidationError as exc:  # only a winner that rests on a tie may refuse
        assert exc.problems[0].code == "tie_decides"


def test_tie_for_last_that_does_not_matter_is_fine() -> None:
    names = ["W", "X", "Y", "Z"]
    ballots: Ballots = [(("W",), 5000), (("X",), 1000), (("Y",), 1000), (("Z",), 1000)]
    assert _check(ballots, names, Audit())["winner"] == "W"


def test_a_winner_resting_on_a_tie_is_an_error() -> None:
    names = ["X", "Y", "Z"]
    ballots: Ballots = [(("X",), 100), (("Y",), 100), (("Z",), 60)]  # Z out, then X = Y
    with pytest.raises(ValidationError, match="depends on how a tie is broken: X or Y"):
        raire.solve(_contest(ballots, names), Audit())


def _run(*args: str) -> tuple[int, str]:
    from electoral.cli import app

    result = CliRunner().invoke(app, ["rla", "raire", *args])
    return result.exit_code, result.output


def test_cli_wrong_winner_names_both(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(AUDIT)
    code, output = _run("raire_guide.json", "--winner", "Alice")
    assert code == 1 and "declared winner Alice is not the IRV winner Chuan" in output
    code, output = _run("raire_guide_ranks.csv.gz", "--winner", "Diego", "--format", "json")
    assert code == 1 and "declared winner Diego is not the IRV winner Chuan" in output


def test_cli_options_override_the_file_and_several_files(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    monkeypatch.chdir(AUDIT)
    code, output = _run("raire_guide.json", str(AUDIT / "raire_guide.json"), "--audit", "macro",
                        "--risk-limit", "0.1", "--gamma", "1.1", "--total-auditable", "27000",
                        "--format", "json")
    assert code == 0, output
    contests = json.loads(output)["contests"]
    assert [c["source"] for c in contests] == ["raire_guide.json", str(AUDIT / "raire_guide.json")]
    assert contests[0]["difficulty"] == pytest.approx(2 * 1.1 * 27000 * math.log(10) / 500)
    # a problem file's own settings, with names missing: indices as text
    problem = {"num_candidates": 3, "votes": [{"n": 50, "prefs": [0]}, {"n": 40, "prefs": [1]},
                                              {"n": 20, "prefs": [2, 1]}],
               "winner": 1, "audit": {"type": "OneOnMarginSq", "total_auditable_ballots": 200}}
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem))
    code, output = _run(str(path), "--format", "json")
    assert code == 0, output
    found = json.loads(output)
    assert found["winner"] == "1" and found["total_auditable_ballots"] == 200
    assert found["difficulty"] == pytest.approx((200 / 10) ** 2)  # NEN(1, 0 | 0, 1): 60 − 50


@pytest.mark.parametrize(("problem", "where"), [
    ({"num_candidates": 2, "votes": [{"n": 5, "prefs": [0, 2]}]}, "votes[0].prefs[1]"),
    ({"num_candidates": 2, "votes": [{"n": -1, "prefs": [0]}]}, "votes[0].n"),
    ({"num_candidates": 2, "votes": [], "audit": {"type": "Polling"}}, "audit.type"),
    ({"num_candidates": 2, "votes": [], "metadata": {"candidates": ["A"]}}, "metadata.candidates"),
])
def test_bad_problem_names_file_and_field(problem: dict[str, object], where: str,
                                          tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(problem))
    code, output = _run(str(path))
    assert code == 1 and f"bad.json [{where}]" in output


def test_cvr_overvote_exhausts_the_ballot(tmp_path: Path) -> None:
    # A ranks CSV read as `electoral rcv` reads it: the overvote cuts B>overvote>C to B
    path = tmp_path / "ranks.csv.gz"
    rows = ["rank1,rank2,rank3"] + ["A,,"] * 40 + ["B,overvote,C"] * 35 + ["C,B,"] * 30
    with gzip.open(path, "wt") as out:
        out.write("\n".join(rows) + "\n")
    code, output = _run(str(path), "--format", "json")
    assert code == 0, output
    found = json.loads(output)
    # C out first (30); its ballots go to B: B 65, A 40
    assert found["winner"] == "B" and found["ballots"] == 105


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.permutations(list(range(7))), st.integers(0, 7),
                          st.integers(1, 50)), min_size=1, max_size=15),
       st.integers(0, (1 << 7) - 1))
def test_tallies_of_every_child_set_in_one_pass(drawn: list[tuple[list[int], int, int]],
                                                mask: int) -> None:
    ballots = [(tuple(str(c) for c in order[:cut]), n) for order, cut, n in drawn]
    names = [str(c) for c in range(7)]
    primed = raire._Tallies(_contest(ballots, names))
    primed.prime(mask)
    for c in range(7):
        if not mask >> c & 1:
            among = {str(x) for x in range(7) if (mask | 1 << c) >> x & 1}
            want = [_tally(ballots, among, str(x)) if str(x) in among else 0 for x in range(7)]
            assert primed.of(mask | 1 << c).tolist() == want


def test_the_cli_offers_every_audit_type() -> None:
    from electoral.cli_rla import RaireAudit

    assert [a.value for a in RaireAudit] == [a.value for a in AuditType]


def test_a_real_contest_against_the_brute_force() -> None:
    # Burlington 2009 (6 candidates, 8,984 ballots) read as `electoral rcv` reads it: the
    # difficulty is the minimax over all 720 orders, for each audit type
    from electoral.api import rcv_rankings, rla_raire

    path = SHARED / "data" / "rcv" / "blt_irv_elections_2006_2011" / "2009-Burlington-Mayor.blt.gz"
    names, rankings = rcv_rankings([path])
    ballots: Ballots = [(tuple(names[c] for c in r), n) for r, n in rankings.items()]
    document = rla_raire([path])
    assert document["winner"] == "Bob Kiss" and document["ballots"] == 8984
    for kind in AuditType:
        _check(ballots, list(names), Audit(kind, 0.05))


def test_a_blt_overvote_exhausts_the_ballot(tmp_path: Path) -> None:
    path = tmp_path / "small.blt"
    lines = ["3 1"] + ["1 1 0"] * 40 + ["1 2 1=3 1 0"] * 35 + ["1 3 0"] * 50 + ["0"]
    path.write_text("\n".join([*lines, '"A"', '"B"', '"C"', '"Small"']) + "\n")
    code, output = _run(str(path), "--format", "json")
    assert code == 0, output
    found = json.loads(output)
    # B (35) goes out first; its ballots reach the overvote and exhaust, never A: C 50, A 40
    # (were the overvote skipped, A would win with 75)
    assert found["winner"] == "C" and found["ballots"] == 125
