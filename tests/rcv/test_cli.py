"""``electoral rcv`` through its runner: an RCTab config gives RCTab's files (exit 0); every kind
of bad input gives exit 1 and a list of problems naming file, ballot/line and field, and no
report; usage mistakes exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from electoral.cli import app
from electoral.errors import ValidationError
from electoral.rcv.rctab_config import load_config

runner = CliRunner()
CASE = "generic_csv_test"


def invoke(*args: object):  # noqa: ANN201
    return runner.invoke(app, ["rcv", *[str(a) for a in args]])


@pytest.fixture
def case(shared: Path, tmp_path: Path) -> Path:
    """A copy of RCTab's generic CSV case, to edit."""
    folder = tmp_path / CASE
    shutil.copytree(shared / "conformance" / "rctab" / CASE, folder)
    return folder / f"{CASE}_config.json"


def edit(config: Path, section: str, **changes: object) -> None:
    raw = json.loads(config.read_text())
    target = raw[section][0] if section == "cvrFileSources" else raw[section]
    target.update(changes)
    config.write_text(json.dumps(raw))


def test_config_writes_rctab_reports(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("--rctab-config", case, "--output", out)
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.rglob("*.*")}
    assert {f"{CASE}_detailed_report.json", f"{CASE}_detailed_report.csv",
            f"{CASE}_summary_report.csv", f"{CASE}_p1_precinct_detailed_report.csv",
            f"{CASE}_b2_batch_detailed_report.csv"} <= names
    summary = (out / f"{CASE}_summary_report.csv").read_text()
    assert "Inactive Ballots by Overvotes" not in summary and "Inactive Ballots Total" in summary


@pytest.mark.parametrize(("section", "changes", "field"), [
    ("rules", {"numberOfWinners": "2"}, "winnerElectionMode"),
    ("rules", {"hareQuota": True}, "hareQuota"),
    ("rules", {"tiebreakMode": "random", "randomSeed": ""}, "randomSeed"),
    ("rules", {"maxRankingsAllowed": "lots"}, "maxRankingsAllowed"),
    ("rules", {"overvoteRule": "sometimes"}, "overvoteRule"),
    ("cvrFileSources", {"filePath": "nowhere.csv"}, "filePath"),
    ("cvrFileSources", {"provider": "punchcard"}, "provider"),
    ("outputSettings", {"contestName": ""}, "contestName"),
])
def test_contradictory_config_is_refused(case: Path, tmp_path: Path, section: str,
                                         changes: dict, field: str) -> None:
    edit(case, section, **changes)
    with pytest.raises(ValidationError) as error:
        load_config(case)
    assert field in {p.field for p in error.value.problems}
    assert all(p.source == case.name for p in error.value.problems)
    out = tmp_path / "out"
    result = invoke("--rctab-config", case, "--output", out)
    assert result.exit_code == 1
    assert f"[{field}]" in result.output
    assert not out.exists()


def test_unknown_candidate_names_the_file(case: Path, tmp_path: Path) -> None:
    raw = json.loads(case.read_text())
    raw["candidates"] = raw["candidates"][1:]  # "Lettuce" is no longer declared
    case.write_text(json.dumps(raw))
    result = invoke("--rctab-config", case, "--output", tmp_path / "out")
    assert result.exit_code == 1
    said = " ".join(result.output.split())  # the console wraps long lines
    assert "generic_csv_test_cvr.csv [candidates]: ballot 2: 'Lettuce' is not a declared " \
        "candidate or alias (25 ballot(s) in all)" in said
    assert not (tmp_path / "out").exists()


def test_rank_above_the_maximum(case: Path, tmp_path: Path) -> None:
    edit(case, "rules", maxRankingsAllowed="3")
    result = invoke("--rctab-config", case, "--output", tmp_path / "out")
    assert result.exit_code == 1
    assert "generic_csv_test_cvr.csv" in result.output and "[rank]" in result.output


def test_malformed_config_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad_config.json"
    bad.write_text('{"rules": ')
    result = invoke("--rctab-config", bad, "--output", tmp_path / "out")
    assert result.exit_code == 1 and "bad_config.json:1" in result.output


def ranks_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("rank1,rank2,rank3\n" + "\n".join(rows) + "\n")
    return path


def test_quick_count_formats_and_audit(tmp_path: Path) -> None:
    cvr = ranks_csv(tmp_path / "poll.csv", ["A,B,"] * 4 + ["B,A,"] * 3 + ["C,B,"] * 2 + [",,"])
    text = invoke(cvr)
    assert text.exit_code == 0, text.output
    assert "Eliminated" in text.output and "A (elected)" not in text.output
    md = invoke(cvr, "--format", "md")
    assert "| **B** | 3 | 33.3% | +2 | 5 | 55.6% |" in md.output
    wiki = invoke(cvr, "--format", "wiki")
    assert wiki.output.startswith('{| class="wikitable"') and "'''B'''" in wiki.output
    data = json.loads(invoke(cvr, "--format", "json").output)
    assert data["results"][0]["tallyResults"][0] == {"eliminated": "C", "transfers": {"B": "2"}}
    assert data["summary"]["undervotes"] == 1
    audit = tmp_path / "paths.parquet"
    assert invoke(cvr, "--audit", audit, "--format", "md").exit_code == 0
    table = pq.read_table(audit).to_pylist()
    assert table[7] == {"ballot": "8", "round_1": "C", "round_2": "B"}
    assert table[9]["round_1"] == "inactive: didNotRankAnyCandidates"


def test_quick_count_bad_input(tmp_path: Path) -> None:
    assert invoke().exit_code == 2
    assert invoke(tmp_path / "x.csv", "--format", "pdf").exit_code == 2
    missing = invoke(tmp_path / "absent.csv")
    assert missing.exit_code == 1
    odd = tmp_path / "poll.dat"
    odd.write_text("A,B\n")
    result = invoke(odd)
    assert result.exit_code == 1 and "poll.dat" in result.output and "--provider" in result.output
    broken = tmp_path / "broken.csv"
    broken.write_text("first,second\nA,B\n")
    result = invoke(broken)
    assert result.exit_code == 1 and "broken.csv" in result.output


def test_the_program_counts_without_typer_pydantic_or_pyarrow_compute(tmp_path: Path) -> None:
    """``python -m electoral rcv`` (the ``electoral`` script's path) parses its options with
    argparse: Typer's pydantic validation, Rich's table layout and pyarrow.compute cost more than
    the count of a million ballots (issue 13). The table and exit code are those of the Typer
    command."""
    import os
    import subprocess
    import sys

    path = tmp_path / "r.csv"
    path.write_text("rank1,rank2\nA,B\nB,\nA,\n")
    src = Path(__file__).resolve().parents[2] / "src"
    probe = ("import runpy, sys\nsys.argv = ['electoral', 'rcv', sys.argv[1]]\ntry:\n"
             "    runpy.run_module('electoral', run_name='__main__')\nexcept SystemExit as exc:\n"
             "    code = exc.code\nheavy = ('typer', 'pydantic', 'rich.console', 'pyarrow.compute',"
             " 'duckdb', 'numba')\n"
             "print('loaded:', ','.join(m for m in heavy if m in sys.modules), 'exit:', code)")
    env = dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    done = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("loaded:  exit: 0")
    assert "│ A (elected)" in done.stdout
    assert invoke(path).stdout == done.stdout.rsplit("loaded:", 1)[0]
