"""`electoral forecast` and `electoral forecast backtest` through the CLI runner, on the real 538
poll files and the MEDSL state returns 2008–2020 imported into a temporary store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from electoral.cli import app
from tests.conftest import SHARED

pytestmark = pytest.mark.slow
runner = CliRunner()
POLLS = SHARED / "data" / "polls"
PRESIDENT = POLLS / "538_president_polls_2020_state_general_biden_trump_asof_2020-10-21.csv"
RAW = POLLS / "538_raw_polls_2023_presidential_general_2000-2020.csv"


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: these tests read the real files in ../shared")
    folder = tmp_path_factory.mktemp("forecast")
    source = SHARED / "data" / "state_presidential" / "1976-2020-president.csv"
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    trimmed = folder / "2008-2020-president.csv"
    with trimmed.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([rows[0], *(r for r in rows[1:] if int(r[0]) >= 2008)])
    path = folder / "store.duckdb"
    result = run("import", trimmed, "--db", path)
    assert result.exit_code == 0, result.output
    return path


def forecast(store: Path, *more: object):
    return run("forecast", "--polls", PRESIDENT, "--polls", RAW, "--as-of", "2020-10-20",
               "--sims", 5000, "--db", store, *more)


def test_json_forecast_has_every_unit_and_a_whole_distribution(store: Path) -> None:
    result = forecast(store, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    units = {s["state"]: s for s in data["states"]}
    assert len(units) == 56 and {"ME-02", "NE-02", "DC"} <= set(units)
    assert sum(int(s["electors"]) for s in units.values()) == 538
    assert data["national"]["incumbent"] == "republican" and data["national"]["cycle"] == 2020
    assert data["national"]["parameters"]["fitted_on"] == [2008, 2012, 2016]
    assert sum(float(e["evprob_dem"]) for e in data["ev_probabilities"]) == pytest.approx(1, abs=1e-3)
    for s in units.values():
        assert float(s["winstate_inc"]) + float(s["winstate_chal"]) == pytest.approx(1)
        assert float(s["margin_lo"]) <= float(s["margin"]) <= float(s["margin_hi"]) or s["state"] in (
            "ME-01", "NE-01", "NE-03")  # a district following its state: its mean is the state's


def test_same_seed_same_output(store: Path) -> None:
    first, second = forecast(store, "--seed", 5, "--format", "csv"), forecast(store, "--seed", 5,
                                                                                 "--format", "csv")
    assert first.exit_code == 0 and first.stdout == second.stdout
    header = next(csv.reader(io.StringIO(first.stdout)))
    assert header[:5] == ["state", "electors", "tipping", "winstate_inc", "winstate_chal"]
    assert forecast(store, "--seed", 6, "--format", "csv").stdout != first.stdout


def test_text_has_the_ratings_table_and_figures_are_written(store: Path, tmp_path: Path) -> None:
    result = forecast(store, "--figures", tmp_path / "fig")
    assert result.exit_code == 0, result.output
    assert "Safe ≥ 95%, Likely ≥ 75%, Lean ≥ 60%" in result.stdout and "Safe D" in result.stdout
    names = {p.name for p in (tmp_path / "fig").iterdir()}
    assert {"ev-histogram.svg", "probability-map.svg"} <= names
    assert len([n for n in names if n.startswith("average-") and n.endswith(".svg")]) == 5
    assert (tmp_path / "fig" / "ev-histogram.svg").read_text().startswith("<svg")


def test_backtest_scores_model_and_baseline(store: Path) -> None:
    result = run("forecast", "backtest", "--polls", PRESIDENT, "--polls", RAW, "--years", "2016,2020",
                 "--as-of", "2020-10-20", "--sims", 2000, "--db", store, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [y["year"] for y in data["years"]] == [2016, 2020]
    for year in data["years"]:
        assert year["states"] == 51 and 0 < float(year["brier"]) < 0.25
        assert 0 < float(year["baseline_brier"]) < 0.25 and year["fitted_on"][-1] < year["year"]
    assert data["years"][1]["as_of"] == "2020-10-20"
    assert sum(b["count"] for b in data["calibration"]) == 102


def test_without_polls_given_or_stored_and_without_results_a_failure(store: Path, tmp_path: Path) -> None:
    bare = run("forecast", "--db", store)
    assert bare.exit_code == 1 and "no poll file given (--polls) and no poll stored" in bare.output
    missing = run("forecast", "--polls", PRESIDENT, "--year", "2024", "--db", store)
    assert missing.exit_code == 1 and "no poll of the 2024 election" in missing.output
    early = run("forecast", "--polls", RAW, "--year", "2012", "--db", store)
    assert early.exit_code == 1 and "2012" in early.output


def test_the_stored_polls_forecast_as_the_files_do(store: Path, tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "with-polls.duckdb"
    shutil.copy(store, db)
    assert run("polls", "import", PRESIDENT, "--db", db).exit_code == 0
    # raw-polls repeats 55 of the 2020 file's polls; the 2020 file's are kept, as --polls does
    refused = run("polls", "import", RAW, "--db", db)
    assert refused.exit_code == 1 and "55 problem(s)" in refused.output
    assert run("polls", "import", RAW, "--db", db, "--skip-existing").exit_code == 0
    args = ("--as-of", "2020-10-20", "--sims", 5000, "--format", "csv")
    from_store = run("forecast", "--db", db, *args)
    assert from_store.exit_code == 0, from_store.output
    assert from_store.stdout == forecast(store, "--format", "csv").stdout
    figures = run("forecast", "--db", db, "--sims", 2000, "--figures", tmp_path / "fig")
    assert figures.exit_code == 0 and (tmp_path / "fig" / "ev-histogram.svg").exists()
    assert any(p.name.startswith("average-") for p in (tmp_path / "fig").iterdir())
    bare = run("forecast", "--db", store, *args)
    assert bare.exit_code == 1 and "no poll stored" in bare.output

    page = run("report", "2020-PA-president", "--format", "html", "--out", tmp_path / "page",
               "--forecast", "--as-of", "2020-10-20", "--db", db)
    assert page.exit_code == 0, page.output
    text = (tmp_path / "page" / "index.html").read_text(encoding="utf-8")
    section = text.split('<section id="forecast"')[1].split("</section>")[0]
    assert "The 2020 forecast as of 2020-10-20" in section and "Pennsylvania: P(Democrat wins)" in section
    assert section.count("<svg") == 2 and '<th scope="row">PA</th>' in section
    assert (tmp_path / "page" / "forecast" / "2020-forecast-probability-map.svg").exists()
    with_figures = json.loads(run("forecast", "--db", db, "--as-of", "2020-10-20", "-f", "json").stdout)
    pa = next(s for s in with_figures["states"] if s["state"] == "PA")
    assert f'<td class="num">{pa["tipping"]}</td>' in section  # the same run: 100,000 sims, seed 0
