"""Issue 10 as a new user meets it: real public files (../shared/data) imported through the CLI, every
statewide figure compared with a sum computed here from the raw file. A test marked xfail names a fault
found on these files; strict, so fixing the fault makes it fail until the mark is removed."""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from electoral.cli import app

runner = CliRunner()
IA = "data/precinct/openelections/20201103__ia__general__precinct.csv.gz"
COUNTYPRES = "data/county_presidential/countypres_2000-2020.csv.gz"


def run(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def statewide(db: Path, election: str) -> dict:
    code, out = run("report", election, "--format", "json", "--db", db)
    assert code == 0, out
    return json.loads(out)


def candidate_votes(report: dict) -> Counter[str]:
    return Counter({c["name"]: c["votes"] for c in report["total"]["candidates"]})


def ia_rows(shared: Path) -> list[dict[str, str]]:
    with gzip.open(shared / IA, "rt", newline="") as f:
        return list(csv.DictReader(f))


def ia_president_sums(rows: list[dict[str, str]]) -> Counter[str]:
    """Candidate totals of the raw file: president rows; the file has no pseudo-candidate rows."""
    sums: Counter[str] = Counter()
    for r in rows:
        if r["office"] == "President":
            sums[r["candidate"]] += int(r["votes"])
    return sums


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def by_county(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        out.setdefault(r["county"], []).append(r)
    return out


def slug(county: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in county.lower())


@pytest.mark.slow
def test_ia_precinct_file_equals_its_raw_sum_and_the_certified_figures(shared: Path, db: Path) -> None:
    code, out = run("import", shared / IA, "--db", db)
    assert code == 0, out
    report = statewide(db, "2020-IA-president")
    got = candidate_votes(report)
    got["Write-in"] = report["total"]["other"]["votes"]
    assert got == ia_president_sums(ia_rows(shared))
    # the data README: "Trump 897,672 and Biden 759,061 match certified exactly"
    assert got["Donald J. Trump and Michael R. Pence"] == 897_672
    assert got["Joseph R. Biden and Kamala D. Harris"] == 759_061
    assert report["complete"] is True


@pytest.mark.slow
def test_ia_split_into_county_files_equals_the_whole_file(shared: Path, db: Path, tmp_path: Path) -> None:
    rows = ia_rows(shared)
    files = [write(tmp_path / f"20201103__ia__general__{slug(c)}__precinct.csv", rs)
             for c, rs in sorted(by_county(rows).items())]
    code, out = run("import", *files, "--db", db)
    assert code == 0, out
    report = statewide(db, "2020-IA-president")
    got = candidate_votes(report)
    got["Write-in"] = report["total"]["other"]["votes"]
    assert got == ia_president_sums(rows)


@pytest.mark.slow
def test_one_candidate_spelled_differently_in_two_county_files(
        shared: Path, db: Path, tmp_path: Path) -> None:
    rows = ia_rows(shared)
    respelled = {"Donald J. Trump and Michael R. Pence": "Trump, Donald J.",
                 "Joseph R. Biden and Kamala D. Harris": "Biden, Joseph R."}
    first = [dict(r, candidate=respelled.get(r["candidate"], r["candidate"]))
             for r in rows if r["county"] < "M"]
    second = [r for r in rows if r["county"] >= "M"]
    files = [write(tmp_path / "20201103__ia__general__a_l__precinct.csv", first),
             write(tmp_path / "20201103__ia__general__m_z__precinct.csv", second)]
    code, out = run("import", *files, "--db", db, "--election", "2020-IA-president")
    assert code == 0, out
    got = sorted(candidate_votes(statewide(db, "2020-IA-president")).values(), reverse=True)
    sums = ia_president_sums(rows)
    assert got[:2] == [sums["Donald J. Trump and Michael R. Pence"],
                       sums["Joseph R. Biden and Kamala D. Harris"]]


def test_ny_2024_fusion_labels_are_the_canonical_parties(shared: Path, db: Path) -> None:
    code, out = run("import", shared / "data/state_presidential/2024-president-state.csv", "--db", db)
    assert code == 0, out
    parties = {c["name"]: c["party_id"] for c in statewide(db, "2024-NY-president")["total"]["candidates"]}
    assert parties["HARRIS, KAMALA D."] == "DEM"
    assert parties["TRUMP, DONALD J."] == "REP"


def countypres_subset(shared: Path, tmp_path: Path, state: str) -> Path:
    """The MEDSL county file's rows of one state, unchanged, as a file of its own."""
    with gzip.open(shared / COUNTYPRES, "rt", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["state"] == state]
    return write(tmp_path / f"countypres_{slug(state)}.csv", rows)


def medsl_county_coverage(shared: Path, db: Path, tmp_path: Path, state: str, election: str) -> dict:
    code, out = run("import", countypres_subset(shared, tmp_path, state), "--db", db)
    assert code == 0, out
    return statewide(db, election)


def test_south_dakota_all_counties_is_complete(shared: Path, db: Path, tmp_path: Path) -> None:
    code, out = run("import", countypres_subset(shared, tmp_path, "SOUTH DAKOTA"), "--db", db)
    assert code == 0, out
    assert "not a county" not in out
    for year in (2000, 2012, 2016, 2020):  # Shannon County until 2015, Oglala Lakota after: 46113
        report = statewide(db, f"{year}-SD-president")
        assert report["coverage"] == {"level": "county", "reporting": 66, "expected": 66,
                                      "missing": []}, year
        assert report["complete"] is True
    code, out = run("history", "Oglala Lakota County, SD", "--db", db)
    assert code == 0, out
    assert all(str(year) in out for year in range(2000, 2021, 4)), out


def test_district_of_columbia_as_one_unit_is_complete(shared: Path, db: Path, tmp_path: Path) -> None:
    report = medsl_county_coverage(shared, db, tmp_path, "DISTRICT OF COLUMBIA", "2020-DC-president")
    assert report["complete"] is True
    assert report["coverage"] == {"level": "county", "reporting": 1, "expected": 1, "missing": []}


def test_colorado_2000_expects_the_counties_of_2000(shared: Path, db: Path, tmp_path: Path) -> None:
    report = medsl_county_coverage(shared, db, tmp_path, "COLORADO", "2000-CO-president")
    assert report["complete"] is True
    assert (report["coverage"]["reporting"], report["coverage"]["expected"]) == (63, 63)
    later = statewide(db, "2004-CO-president")["coverage"]
    assert (later["reporting"], later["expected"]) == (64, 64)


def test_connecticut_2024_planning_regions_are_complete(shared: Path, db: Path, tmp_path: Path) -> None:
    src = shared / "data/county_presidential/tonmcg_2024_US_County_Level_Presidential_Results.csv"
    with src.open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["state_name"] == "Connecticut"]
    code, out = run("import", write(tmp_path / "tonmcg_2024_ct.csv", rows), "--db", db)
    assert code == 0, out
    report = statewide(db, "2024-CT-president")
    assert report["total"]["total"] == sum(int(r["total_votes"]) for r in rows)
    assert report["complete"] is True
    assert report["coverage"] == {"level": "cog", "reporting": 9, "expected": 9, "missing": []}


def test_district_of_columbia_by_ward_is_the_district(shared: Path, db: Path, tmp_path: Path) -> None:
    """tonmcg's 2024 file gives DC's eight wards the codes 11001–11008: they are parts of 11001."""
    src = shared / "data/county_presidential/tonmcg_2024_US_County_Level_Presidential_Results.csv"
    with src.open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["state_name"] == "District of Columbia"]
    code, out = run("import", write(tmp_path / "tonmcg_2024_dc.csv", rows), "--db", db)
    assert code == 0, out
    assert "not a county" not in out
    report = statewide(db, "2024-DC-president")
    assert report["coverage"] == {"level": "county", "reporting": 1, "expected": 1, "missing": []}
    code, out = run("report", "2024-DC-president", "--by", "county", "--format", "json", "--db", db)
    assert code == 0, out
    (county,) = json.loads(out)["rows"]
    assert county["unit"] == "District of Columbia"
    assert county["total"] == sum(int(r["total_votes"]) for r in rows) == report["total"]["total"]
