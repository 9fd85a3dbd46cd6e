"""Rules from the command line (options, presets, --save-config round trips) and the round tables
people read (shares never above 100%, held quotas, inactive ballots by reason, every format with
names escaped), plus the real BLT contests against the official results the data set holds."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from electoral.cli import app
from electoral.errors import ValidationError
from electoral.rcv import QuickOptions, quick_count
from electoral.rcv.presets import PRESETS
from tests.conftest import SHARED

runner = CliRunner()
RCTAB = "conformance/rctab"
BLT_DIR = "data/rcv/blt_irv_elections_2006_2011"


def invoke(*args: object):  # noqa: ANN201
    return runner.invoke(app, ["rcv", *[str(a) for a in args]])


def _minneapolis(shared: Path) -> Path:
    return shared / RCTAB / "2017_minneapolis_mayor" / "2017_minneapolis_mayor_cvr.xlsx"


def test_every_preset_names_its_source() -> None:
    assert {"minneapolis", "maine", "portland", "alaska", "nyc", "sf"} <= set(PRESETS)
    for preset in PRESETS.values():
        assert re.search(r"RCTab's \w+ config|§|Charter|Order|report", preset.source), preset.name
        QuickOptions(**preset.rules)  # every field is a QuickOptions field


def test_options_override_the_preset(shared: Path, tmp_path: Path) -> None:
    config = tmp_path / "c.json"
    out = invoke(_minneapolis(shared), "--rules", "minneapolis", "--overvote",
                 "exhaustImmediately", "--no-batch-elimination", "--save-config", config)
    assert out.exit_code == 0, out.output
    rules = json.loads(config.read_text())["rules"]
    assert rules["overvoteRule"] == "exhaustImmediately" and rules["batchElimination"] is False
    assert rules["maxSkippedRanksAllowed"] == "1" and rules["tiebreakMode"] == "random"


def test_unknown_preset_and_duplicate_rule_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("rank1\nA\n")
    out = invoke(path, "--rules", "atlantis")
    assert out.exit_code == 1 and "minneapolis" in out.output
    out = invoke(path, "--duplicate-rankings", "sometimes")  # a usage mistake, as in argparse
    assert out.exit_code == 2 and "skip" in out.output and "exhaust" in out.output


@pytest.mark.parametrize("args", [("--rules", "minneapolis"), ("--rules", "maine"),
                                  ("--skipped-rankings", "0", "--duplicate-rankings", "exhaust",
                                   "--continue-until-two", "--tiebreak", "random", "--seed", "3")])
def test_save_config_counts_the_same_with_rctab_config(shared: Path, tmp_path: Path,
                                                       args: tuple[str, ...]) -> None:
    config = tmp_path / "saved" / "contest.json"
    quick = invoke(_minneapolis(shared), *args, "--format", "json", "--save-config", config)
    assert quick.exit_code == 0, quick.output
    again = invoke("--rctab-config", config, "--output", tmp_path / "out")
    assert again.exit_code == 0, again.output
    report = json.loads((tmp_path / "out" / "contest_detailed_report.json").read_text())
    assert report["results"] == json.loads(quick.output)["results"]
    assert report["summary"]["finalThreshold"] == json.loads(quick.output)["summary"][
        "finalThreshold"]


def test_save_config_refuses_what_rctab_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("rank1,rank2\nA,B\nB,\n")
    out = invoke(path, "--save-config", tmp_path / "c.json")
    assert out.exit_code == 1 and "RCTab reads no 'ranks' files" in out.output
    assert not (tmp_path / "c.json").exists()


def test_multi_seat_shares_never_pass_100_and_quotas_show_as_held(tmp_path: Path) -> None:
    path = tmp_path / "stv.csv"
    path.write_text("rank1,rank2,rank3\n" + "A,B,C\n" * 40 + "B,A,\n" * 25 + "C,D,\n" * 20
                    + "D,C,\n" * 15)
    result = quick_count([path], QuickOptions(seats=3))
    assert len(result.tabulation.winners) == 3
    out = invoke(path, "--seats", 3, "--format", "csv")
    assert out.exit_code == 0, out.output
    rows = [line.split(",") for line in out.output.splitlines()]
    header = rows[0]
    shares = [float(cell.rstrip("%")) for row in rows[1:] for i, cell in enumerate(row)
              if i < len(header) and header[i].endswith(" %") and cell.endswith("%")]
    assert shares and max(shares) <= 100
    sums = [sum(float(r[column].rstrip("%")) for r in rows[1:5] if r[column].endswith("%"))
            for column in (i for i, h in enumerate(header) if h.endswith(" %"))]
    # a final-round surplus belongs to no column: shares add up to 100% until then
    assert max(sums) <= 100.3 and sums[:2] == [pytest.approx(100, abs=0.3)] * 2
    assert "26 held" in out.output


def test_inactive_ballots_by_reason(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("rank1,rank2,rank3,rank4\n" + "A,,,\n" * 5 + "D,,,\n" * 6
                    + "B,overvote,A,\n" * 2 + "C,,,A\n" * 3)
    out = invoke(path, "--skipped-rankings", "1", "--format", "csv")
    assert out.exit_code == 0, out.output
    lines = {line.split(",")[0]: line.split(",")[1:] for line in out.output.splitlines()}
    assert lines["Exhausted: overvote"][-2] == "2"
    assert lines["Exhausted: skipped rankings"][-2] == "3"
    assert lines["D (elected)"][-2] == "6"


HOSTILE = "=Zed <b>&x</b> | 1+1 [[x]]"


@pytest.mark.parametrize("fmt", ["text", "md", "wiki", "html", "csv", "svg"])
def test_every_format_escapes_names(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "h.csv"
    path.write_text(f"rank1,rank2\n{HOSTILE},\n{HOSTILE},\nAmy,\n")
    out = invoke(path, "--format", fmt)
    assert out.exit_code == 0, out.output
    text = out.output
    if fmt in ("html", "svg"):
        ET.fromstring(text if fmt == "svg" else f"<div>{text}</div>")
        assert "<b>" not in text
    if fmt == "md":
        assert "\\| 1+1" in text and "<b>" not in text
    if fmt == "wiki":
        assert "[[x]]" not in text and "| 1+1" not in text
    if fmt == "csv":
        assert "\n'=Zed" in text  # no spreadsheet takes it for a formula
    assert "Amy" in text


def test_chart_file_is_written(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("rank1,rank2\n" + "A,B\n" * 3 + "B,\n" * 2 + "C,B\n" * 2)
    chart = tmp_path / "out" / "rounds.svg"
    out = invoke(path, "--chart", chart)
    assert out.exit_code == 0, out.output
    svg = ET.fromstring(chart.read_text())
    titles = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert any(t.startswith("B: 4 ") for t in titles)  # round 2: C's 2 went to B


BLT_FILES = sorted(p.name for p in (SHARED / BLT_DIR).glob("*.blt.gz"))


def test_the_data_set_holds_33_blt_contests(shared: Path) -> None:
    assert len(BLT_FILES) == 33


def test_burlington_2009_official_winner_and_rounds(shared: Path) -> None:
    """The city's official report (README of the data folder): Kiss elected 4,313 to Wright's
    4,061 in the last round; round 1 as the report prints it."""
    result = quick_count([shared / BLT_DIR / "2009-Burlington-Mayor.blt.gz"],
                         QuickOptions(**PRESETS["burlington"].rules))
    tab = result.tabulation
    assert result.title == "2009 Burlington Mayor Election"
    assert tab.winners == ("Bob Kiss",)
    assert tab.rounds[0].tally.votes["Kurt Wright"] == 2_951
    assert tab.rounds[-1].tally.votes == {"Bob Kiss": 4_313, "Kurt Wright": 4_061}


@pytest.mark.parametrize("name", BLT_FILES)
def test_every_real_blt_file_counts_or_is_refused_with_a_location(shared: Path,
                                                                  name: str) -> None:
    """Each contest names its title and a winner who holds a majority of the last round's
    continuing votes (or fills the seats), or is refused naming file, line and field."""
    path = shared / BLT_DIR / name
    try:
        result = quick_count([path])
    except ValidationError as exc:
        assert all(p.source == name and p.line and p.field for p in exc.problems), name
        return
    tab = result.tabulation
    assert result.title != name and len(tab.winners) == tab.rules.seats
    if tab.rules.seats == 1:
        last = tab.rounds[-1].tally
        assert last.votes[tab.winners[0]] * 2 > last.active


def test_the_quick_count_loads_no_numba(tmp_path: Path) -> None:
    import subprocess
    import sys
    path = tmp_path / "n.csv"
    path.write_text("rank1,rank2\n" + "A,B\n" * 3 + "B,\n" * 2 + "C,B\n" * 2)
    code = ("import sys; from pathlib import Path; from electoral import api; "
            f"api.rcv_count([Path({str(path)!r})]); print('numba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
