"""The audit record: `rla record` fills in what follows from the seed and the observations, and
`rla verify` recomputes it all, exiting 1 with the first field that disagrees."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from electoral.cli import app
from electoral.errors import ValidationError
from electoral.rla import bravo, comparison, record
from electoral.rla.contest import make_contest
from electoral.rla.sampler import draw
from tests.conftest import SHARED

DRAFT = {
    "seed": "31415926535897932384", "risk_limit": 0.1, "with_replacement": False,
    "manifest": {"path": "manifest.csv"},
    "contests": [
        {"name": "Mayor", "votes": {"Ames": 30, "Bell": 15}, "ballots": 47, "method": "bravo"},
        {"name": "Measure 1", "votes": {"Yes": 28, "No": 17}, "ballots": 47,
         "method": "supersimple"},
    ],
    "rounds": [
        {"size": 8, "observed": {"Mayor": {"votes": {"Ames": 5, "Bell": 3}},
                                 "Measure 1": {"discrepancies": [0, 0, 0, 0]}}},
        {"size": 10, "observed": {"Mayor": {"votes": {"Ames": 9, "Bell": 1}},
                                  "Measure 1": {"discrepancies": [1, 0, 0, 0]}}},
    ],
}


def _read(name: str) -> bytes:
    return (SHARED / "cases" / "audit" / name).read_bytes()


def test_complete_derives_samples_p_values_and_decisions() -> None:
    done = record.complete(DRAFT, _read)
    assert done["manifest"]["sha256"].startswith("c201f2e3")
    eighteen = draw(DRAFT["seed"], 47, 18)
    assert done["rounds"][0]["sample"] == list(eighteen[:8])
    assert done["rounds"][1]["sample"] == list(eighteen[8:])
    mayor = make_contest({"Ames": 30, "Bell": 15}, 47)
    expect = bravo.risk(mayor, [{"Ames": 5, "Bell": 3}, {"Ames": 9, "Bell": 1}])[0]
    assert done["rounds"][1]["p_values"]["Mayor"] == expect
    measure = make_contest({"Yes": 28, "No": 17}, 47)
    expect = comparison.p_value(measure.margin(), 18, comparison.Discrepancies(1, 0, 0, 0))
    assert done["rounds"][1]["p_values"]["Measure 1"] == expect
    for entry in done["rounds"]:
        stop = all(p <= 0.1 for p in entry["p_values"].values())
        assert entry["decision"] == ("stop" if stop else "escalate")
    assert record.verify(done, _read)[0] == "manifest.sha256"


@pytest.mark.parametrize(("path", "value", "named"), [
    (("rounds", 1, "sample", 0), 1, "rounds[2].sample"),
    (("rounds", 0, "p_values", "Mayor"), 0.5, "rounds[1].p_values.Mayor"),
    (("rounds", 0, "decision"), "stop", "rounds[1].decision"),
    (("manifest", "sha256"), "0" * 64, "manifest.sha256"),
])
def test_verify_names_the_first_disagreement(path: tuple[object, ...], value: object,
                                             named: str) -> None:
    done = record.complete(DRAFT, _read)
    place = done
    for key in path[:-1]:
        place = place[key]  # type: ignore[index]
    place[path[-1]] = value  # type: ignore[index]
    with pytest.raises(ValidationError) as caught:
        record.verify(done, _read)
    assert caught.value.problems[0].field == named


def test_cli_record_then_verify(tmp_path: Path) -> None:
    shutil.copy(SHARED / "cases" / "audit" / "manifest.csv", tmp_path / "manifest.csv")
    (tmp_path / "draft.json").write_text(json.dumps(DRAFT))
    runner = CliRunner()
    made = runner.invoke(app, ["rla", "record", str(tmp_path / "draft.json")])
    assert made.exit_code == 0, made.output
    (tmp_path / "record.json").write_text(made.stdout)
    good = runner.invoke(app, ["rla", "verify", str(tmp_path / "record.json")])
    assert good.exit_code == 0 and "agree" in good.stdout
    with (tmp_path / "manifest.csv").open("a") as manifest:
        manifest.write("Precinct 3,Tabulator 3 - Batch 001,5\n")
    bad = runner.invoke(app, ["rla", "verify", str(tmp_path / "record.json")])
    assert bad.exit_code == 1 and "manifest.sha256" in bad.stderr
    (tmp_path / "broken.json").write_text("{")
    broken = runner.invoke(app, ["rla", "verify", str(tmp_path / "broken.json")])
    assert broken.exit_code == 1 and "not JSON" in broken.stderr


def test_cli_errors_are_located_and_exit_1_or_2(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "m.csv").write_text("container,batch,ballots\nP1,B1,x\n")
    bad = runner.invoke(app, ["rla", "sample", "--seed", "1", "--manifest", str(tmp_path / "m.csv"),
                              "--size", "2"])
    assert bad.exit_code == 1 and f"{tmp_path / 'm.csv'}:2 [ballots]" in bad.stderr
    over = runner.invoke(app, ["rla", "sample", "--seed", "1", "--ballots", "3", "--size", "4"])
    assert over.exit_code == 1 and "at most 3" in over.stderr
    usage = runner.invoke(app, ["rla", "plan", "--method", "bravo", "--risk-limit", "10",
                                "--tally", "A=6,B=4", "--ballots", "10"])
    assert usage.exit_code == 2 and "between 0 and 1" in usage.output
    tied = runner.invoke(app, ["rla", "plan", "--method", "bravo", "--risk-limit", "0.05",
                               "--tally", "A=5,B=5", "--ballots", "10"])
    assert tied.exit_code == 0 and "full hand count" in tied.stdout


def test_plan_a_stored_election(tmp_path: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "demo.duckdb"
    assert runner.invoke(app, ["demo", "--db", str(db), "--out", str(tmp_path / "pages")]).exit_code == 0
    stored = runner.invoke(app, ["rla", "plan", "--method", "bravo", "--risk-limit", "0.05",
                                 "--election", "2004-CT-president", "--db", str(db),
                                 "--ballots", "1600000", "--format", "json"])
    assert stored.exit_code == 0, stored.output
    document = json.loads(stored.stdout)
    # Connecticut's certified 2004 statewide votes: Kerry 857,488, Bush 693,826
    votes = document["contest"]["votes"]
    assert (votes["John Kerry"], votes["George W. Bush"]) == (857_488, 693_826)
    tally = ",".join(f"{name}={count}" for name, count in votes.items())
    given = runner.invoke(app, ["rla", "plan", "--method", "bravo", "--risk-limit", "0.05",
                                "--tally", tally, "--ballots", "1600000", "--format", "json"])
    assert json.loads(given.stdout)["sample_size"] == document["sample_size"] > 0
    unknown = runner.invoke(app, ["rla", "plan", "--method", "bravo", "--risk-limit", "0.05",
                                  "--election", "2004-CT-president", "--db", str(db)])
    assert unknown.exit_code == 2 and "--ballots" in unknown.output


def test_a_round_must_record_what_it_saw() -> None:
    missing = json.loads(json.dumps(DRAFT))
    del missing["rounds"][1]["observed"]["Mayor"]
    with pytest.raises(ValidationError) as caught:
        record.complete(missing, _read)
    assert caught.value.problems[0].field == "rounds[2].observed.Mayor"
    too_many = json.loads(json.dumps(DRAFT))
    too_many["rounds"][0]["observed"]["Mayor"]["votes"]["Ames"] = 50
    with pytest.raises(ValidationError, match="among 8 ballots"):
        record.complete(too_many, _read)
