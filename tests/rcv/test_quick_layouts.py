"""The quick count (``electoral rcv FILE``) on small files made here in each layout cities publish:
BLT with bare names, party suffixes and a withdrawn line; an ES&S workbook; RCTab's generic CSV;
a Dominion export with its manifests. Each must name the right candidates and winners with no
RCTab config."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from electoral.cli import app
from electoral.errors import ValidationError
from electoral.rcv import QuickOptions, quick_count

runner = CliRunner()


def invoke(*args: object):  # noqa: ANN201
    return runner.invoke(app, ["rcv", *[str(a) for a in args]])


# 6 candidates, 2 seats; candidate 4 withdrew; candidate 6 has no first choices. Without the
# withdrawal, Dana would top round 1 and win a seat.
BLT = """6 2
-4
20 1 2 0
14 2 1 0
10 3 1 0
25 4 3 0
8 5 2 0
3 5 6 0
0
Ann   ABLE        (SNP)
Ben BAKER (Lab)
Cara   COLE  (Grn)
Dana DRAKE      (Con)
Eve EVANS (LD)
Finn FORD (Ind)
Hillside Ward
"""


def _blt(tmp_path: Path, text: str = BLT, name: str = "ward.blt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_blt_bare_names_parties_withdrawn_seats_and_zero_candidates(tmp_path: Path) -> None:
    result = quick_count([_blt(tmp_path)])
    tab = result.tabulation
    assert result.title == "Hillside Ward"
    assert tab.rules.candidates == ("Ann ABLE", "Ben BAKER", "Cara COLE", "Dana DRAKE",
                                    "Eve EVANS", "Finn FORD")
    assert result.parties["Ben BAKER"] == "Lab" and result.parties["Dana DRAKE"] == "Con"
    assert tab.rules.seats == 2 and tab.rules.excluded == frozenset({"Dana DRAKE"})
    first = tab.rounds[0].tally.votes
    assert "Dana DRAKE" not in first  # withdrawn: never counted
    assert first["Finn FORD"] == 0  # listed, with no first choices
    # Dana's 25 ballots go to Cara at once
    assert first["Cara COLE"] == 35 and first["Ann ABLE"] == 20
    assert "Dana DRAKE" not in tab.winners and len(tab.winners) == 2
    assert set(tab.winners) == {"Cara COLE", "Ann ABLE"}


def test_blt_table_shows_party_and_title(tmp_path: Path) -> None:
    out = invoke(_blt(tmp_path), "--format", "md")
    assert out.exit_code == 0, out.output
    assert out.output.startswith("**Hillside Ward**")
    assert "**Cara COLE (Grn)**" in out.output and "Dana DRAKE" not in out.output
    assert "| Finn FORD (Ind) | 0 |" in out.output


def test_blt_seats_from_the_command_line_win(tmp_path: Path) -> None:
    result = quick_count([_blt(tmp_path)], QuickOptions(seats=1))
    assert result.tabulation.rules.seats == 1 and len(result.tabulation.winners) == 1


@pytest.mark.parametrize(("text", "code", "line", "field"), [
    (BLT.replace("Eve EVANS (LD)\nFinn FORD (Ind)\n", ""), "malformed-file", 14, "names"),
    (BLT.replace("Hillside Ward\n", "Hillside Ward\nextra line\n"), "malformed-file", 17, "names"),
    (BLT.replace("3 5 6 0", "3 5 7 0"), "unknown-candidate", 8, "rank 2"),
    (BLT.replace("-4\n", "-9\n"), "unknown-candidate", 2, "withdrawn 1"),
    (BLT.replace("6 2\n", "6 7\n"), "malformed-file", 1, "header"),
])
def test_blt_errors_name_file_line_and_field(tmp_path: Path, text: str, code: str, line: int,
                                             field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        quick_count([_blt(tmp_path, text)])
    found = [(p.code, p.source, p.line, p.field) for p in caught.value.problems]
    assert (code, "ward.blt", line, field) in found


def _workbook(tmp_path: Path) -> Path:
    """A Minneapolis-style ES&S export: precinct, three choice columns, then a count column."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Precinct", "1ST CHOICE MAYOR", "2ND CHOICE MAYOR", "3RD CHOICE MAYOR", "Count"])
    ballots = ([["P1", "Ann", "Bo", "undervote", 1]] * 5 + [["P1", "Bo", "Cy", "Ann", 1]] * 4
               + [["P2", "Cy", "Bo", "undervote", 1]] * 3 + [["P2", "overvote", "Ann", "Bo", 1]])
    for row in ballots:
        sheet.append(row)
    path = tmp_path / "mayor.xlsx"
    book.save(path)
    return path


def test_ess_workbook_is_read_with_no_config(tmp_path: Path) -> None:
    result = quick_count([_workbook(tmp_path)])
    tab = result.tabulation
    assert set(tab.rules.candidates) == {"Ann", "Bo", "Cy"}  # the count column is no rank
    assert tab.rounds[0].tally.votes == {"Ann": 5, "Bo": 4, "Cy": 3}
    assert tab.winners == ("Bo",)  # Cy's 3 go to Bo: 7 to Ann's 5
    source = result.sources[0]
    assert (source.provider.value, source.options.first_vote_column,
            source.options.precinct_column, source.options.max_rankings) == ("ess", 2, 1, 3)


def test_generic_csv_is_read_with_no_config(tmp_path: Path) -> None:
    path = tmp_path / "poll.csv"
    rows = ["Response ID,precinct_id,Ann,Bo,Cy"] + ["r,p1,1,2,"] * 4 + ["r,p1,,1,2"] * 3 \
        + ["r,p2,2,,1"] * 2
    path.write_text("\n".join(rows) + "\n")
    result = quick_count([path])
    assert result.sources[0].provider.value == "genericCsv"
    assert result.sources[0].options.first_vote_column == 3
    assert result.tabulation.rounds[0].tally.votes == {"Ann": 4, "Bo": 3, "Cy": 2}
    assert result.tabulation.winners == ("Ann",)  # Cy's 2 go to Ann


def _dominion(folder: Path) -> Path:
    folder.mkdir()

    def listing(name: str, items: list[dict]) -> None:
        (folder / name).write_text(json.dumps({"Version": "5", "List": items}))

    ballots = [[(11, 1), (12, 2)]] * 3 + [[(12, 1)]] * 3 + [[(13, 1), (12, 2)]] * 2
    sessions = [{"TabulatorId": 1, "BatchId": 1, "RecordId": b, "Original": {
        "IsCurrent": True, "Cards": [{"Contests": [{"Id": 4, "Marks": [
            {"CandidateId": c, "Rank": r, "IsAmbiguous": False} for c, r in marks]}]}]}}
        for b, marks in enumerate(ballots)]
    listing("ContestManifest.json", [{"Id": 4, "Description": "Mayor", "NumOfRanks": 3}])
    listing("CandidateManifest.json", [{"Id": c, "Description": n, "ContestId": 4}
                                       for c, n in ((11, "Avery Ames"), (12, "Blair Bond"),
                                                    (13, "Casey Cruz"), (14, "Dee Dunn"))])
    (folder / "CvrExport.json").write_text(json.dumps({"Sessions": sessions}))
    return folder


def test_dominion_quick_count_shows_the_manifest_names(tmp_path: Path) -> None:
    folder = _dominion(tmp_path / "export")
    result = quick_count([folder])
    assert result.tabulation.rounds[0].tally.votes == {"Avery Ames": 3, "Blair Bond": 3,
                                                        "Casey Cruz": 2, "Dee Dunn": 0}
    assert result.tabulation.winners == ("Blair Bond",)
    out = invoke(folder, "--format", "csv")
    assert out.exit_code == 0 and "Blair Bond (elected)" in out.output and ",11," not in out.output


def test_an_empty_cvr_names_its_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("rank1,rank2\n")
    out = invoke(path)
    assert out.exit_code == 1 and "empty.csv" in out.output and "no ballots" in out.output
    blt = _blt(tmp_path, "2 1\n0\nA\nB\n", "none.blt")
    out = invoke(blt)
    assert out.exit_code == 1 and "none.blt" in out.output


def test_a_random_draw_is_named_in_the_table(tmp_path: Path) -> None:
    path = tmp_path / "tie.csv"
    path.write_text("rank1,rank2\n" + "A,\n" * 3 + "B,\n" * 3 + "C,A\nD,B\n")
    out = invoke(path, "--format", "md", "--tiebreak", "random", "--seed", "7")
    assert out.exit_code == 0, out.output
    assert "Eliminated\\*" in out.output
    assert "broken by random draw (seed 7)" in out.output


def test_choice_columns_with_a_count_column_are_refused_not_miscounted(shared: Path) -> None:
    """Minneapolis's CSV conversion: names under '1st Choice'..., then a Count column of 1s,
    which must not be read as RCTab's generic CSV with one candidate called 'Count'."""
    path = shared / "data/rcv/minneapolis_2017_mayor/2017_minneapolis_mayor_cvr.csv.gz"
    out = invoke(path)
    assert out.exit_code == 1 and "count column ('Count')" in out.output
    assert "2017_minneapolis_mayor_cvr.csv.gz:1 [Count]" in out.output


@pytest.mark.parametrize("headings", [("choice_1", "choice_2", "choice_3"),
                                      ("1st Choice", "2nd Choice", "3rd Choice"),
                                      ("Choice 1", "Choice 2", "Choice 3")])
def test_names_under_choice_headings_are_a_ranks_csv(tmp_path: Path,
                                                     headings: tuple[str, ...]) -> None:
    path = tmp_path / "cvr.csv"
    path.write_text("cast_vote_record,precinct," + ",".join(headings) + "\n"
                    + "1,P1,Ann,Bo,\n" * 4 + "2,P1,Bo,Ann,\n" * 3 + "3,P2,Cy,Bo,\n" * 2)
    out = invoke(path, "--format", "csv")
    assert out.exit_code == 0, out.output
    # Cy is eliminated and both of Cy's ballots go to Bo: 5 to 4
    assert "Bo (elected),3,33.3%,2,5,55.6%" in out.output and "Ann,4,44.4%,,4,44.4%" in out.output


def test_a_candidate_code_after_a_name_is_the_same_candidate(tmp_path: Path) -> None:
    # Maine 2018: "DEM Golden, Jared F. (5471)" beside "DEM Golden, Jared F."
    path = tmp_path / "cvr.csv"
    path.write_text("rank1,rank2\n" + "Ann (12),\n" * 3 + "Ann,\n" * 2 + "Bo,\n" * 4)
    out = invoke(path, "--format", "md")
    assert out.exit_code == 0, out.output
    assert "**Ann**" in out.output and "'Ann (12)' is counted as 'Ann', the same candidate" \
        in out.output
    # two codes for one name could be two people: kept apart, as written
    path.write_text("rank1,rank2\n" + "Ann (12),\n" * 3 + "Ann (13),\n" * 2 + "Ann,\n"
                    + "Bo,\n" * 4)
    out = invoke(path, "--format", "md")
    assert out.exit_code == 0 and "counted as" not in out.output and "Ann (13)" in out.output


def test_saved_configs_of_generic_csv_and_dominion_count_the_same(tmp_path: Path) -> None:
    poll = tmp_path / "poll.csv"
    poll.write_text("Response ID,precinct_id,Ann,Bo,Cy\n" + "r1,p1,1,2,\n" * 4
                    + "r2,p1,,1,2\n" * 3 + "r3,p2,2,,1\n" * 2)
    for source in (poll, _dominion(tmp_path / "export")):
        config = tmp_path / f"{source.stem}.json"
        quick = invoke(source, "--format", "json", "--save-config", config)
        assert quick.exit_code == 0, quick.output
        again = invoke("--rctab-config", config, "--output", tmp_path / "out")
        assert again.exit_code == 0, again.output
        report = json.loads((tmp_path / "out" / f"{source.stem}_detailed_report.json")
                            .read_text())
        assert report["results"] == json.loads(quick.output)["results"], source.name
