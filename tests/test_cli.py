"""The CLI through its runner: output, exit codes (0 ok, 1 failure, 2 usage), nothing half-stored."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from electoral.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def demo_db(tmp_path: Path) -> Path:
    db = tmp_path / "demo.duckdb"
    result = run("demo", "--db", db, "--out", tmp_path / "pages")
    assert result.exit_code == 0, result.output
    return db


def test_demo_shows_tables_flips_and_check(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    result = run("demo", "--db", db, "--out", tmp_path / "pages")
    assert result.exit_code == 0, result.output
    assert "Litchfield" in result.output and "1,578,769" in result.output
    assert "Windham: Democratic → Republican" in result.output
    assert "4,051 of 333,233 is 1.22%, not 1.41%" in result.output


def test_report_json_contract(tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    result = run("report", "2004-MA-president", "--by", "county", "--format", "json", "--db", db)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["election"] == "2004-MA-president" and document["level"] == "county"
    assert document["columns"] == ["John Kerry", "George W. Bush"]
    barnstable = document["rows"][0]
    assert barnstable == {
        "unit": "Barnstable", "total": 132148,
        "candidates": [
            {"name": "John Kerry", "party": "Democratic", "party_id": "DEM", "votes": 72156,
             "percent": "54.60"},
            {"name": "George W. Bush", "party": "Republican", "party_id": "REP", "votes": 58527,
             "percent": "44.29"}],
        "other": {"votes": 1465, "percent": "1.11"},
        "margin": {"votes": 13629, "percent": "10.31"}}
    assert document["total"]["total"] == 2912388


def test_report_compare_lists_flips(tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    result = run("report", "2024-CT-president", "--by", "county", "--compare",
                 "2004-CT-president", "--format", "json", "--db", db)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["flips"] == [{"unit": "Windham", "from": "Democratic", "to": "Republican"}]
    windham = next(s for s in document["swing"] if s["unit"] == "Windham")
    assert (windham["earlier_margin"], windham["later_margin"]) == ("6.45", "-10.26")


def test_report_errors_exit_1_and_usage_errors_exit_2(tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    missing = run("report", "2008-CT-president", "--db", db)
    assert missing.exit_code == 1 and "electoral import" in missing.output
    assert run("report", "2004-CT-president", "--by", "galaxy", "--db", db).exit_code == 2
    assert run("report", "2004-CT-president", "--format", "pdf", "--db", db).exit_code == 2
    assert run("report", "not-an-id", "--db", db).exit_code == 1


def test_report_formats(tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    wiki = run("report", "2004-MO-president", "--by", "county", "--format", "wiki", "--db", db)
    assert wiki.output.startswith('{| class="wikitable sortable"')
    assert "| Boone || 37,801 || 49.71% || 37,643 || 49.50%" in wiki.output
    md = run("report", "2004-MO-president", "--by", "county", "--format", "md", "--db", db)
    assert "| St. Louis City | 27,793 | 19.22% | 116,133 | 80.29% |" in md.output
    csv = run("report", "2004-MO-president", "--by", "county", "--format", "csv", "--db", db)
    assert csv.output.splitlines()[1].startswith("Adair,6367,55.83,4938,43.30,99,0.87,1429,12.53")
    html = run("report", "2004-CT-president", "--by", "county", "--format", "html", "--db", db)
    assert '<th scope="row">Litchfield</th>' in html.output


def test_check_exit_codes(seed, tmp_path: Path, minimal_article) -> None:
    assert run("check", seed("2004-MA-president")).exit_code == 1
    clean = tmp_path / "clean.txt"
    clean.write_text(minimal_article())
    result = run("check", clean, "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output) == {"problems": []}
    assert run("check", tmp_path / "absent.txt").exit_code == 1


def test_import_bad_file_exits_1_and_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    bad = tmp_path / "bad.csv"
    bad.write_text("election,unit,candidate,votes\n2004-CT-president,CT,Kerry,12\n"
                   "2004-CT-president,CT,Bush,lots\n")
    result = run("import", bad, "--db", db)
    assert result.exit_code == 1
    assert "bad.csv:3 [votes]" in result.output
    assert "no elections stored yet" in run("elections", "--db", db).output


def test_import_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("x\n")
    assert run("import", path, "--format", "nope", "--db", tmp_path / "d.duckdb").exit_code == 2


def test_demo_writes_a_page_per_election(tmp_path: Path) -> None:
    demo_db(tmp_path)
    pages = sorted(p.parent.name for p in (tmp_path / "pages").glob("*/index.html"))
    assert pages == ["2004-CT-president", "2004-MA-president", "2004-MO-president",
                     "2024-CT-president"]
    assert "straw poll" in (tmp_path / "pages" / "2024-CT-president" / "index.html").read_text()


def test_serve_is_a_command() -> None:
    result = run("serve", "--help")
    assert result.exit_code == 0 and "--port" in result.output
