"""The planner comparison (``electoral rla compare``): each row is what ``rla plan`` gives for the
same inputs, a stored election's contests and batches, the chart, and the CLI's exit codes."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from electoral import api
from electoral.cli import app
from electoral.rla import comparison, macro
from electoral.rla.compare import Planned, compare, curves
from electoral.rla.contest import make_contest
from tests.conftest import SHARED

BATCHES = SHARED / "cases" / "audit" / "macro_batches.csv"
# Delaware-shaped returns, invented for this test: six precincts in three counties, each with its
# ballots cast ("Total Votes Cast"). Kerry 3,350, Bush 2,860; 6,290 ballots cast.
PRECINCTS = """county,precinct,office,district,party,candidate,votes
Kent,Dover 1,President,,DEM,John Kerry,420
Kent,Dover 1,President,,REP,George W. Bush,510
Kent,Dover 1,Total Votes Cast,,,,950
Kent,Dover 2,President,,DEM,John Kerry,380
Kent,Dover 2,President,,REP,George W. Bush,450
Kent,Dover 2,Total Votes Cast,,,,840
New Castle,Wilmington 1,President,,DEM,John Kerry,900
New Castle,Wilmington 1,President,,REP,George W. Bush,300
New Castle,Wilmington 1,Total Votes Cast,,,,1210
New Castle,Wilmington 2,President,,DEM,John Kerry,700
New Castle,Wilmington 2,President,,REP,George W. Bush,400
New Castle,Wilmington 2,Total Votes Cast,,,,1120
New Castle,Newark <1>,President,,DEM,John Kerry,650
New Castle,Newark <1>,President,,REP,George W. Bush,500
New Castle,Newark <1>,Total Votes Cast,,,,1160
Sussex,Lewes,President,,DEM,John Kerry,300
Sussex,Lewes,President,,REP,George W. Bush,700
Sussex,Lewes,Total Votes Cast,,,,1010
"""


def _run(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["rla", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    found: dict[str, object] = json.loads(result.stdout)
    return found


def _plan(method: str, *args: str) -> dict[str, object]:
    return _run("plan", "--method", method, *args)


def test_a_tally_row_is_what_rla_plan_gives() -> None:
    given = ("--risk-limit", "0.1", "--tally", "A=600,B=400", "--ballots", "1000")
    [row] = _run("compare", *given)["contests"]  # type: ignore[misc]
    # the published BRAVO vector (Arlo test_bravo.py test1): ASN 119, 90 % round one 351
    assert row["bravo"] == {"sample_size": 351, "full_hand_count": False, "asn": 119,
                            "round_one_90": 351}
    minerva = _plan("minerva", *given)
    assert row["minerva"]["round_one_90"] == minerva["quantiles"]["0.9"]  # type: ignore[index]
    assert row["minerva"]["sample_size"] == minerva["sample_size"]
    # SuperSimple at the default rates: the Arlo vector for μ 0.2 is 27 ballots (of 100,000);
    # here 1,000 ballots, the same margin: the size does not depend on the ballots
    assert row["supersimple"]["sample_size"] == _plan("supersimple", *given)["sample_size"] == 27
    assert row["macro"] is None and row["margin"] == 0.2 and row["fewest_ballots"] == "supersimple"


def test_batch_file_rows_are_rla_plan_macro_and_the_expected_work() -> None:
    document = _run("compare", "--risk-limit", "0.25", "--batches", str(BATCHES))
    rows = {r["name"]: r for r in document["contests"]}  # type: ignore[union-attr]
    # Arlo's test_macro.py first rounds: 30, 16 and 11 batches
    assert [rows[f"Contest {c}"]["macro"]["sample_size"] for c in "ABC"] == [30, 16, 11]
    for name, row in rows.items():
        plan = _plan("macro", "--risk-limit", "0.25", "--batches", str(BATCHES), "--contest", name)
        assert row["macro"]["sample_size"] == plan["sample_size"]
        assert row["ballots"] == plan["contest"]["ballots"]  # type: ignore[index]
        tally = ",".join(f"{k}={v}" for k, v in row["votes"].items())
        bravo = _plan("bravo", "--risk-limit", "0.25", "--tally", tally, "--ballots",
                      str(row["ballots"]))
        assert row["bravo"]["asn"] == bravo["asn"]
        assert row["bravo"]["round_one_90"] == bravo["quantiles"]["0.9"]  # type: ignore[index]
    # Contest A holds all 400 batches; 30 draws reach at most 30 of them
    a = rows["Contest A"]["macro"]
    assert 25 < a["expected_batches"] <= 30 and 25 * 200 < a["expected_ballots"] <= 30 * 400


def test_expected_ballots_of_ppeb_draws_by_hand() -> None:
    held = {"x": macro.BatchCount({}, 100, 2), "y": macro.BatchCount({}, 300, 3)}
    bounds = {"x": Fraction(1, 4), "y": Fraction(3, 4)}
    batches, ballots = macro.expected_ballots(bounds, held, 2)
    # x is missed by both draws with (3/4)², y with (1/4)²
    assert batches == pytest.approx((1 - 9 / 16) + (1 - 1 / 16))
    assert ballots == pytest.approx(100 * (1 - 9 / 16) + 300 * (1 - 1 / 16))


def test_a_tied_contest_is_a_full_hand_count_in_every_column() -> None:
    found = compare([Planned(make_contest({"A": 5, "B": 5}, 12), "contest", "given")], 0.1)
    row = found.rows[0]
    assert all(s.full_hand_count and s.sample_size == 12 for s in row.sizes().values())
    assert row.fewest() is None and row.margin == 0


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("de")
    returns = folder / "20041102__de__general__precinct.csv"
    returns.write_text(PRECINCTS, encoding="utf-8")
    db = folder / "de.duckdb"
    with api.open_store(db, write=True) as store:
        api.import_path(store, returns)
    return db


def test_a_stored_election_statewide_and_each_county(stored: Path) -> None:
    document = _run("compare", "--risk-limit", "0.1", "--election", "2004-DE-president",
                    "--db", str(stored))
    rows = {r["name"]: r for r in document["contests"]}  # type: ignore[union-attr]
    assert list(rows) == ["Delaware", "Kent", "New Castle", "Sussex"]
    state = rows["Delaware"]
    assert state["votes"] == {"John Kerry": 3350, "George W. Bush": 2860}
    assert (state["ballots"], state["ballots_from"]) == (6290, "ballots cast (precinct sum)")
    assert (state["batches"], state["batch_level"]) == (6, "precinct")
    assert rows["Kent"]["ballots"] == 950 + 840 and rows["Kent"]["batches"] == 2
    assert rows["Sussex"]["reported_winners"] == ["George W. Bush"]
    for row in rows.values():
        tally = ",".join(f"{k}={v}" for k, v in row["votes"].items())
        given = ("--risk-limit", "0.1", "--tally", tally, "--ballots", str(row["ballots"]))
        for method in ("bravo", "minerva", "supersimple"):
            assert row[method]["sample_size"] == _plan(method, *given)["sample_size"], method
    # six precincts cannot confirm a 7.8 % margin by batch comparison: every one is counted
    assert state["macro"]["full_hand_count"] and state["macro"]["expected_ballots"] == 6290
    alone = _run("compare", "--risk-limit", "0.1", "--election", "2004-DE-president",
                 "--db", str(stored), "--no-counties", "--ballots", "7000")
    [only] = alone["contests"]  # type: ignore[misc]
    assert (only["ballots"], only["ballots_from"]) == (7000, "given")


def test_the_stored_batches_are_the_batch_file_they_would_be(stored: Path, tmp_path: Path) -> None:
    lines = ["batch,contest,candidate,votes,ballots"]
    for line in PRECINCTS.splitlines()[1:]:
        county, precinct, office, _, _, candidate, votes = line.split(",")
        if office == "President":
            cast = next(x.split(",")[-1] for x in PRECINCTS.splitlines()
                        if x.startswith(f"{county},{precinct},Total"))
            lines.append(f"{precinct},{county},{candidate},{votes},{cast}")
    path = tmp_path / "batches.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with api.open_store(stored) as store:
        found = api.rla_compare(store, "2004-DE-president", 0.9)
    for row in found.rows[1:]:
        plan = _plan("macro", "--risk-limit", "0.9", "--batches", str(path), "--contest", row.name)
        assert row.macro is not None
        assert (row.macro.sample_size, row.macro.full_hand_count) == (
            plan["sample_size"], plan["full_hand_count"]), row.name


def test_a_stored_election_with_many_precincts_plans_a_batch_sample(tmp_path: Path) -> None:
    # 2 counties × 60 precincts of 500 ballots cast; Marsh 270 and Dunmore 220 in each
    lines = ["county,precinct,office,district,party,candidate,votes"]
    batch_rows = ["batch,contest,candidate,votes,ballots"]
    for county in ("Kent", "Sussex"):
        for i in range(60):
            lines += [f"{county},{county} {i},President,,DEM,Ada Marsh,270",
                      f"{county},{county} {i},President,,REP,Cole Dunmore,220",
                      f"{county},{county} {i},Total Votes Cast,,,,500"]
            batch_rows += [f"{county} {i},Delaware,Ada Marsh,270,500",
                           f"{county} {i},Delaware,Cole Dunmore,220,500"]
    returns = tmp_path / "20201103__de__general__precinct.csv"
    returns.write_text("\n".join(lines) + "\n", encoding="utf-8")
    batch_file = tmp_path / "batches.csv"
    batch_file.write_text("\n".join(batch_rows) + "\n", encoding="utf-8")
    with api.open_store(tmp_path / "s.duckdb", write=True) as store:
        api.import_path(store, returns)
        found = api.rla_compare(store, "2020-DE-president", 0.1, counties=False)
    [row] = found.rows
    assert (row.planned.contest.ballots, row.planned.batch_level) == (60_000, "precinct")
    plan = _plan("macro", "--risk-limit", "0.1", "--batches", str(batch_file))
    assert row.macro is not None and not row.macro.full_hand_count
    assert row.macro.sample_size == plan["sample_size"]
    # V = 6,000; each u = (50 + 500) / 6,000, U = 11; ⌈ln 0.1 / ln(10/11)⌉ + 1 = 26 draws of 120
    assert row.macro.sample_size == 26
    # equal bounds: each precinct is missed by all 26 draws with (119/120)^26
    assert row.macro.expected_ballots == math.ceil(60_000 * (1 - (119 / 120) ** 26))


def test_the_chart_marks_each_contest_and_escapes_names(tmp_path: Path) -> None:
    batches = tmp_path / "b.csv"
    rows = ["batch,contest,candidate,votes,ballots"]
    for i in range(40):
        rows += [f"P{i},Mayor <A&B>,Ames,60,100", f"P{i},Mayor <A&B>,Bell,35,100",
                 f"P{i},Clerk,Cole,52,100", f"P{i},Clerk,Dunn,47,100",
                 f"P{i},Tied,Eck,40,100", f"P{i},Tied,Fox,40,100"]
    batches.write_text("\n".join(rows) + "\n", encoding="utf-8")
    chart = tmp_path / "chart.svg"
    result = CliRunner().invoke(app, ["rla", "compare", "--risk-limit", "0.05", "--batches",
                                      str(batches), "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    svg = chart.read_text(encoding="utf-8")
    tree = ET.fromstring(svg)  # well-formed: the name's < & > are escaped
    marks = [g for g in tree.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "contest"]
    assert sorted(g.get("data-contest") for g in marks) == ["Clerk", "Mayor <A&B>", "Tied"]
    hollow = {g.get("data-contest"): all(m.get("fill") == "#ffffff" for m in g if m.tag.endswith(
        ("circle", "rect", "path"))) for g in marks}
    assert hollow == {"Clerk": False, "Mayor <A&B>": False, "Tied": True}  # full hand count
    assert "Mayor &lt;A&amp;B&gt;" in svg and "<A&B>" not in svg
    methods = {p.get("data-method") for p in tree.iter("{http://www.w3.org/2000/svg}polyline")}
    assert methods == {"bravo", "supersimple", "macro"}
    assert "Mayor <A&B>" in result.stdout  # the text table prints the name as it is


def test_curves_are_the_plans_of_two_candidate_contests() -> None:
    drawn = {c.method: c for c in curves(0.1, 100_000, batch_ballots=500, lowest=0.01, steps=5)}
    x, size, full = drawn["supersimple"].points[-1]
    assert x == 1.0 and not full
    assert size == comparison.plan(Fraction(1), 100_000, 0.1).sample_size
    for x, size, full in drawn["macro"].points:
        # equal batches with the contest's margin: U = 1 + 1/μ; 200 batches of 500
        draws = math.ceil(math.log(0.1) / math.log(1 - x / (1 + x))) + 1
        expected = 100_000 if draws >= 200 else math.ceil(100_000 * (1 - (1 - 1 / 200) ** draws))
        assert (size, full) == (expected, draws >= 200)
    sizes = [n for _, n, _ in drawn["bravo"].points]
    assert sizes == sorted(sizes, reverse=True)  # wider margins need fewer ballots


@pytest.mark.parametrize(("args", "code", "said"), [
    ([], 2, "give one of --election, --tally and --batches"),
    (["--tally", "A=6,B=4", "--ballots", "10", "--batches", "x.csv"], 2, "give one of"),
    (["--tally", "A=6,B=4"], 2, "--ballots"),
    (["--tally", "A=6,B=x", "--ballots", "10"], 1, "[tally]"),
    (["--tally", "A=6,B=4", "--ballots", "10", "--rates", "1,2"], 1, "rates"),
])
def test_cli_exit_codes(args: list[str], code: int, said: str) -> None:
    result = CliRunner().invoke(app, ["rla", "compare", "--risk-limit", "0.1", *args])
    assert result.exit_code == code and said in result.output, result.output


def test_cli_errors_name_the_file_line_and_field(tmp_path: Path, stored: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("batch,contest,candidate,votes,ballots\nP1,Mayor,Ames,x,10\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["rla", "compare", "--risk-limit", "0.1", "--batches", str(bad)])
    assert result.exit_code == 1 and f"{bad}:2 [votes]" in result.stderr
    usage = CliRunner().invoke(app, ["rla", "compare", "--risk-limit", "10", "--tally", "A=1,B=0",
                                     "--ballots", "1"])
    assert usage.exit_code == 2 and "between 0 and 1" in usage.output
    empty = tmp_path / "empty.csv"
    empty.write_text("batch,contest,candidate,votes,ballots\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["rla", "compare", "--risk-limit", "0.1", "--batches",
                                      str(empty), "--chart", str(tmp_path / "c.svg")])
    assert result.exit_code == 1 and "no contest" in result.stderr
    missing = CliRunner().invoke(app, ["rla", "compare", "--risk-limit", "0.1", "--election",
                                       "2008-DE-president", "--db", str(stored)])
    assert missing.exit_code == 1 and "2008-DE-president" in missing.stderr
