"""The CLI through its runner: output, exit codes (0 ok, 1 failure, 2 usage), nothing half-stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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


def test_demo_prints_an_out_folder_with_markup_as_it_is(tmp_path: Path) -> None:
    # "[/]" crashed Rich's markup parser and "[bold]" vanished from the printed path (issue 11)
    out = tmp_path / "p[/]q[bold]:smile:"
    result = run("demo", "--db", tmp_path / "d.duckdb", "--out", out)
    assert result.exit_code == 0, result.output
    assert f"2004-CT-president: {out.resolve()}" in result.output.replace("\n", "")
    assert (out / "2004-CT-president" / "index.html").is_file()


def test_consoles_read_no_markup_or_emoji_in_what_they_print() -> None:
    from electoral.cli import console, err_console

    for made in (console(), err_console()):
        with made.capture() as captured:
            made.print("[/] [bold]x :smile:")
        assert captured.get().strip() == "[/] [bold]x :smile:"


def test_serve_is_a_command() -> None:
    result = run("serve", "--help")
    assert result.exit_code == 0 and "--port" in result.output


# ---- issue 11: the store, refused, read-only, missing ---------------------------------------------

GOOD_CSV = ("election,unit,unit_kind,parent,candidate,party,votes\n"
            "2004-CT-president,09001,county,CT,John Kerry,Democratic,205902\n"
            "2004-CT-president,09001,county,CT,George W. Bush,Republican,189605\n")


def said(result) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(result.output.split())


def test_a_csv_passed_as_db_is_refused_and_left_as_it_is(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("ct.csv").write_text(GOOD_CSV)
    Path("results.csv").write_text(GOOD_CSV)
    result = run("import", "ct.csv", "--db", "results.csv")
    assert result.exit_code == 1 and "imported" not in result.output
    assert ("error: results.csv is not an electoral results database (it is a text file); "
            "nothing was changed") in said(result)
    assert Path("results.csv").read_text() == GOOD_CSV
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ct.csv", "results.csv"]


READS = [["elections"], ["report", "2004-CT-president"], ["history", "CT"],
         ["export", "2004-CT-president"], ["map", "2004-CT-president", "--out", "m.svg"],
         ["college", "2004"], ["flips", "CT"], ["serve"]]


@pytest.mark.parametrize("command", READS, ids=lambda c: c[0])
def test_a_read_command_on_a_missing_store_says_so_and_makes_none(tmp_path: Path, monkeypatch,
                                                                   command: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(*command, "--db", "none.duckdb")
    assert result.exit_code == 1
    assert said(result) == ("error: no results database at none.duckdb; `electoral import FILE` "
                            "makes one (or pass --db / set $ELECTORAL_DB to the store's file)")
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_store_file_can_be_reported(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("ct.csv").write_text(GOOD_CSV)
    assert run("import", "ct.csv", "--db", "s.duckdb").exit_code == 0
    store = Path("s.duckdb")
    store.chmod(0o444)
    before = (store.read_bytes(), store.stat().st_mtime_ns)
    result = run("report", "2004-CT-president", "--by", "county", "--format", "csv", "--db", store)
    assert result.exit_code == 0, result.output
    assert "205902" in result.output and "189605" in result.output
    assert (store.read_bytes(), store.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ct.csv", "s.duckdb"]


def test_audit_import_against_a_missing_store_makes_none(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("ct.csv").write_text(GOOD_CSV)
    result = run("audit-import", "ct.csv", "--db", "none.duckdb")
    assert result.exit_code == 0, result.output
    assert "would import 2004-CT-president from ct.csv" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ct.csv"]


def test_an_import_without_votes_exits_1_and_keeps_the_stored_election(tmp_path: Path,
                                                                       monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    choice = ('<Choice key="1" text="Ada Marsh" party="DEM" totalVotes="7"><VoteType '
              'name="Election Day" votes="7"><Precinct name="Alder South" votes="7" /></VoteType>'
              '</Choice>')
    xml = ('<?xml version="1.0" encoding="utf-8"?><ElectionResult><ElectionName>General Election '
           '2020</ElectionName><ElectionDate>11/3/2020</ElectionDate><Region>Kent</Region><Contest '
           'key="1" text="President of the United States" voteFor="1">{}</Contest></ElectionResult>')
    Path("full.xml").write_text(xml.format(choice))
    Path("empty.xml").write_text(xml.format(""))
    election = ("--election", "2020-DE-president", "--db", "s.duckdb")
    assert run("import", "full.xml", *election).exit_code == 0
    before = run("report", "2020-DE-president", "--format", "json", "--db", "s.duckdb").output
    result = run("import", "empty.xml", *election, "--replace", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["stored"] is False
    assert [(p["kind"], p["file"], p["contest"]) for p in document["elections"][0]["problems"]] \
        == [("no_votes", "empty.xml", "president")]
    assert run("report", "2020-DE-president", "--format", "json", "--db", "s.duckdb").output == before


def test_a_locked_store_is_a_one_line_error_not_a_traceback(tmp_path: Path, monkeypatch) -> None:
    import subprocess
    import sys

    monkeypatch.chdir(tmp_path)
    Path("ct.csv").write_text(GOOD_CSV)
    assert run("import", "ct.csv", "--db", "s.duckdb").exit_code == 0
    code = "import duckdb, time; c = duckdb.connect('s.duckdb'); print('open', flush=True); time.sleep(60)"
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
            result = run("import", "ct.csv", "--db", "s.duckdb")
        finally:
            holder.kill()
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert said(result) == (f"error: cannot open s.duckdb: another program has it open (process "
                            f"{holder.pid}); close that program (an `electoral serve` or import "
                            "still running?) and try again")


# ---- hostile names and arguments; --out written atomically (issue 11) ---------------------------

MARKUP_NAMES = ("[/]", "[bold]x", "a|b", '=HYPERLINK("http://x")', "-2+3", "@SUM(A1)")


def hostile_db(tmp_path: Path) -> Path:
    """A store holding a Connecticut election whose counties and candidates have names that are
    Rich markup, table syntax and spreadsheet formulas (a native CSV written here)."""
    import csv

    source = tmp_path / "hostile.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["election", "unit", "unit_name", "unit_kind", "parent", "fips",
                         "candidate", "party", "votes"])
        for i, county in enumerate(MARKUP_NAMES):
            for j, candidate in enumerate(("[/]", "[bold]Jones")):
                writer.writerow(["2024-CT-president", f"0900{i}", county, "county", "CT", "",
                                 candidate, "", 100 + i + j * (5 if i % 2 == 0 else -7)])
    db = tmp_path / "hostile.duckdb"
    result = run("import", source, "--db", db)
    assert result.exit_code == 0, result.output
    return db


def test_markup_in_names_prints_literally(tmp_path: Path) -> None:
    db = hostile_db(tmp_path)
    for args in (("report", "2024-CT-president"), ("report", "2024-CT-president", "--by", "county"),
                 ("elections",), ("history", "CT")):
        result = run(*args, "--db", db)
        assert result.exit_code == 0, (args, result.output)
        assert "Traceback" not in result.output
    county = run("report", "2024-CT-president", "--by", "county", "--db", db).output
    assert "[/]" in county and "[bold]x" in county and "[bold]Jones" in county
    csv_out = run("report", "2024-CT-president", "--by", "county", "--format", "csv", "--db", db)
    lines = csv_out.output.splitlines()
    assert any(line.startswith("\"'=HYPERLINK(\"\"http://x\"\")\",") for line in lines)
    assert any(line.startswith("'-2+3,") for line in lines) and any(",-5," in line for line in lines)


def test_markup_in_an_argument_is_a_plain_error(tmp_path: Path) -> None:
    db = hostile_db(tmp_path)
    for args in (("report", "[/]"), ("history", "[bold]x"), ("report", "2024-CT-president",
                                                                 "--compare", "[/]")):
        result = run(*args, "--db", db)
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.output and "error:" in result.output
        assert args[-1] in result.output


def test_out_says_wrote_then_replaced_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    db = hostile_db(tmp_path)
    target = tmp_path / "out" / "table.csv"
    args = ("export", "2024-CT-president", "--format", "csv", "--out", target, "--db", db)
    first = run(*args)
    assert first.exit_code == 0 and f"wrote {target}" in first.output.replace("\n", "")
    second = run(*args)
    assert second.exit_code == 0 and f"replaced {target}" in second.output.replace("\n", "")
    assert sorted(p.name for p in target.parent.iterdir()) == ["table.csv"]
    assert "'=HYPERLINK" in target.read_text(encoding="utf-8")


def test_out_never_writes_through_a_link(tmp_path: Path) -> None:
    db = hostile_db(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    (tmp_path / "out").mkdir()
    link = tmp_path / "out" / "table.csv"
    link.symlink_to(outside)
    result = run("report", "2024-CT-president", "--format", "csv", "--out", link, "--db", db)
    assert result.exit_code == 1 and "symbolic link" in result.output
    assert outside.read_text() == "keep me"
    # a page's data folder linked elsewhere: no file lands outside the page's folder
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    page = tmp_path / "page"
    page.mkdir()
    (page / "data").symlink_to(elsewhere, target_is_directory=True)
    result = run("report", "2024-CT-president", "--format", "html", "--out", page, "--db", db)
    assert result.exit_code == 1 and "outside" in result.output and "Traceback" not in result.output
    assert list(elsewhere.iterdir()) == []


def test_write_errors_are_one_line_messages(tmp_path: Path, monkeypatch) -> None:
    import errno
    import os

    db = hostile_db(tmp_path)
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    result = run("report", "2024-CT-president", "--format", "csv", "--out", blocker / "t.csv",
                 "--db", db)
    assert result.exit_code == 1 and "a file stands where a folder is needed" in result.output
    assert "Traceback" not in result.output

    def read_only(*_args: object, **_kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    with monkeypatch.context() as patched:  # as a read-only folder answers (root is never refused)
        patched.setattr("electoral.io.outfile.tempfile.mkstemp", read_only)
        result = run("report", "2024-CT-president", "--out", tmp_path / "t.txt", "--db", db)
    assert result.exit_code == 1 and "permission denied" in result.output

    old = tmp_path / "old.csv"
    old.write_text("the old export, whole\n")

    def full_disk(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    result = run("export", "2024-CT-president", "--out", old, "--db", db)
    assert result.exit_code == 1 and "the disk is full" in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1
    assert old.read_text() == "the old export, whole\n"  # never a truncated file in its place
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".old.csv")) == []


def test_read_only_folder_is_a_message(tmp_path: Path) -> None:
    import os

    import pytest

    if os.geteuid() == 0:
        pytest.skip("root writes into a read-only folder")
    db = hostile_db(tmp_path)
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = run("report", "2024-CT-president", "--out", folder / "t.txt", "--db", db)
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 1 and "permission denied" in result.output


def test_county_files_that_give_one_name_two_parties_are_refused_naming_them(tmp_path: Path) -> None:
    header = "county,precinct,office,district,party,candidate,votes\n"
    kent = tmp_path / "20201103__de__general__kent__precinct.csv"
    kent.write_text(header + "Kent,K1,President,,DEM,Ann Lee,30\nKent,K1,President,,REP,Bo Park,20\n")
    sussex = tmp_path / "20201103__de__general__sussex__precinct.csv"
    sussex.write_text(header + "Sussex,S1,President,,REP,Ann Lee,10\nSussex,S1,President,,REP,Bo Park,5\n")
    db = tmp_path / "x.duckdb"
    result = runner.invoke(app, ["import", str(kent), str(sussex), "--db", str(db), "--format", "json"])
    assert result.exit_code == 1
    (election,) = json.loads(result.stdout)["elections"]
    (problem,) = election["problems"]
    assert problem["kind"] == "party_conflict" and "Ann Lee" in problem["detail"]
    assert str(kent) in problem["detail"] and str(sussex) in problem["detail"]
    assert "no elections stored" in runner.invoke(app, ["elections", "--db", str(db)]).stdout


def test_report_compare_across_states_is_refused(tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    result = run("report", "2004-MA-president", "--by", "county", "--compare",
                 "2004-CT-president", "--db", db)
    assert result.exit_code == 1
    assert "different states (MA, CT)" in " ".join(result.output.split())


TOWNS = ("town,office,district,party,candidate,votes\n"
         "Andover,President,,Democratic,Hillary Clinton,896\n"
         "Andover,President,,Republican,Donald Trump,891\n"
         "Hartford,President,,Democratic,Hillary Clinton,33000\n"
         "Hartford,President,,Republican,Donald Trump,4000\n")


@pytest.mark.parametrize(("source", "election", "levels"), [
    # precincts under towns (OpenElections, CT 2016: the new user's file)
    ("data/precinct/openelections/20161108__ct__general__precinct.csv.gz", "2016-CT-president",
     ("state", "town", "precinct")),
    # counts at the towns themselves
    ("20161108__ct__general__town.csv", "2016-CT-president", ("state", "town")),
    # counties and planning regions, with a source's unnamed candidates and "Various candidates"
    ("seeds/002_682362ffb1123e68.txt", "2024-CT-president", ("state", "county", "cog")),
])
def test_a_native_csv_export_imports_back_to_the_same_report(
        tmp_path: Path, shared: Path, source: str, election: str, levels: tuple[str, ...]) -> None:
    """F16: `export --format csv` then `import` of that file gives the same units at every level
    (towns stay towns, never "'CT-town-andover' is not a county" and "0 of 8 counties"), the same
    candidates (unnamed ones and a source's lump of others included), so every report is the
    same but for the file its units came from."""
    path = shared / source
    if not path.exists():
        path = tmp_path / source
        path.write_text(TOWNS, encoding="utf-8")
    first, second, csv_path = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "x.csv"
    assert run("import", path, "--db", first).exit_code == 0
    assert run("export", election, "--format", "csv", "--out", csv_path, "--db", first
               ).exit_code == 0
    again = run("import", csv_path, "--db", second)
    assert again.exit_code == 0 and "is not a county" not in again.output, again.output
    for level in levels:
        reports = [json.loads(run("report", election, "--by", level, "--format", "json", "--db",
                                  db).output) for db in (first, second)]
        for report in reports:
            report.pop("sources", None)
        assert reports[0] == reports[1], level
