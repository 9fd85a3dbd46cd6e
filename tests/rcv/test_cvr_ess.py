"""ES&S .xlsx cast vote records: real RCTab samples, round trips of generated sheets, bad input."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electoral.errors import ValidationError
from electoral.rcv.cvr import CvrOptions, read_cvrs
from electoral.rcv.cvr.ess import read_ess

RCTAB = "conformance/rctab"


def _source(shared: Path, case: str) -> tuple[Path, CvrOptions]:
    config = json.loads((shared / RCTAB / case / f"{case}_config.json").read_text())
    source = config["cvrFileSources"][0]
    limit = str(config["rules"].get("maxRankingsAllowed", "max"))
    options = CvrOptions.from_rctab(source, None if limit == "max" else int(limit))
    return shared / RCTAB / case / source["filePath"], options


def test_minneapolis_2017_reads_every_ballot_with_precincts(shared: Path) -> None:
    path, source = _source(shared, "2017_minneapolis_mayor")
    records = read_cvrs(path, "ess", source)
    assert len(records) == 105_928  # the README's ballot count for this CVR
    assert records[0].id == "2017_minneapolis_mayor_cvr.xlsx-1"
    assert records[0].marks == ((1, "Jacob Frey"), (2, "Nekima Levy-Pounds"), (3, "Raymond Dehn"))
    assert records[0].precinct == "MINNEAPOLIS W-10 P-02"
    # every label is a candidate in RCTab's expected round-1 tally or one of the config's labels
    report = json.loads((path.parent / "2017_minneapolis_mayor_expected_detailed_report.json")
                        .read_text())
    known = set(report["results"][0]["tally"]) | {"undervote", "overvote", "UWI"}
    assert {choice for r in records for _, choice in r.marks} <= known
    assert all(rank <= 3 for r in records for rank, _ in r.marks)


def test_overvote_delimiter_splits_one_cell_into_marks_at_one_rank(shared: Path) -> None:
    path, source = _source(shared, "exhaust_if_multiple_continuing")
    records = read_cvrs(path, "ess", source)
    assert records[0].marks == ((1, "A"), (1, "D"), (2, "B"), (3, "C"))


def test_batch_column_and_labels_kept_as_written(shared: Path) -> None:
    path, source = _source(shared, "batch_example")
    records = read_cvrs(path, "ess", source)
    assert records[0].batch == "MINNEAPOLIS W-10 P-02" and records[0].precinct is None
    path, source = _source(shared, "skip_to_next_test")
    marks = read_cvrs(path, "ess", source)[0].marks
    assert marks == ((1, "overvote"), (2, "undervote"), (3, "C"), (4, "D"))


def _sheet(rows: list[list[object]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


NAMES = st.sampled_from(["Ann", "Bo", "Cy Dee", "undervote", "overvote", "UWI"])
BALLOTS = st.lists(st.lists(st.one_of(st.none(), NAMES), min_size=1, max_size=5)
                   .filter(lambda cells: any(cells)), min_size=1, max_size=20)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BALLOTS)
def test_generated_sheet_round_trips_to_the_marks_written(ballots: list[list[str | None]]) -> None:
    rows: list[list[object]] = [["Precinct", "1", "2", "3", "4", "5"]]
    rows += [[f"P{i % 3}", *cells] for i, cells in enumerate(ballots)]
    records = read_ess(_sheet(rows), "gen.xlsx",
                       CvrOptions(first_vote_column=2, first_vote_row=2, precinct_column=1))
    assert [r.marks for r in records] == [
        tuple((rank, c) for rank, c in enumerate(cells, start=1) if c) for cells in ballots]
    assert [r.precinct for r in records] == [f"P{i % 3}" for i in range(len(ballots))]
    assert records[-1].id == f"gen.xlsx-{len(ballots)}"


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=400))
def test_garbage_is_a_validation_error_naming_the_file(data: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        read_ess(io.BytesIO(data), "junk.xlsx", CvrOptions(first_vote_column=2, first_vote_row=2))
    assert all(p.source == "junk.xlsx" for p in caught.value.problems)


def test_missing_id_and_bad_overvote_cell_are_located() -> None:
    sheet = _sheet([["id", "r1", "r2"], [None, "A", "B"], ["7", "A||B", "C"]])
    options = CvrOptions(first_vote_column=2, first_vote_row=2, id_column=1,
                         overvote_delimiter="|")
    with pytest.raises(ValidationError) as caught:
        read_ess(sheet, "bad.xlsx", options)
    found = {(p.code, p.line, p.field) for p in caught.value.problems}
    assert found == {("missing-id", 2, "column 1"), ("bad-overvote-cell", 3, "rank 1")}


def test_columns_past_the_maximum_rank_are_not_ranks() -> None:
    sheet = _sheet([["r1", "r2", "r3"], ["A", "B", "C"]])
    records = read_ess(sheet, "m.xlsx", CvrOptions(first_vote_column=1, first_vote_row=2,
                                                   max_rankings=2))
    assert records[0].marks == ((1, "A"), (2, "B"))


def test_unknown_provider_and_missing_options_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(_sheet([["a"]]).getvalue())
    with pytest.raises(ValidationError, match="no CVR reader"):
        read_cvrs(path, "nope", {})
    with pytest.raises(ValidationError, match="firstVoteColumnIndex"):
        read_cvrs(path, "ess", {"firstVoteRowIndex": "2"})
    with pytest.raises(ValidationError, match="whole number"):
        read_cvrs(path, "ess", {"firstVoteColumnIndex": "x"})


def _both(data: bytes, options: CvrOptions) -> tuple[list, list]:
    """The records read_ess (calamine) makes, and those the same code makes from openpyxl's rows."""
    from electoral.rcv.cvr import Problems
    from electoral.rcv.cvr.ess import _records
    fast = read_ess(io.BytesIO(data), "w.xlsx", options)
    first = options.first_vote_row or 1
    with warnings.catch_warnings():  # vendor workbooks carry extensions openpyxl skips
        warnings.simplefilter("ignore", UserWarning)
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = [(n, row) for n, row in enumerate(
            book.worksheets[0].iter_rows(min_row=first, values_only=True), start=first)
            if any(v is not None for v in row)]
    slow = _records(rows, "w.xlsx", options, Problems("w.xlsx"))
    book.close()
    return fast, slow


def test_calamine_gives_openpyxl_values_for_every_cell_kind() -> None:
    rows: list[list[object]] = [["id", "r1", "r2", "r3"], [1, "A & <B>", 2.0, True],
                                [2, "=\"C\"&\"D\"", 3.5, "tab\there"], [3, None, "  ", "E"]]
    data = _sheet(rows).getvalue()
    options = CvrOptions(first_vote_column=2, first_vote_row=2, id_column=1)
    fast, slow = _both(data, options)
    assert fast == slow
    assert fast[0].marks == ((1, "A & <B>"), (2, "2"), (3, "TRUE"))
    assert fast[2].marks == ((3, "E"),)


def test_cells_without_their_address_are_read(shared: Path) -> None:
    import re
    import zipfile
    path, options = _source(shared, "precinct_example")
    original = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":  # cells without their address
                data = re.sub(rb'(<c) r="[A-Z]+\d+"', rb"\1", data)
            copy.writestr(item, data)
    fast, slow = _both(out.getvalue(), options)
    expected = [(r.marks, r.precinct) for r in read_cvrs(path, "ess", options)]
    assert fast == slow and [(r.marks, r.precinct) for r in fast] == expected


def test_real_workbooks_read_the_same_both_ways(shared: Path) -> None:
    for case in ("2015_portland_mayor", "aliases_ess_xlsx", "precinct_example",
                 "test_set_treat_blank_as_undeclared_write_in", "multi_seat_uwi_test"):
        path, options = _source(shared, case)
        fast, slow = _both(path.read_bytes(), options)
        assert fast == slow and fast, case


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4))
def test_a_damaged_workbook_is_a_validation_error(damage: list[tuple[int, int]]) -> None:
    data = bytearray(_sheet([["r1", "r2"], ["Ann", "Bo"], ["Bo", None]]).getvalue())
    for offset, byte in damage:
        data[offset % len(data)] = byte
    try:
        read_ess(io.BytesIO(bytes(data)), "d.xlsx", CvrOptions(first_vote_column=1,
                                                              first_vote_row=2))
    except ValidationError as exc:
        assert all(p.source == "d.xlsx" for p in exc.problems)


def test_a_listed_empty_row_is_a_ballot_with_no_rankings(shared) -> None:
    """RCTab counts the sheet's empty ``<row>`` elements (rows 18, 1048575 and 1048576 here) as
    ballots with no rankings; so does electoral, which is what makes the first-round-threshold
    conformance cases identical."""
    from electoral.rcv.cvr import read_cvrs

    folder = shared / "conformance" / "rctab" / "first_round_determines_threshold_test"
    import json
    config = json.loads((folder / "first_round_determines_threshold_test_config.json").read_text())
    source = dict(config["cvrFileSources"][0])
    source["filePath"] = str(folder / "first_round_determines_threshold_test_cvr.xlsx")
    records = read_cvrs(source["filePath"], "ess", source)
    import re
    import zipfile
    with zipfile.ZipFile(source["filePath"]) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    listed = [int(n) for n in re.findall(r'<row r="(\d+)"', sheet)]
    first = int(source["firstVoteRowIndex"])
    assert len(records) == sum(1 for n in listed if n >= first)
    assert {1048575, 1048576} <= set(listed)


# ---- bounds (issue 11): a workbook is refused before calamine expands it ---------------------------

def _raw_workbook(sheet_xml: bytes, strings: bytes | None = None) -> io.BytesIO:
    """A minimal .xlsx whose first sheet is ``sheet_xml``, written by hand so that it can say what
    no spreadsheet program would (a cell at ZZZZZZ20)."""
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                      'openxmlformats.org/package/2006/content-types"><Default Extension="xml" '
                      'ContentType="application/xml"/></Types>')
        book.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
                      '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        book.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.'
                      'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                      f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        book.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if strings is not None:
            book.writestr("xl/sharedStrings.xml", strings)
    out.seek(0)
    return out


def _cells(*refs: str) -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    cells = "".join(f'<row r="{ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{ref}" '
                    't="inlineStr"><is><t>A</t></is></c></row>' for ref in refs)
    return f'<worksheet xmlns="{main}"><sheetData>{cells}</sheetData></worksheet>'.encode()


def _refusal(stream: io.BytesIO) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        read_ess(stream, "cvr.xlsx", CvrOptions(first_vote_column=1, first_vote_row=1))
    return caught.value


def test_a_cell_past_excels_last_column_is_refused_unexpanded() -> None:
    problem = _refusal(_raw_workbook(_cells("A1", "ZZZZZZ20"))).problems[0]
    assert (problem.code, problem.source) == ("bad-cell", "cvr.xlsx")
    assert "ZZZZZZ20" in problem.message


def test_two_far_apart_cells_are_refused_not_allocated(monkeypatch: pytest.MonkeyPatch) -> None:
    # A1 and XFD1048576 are both legal, but the rectangle between them is 17 billion cells
    problem = _refusal(_raw_workbook(_cells("A1", "XFD1048576"))).problems[0]
    assert problem.code == "too-large" and "17,179,869,184 cells" in problem.message
    # the same sheet is read once the budget is raised to cover it... here only checked as a limit
    monkeypatch.setenv("ELECTORAL_MAX_ELEMENTS", "20G")
    from electoral.io import limits
    assert limits.current().max_elements == 20 << 30


def test_a_dense_sheet_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # 12 rows by 10 columns: past the budget of cells, but every cell of the rectangle is written
    monkeypatch.setenv("ELECTORAL_MAX_ELEMENTS", "100")
    names = [f"C{n}" for n in range(10)]
    records = read_ess(_sheet([names] * 12), "cvr.xlsx",
                       CvrOptions(first_vote_column=1, first_vote_row=1))
    assert [r.marks for r in records] == [tuple(enumerate(names, start=1))] * 12


def test_too_many_shared_strings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELECTORAL_MAX_ELEMENTS", "1000")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings = (f'<sst xmlns="{main}">' + "<si><t>x</t></si>" * 1001 + "</sst>").encode()
    problem = _refusal(_raw_workbook(_cells("A1"), strings)).problems[0]
    assert problem.code == "too-large" and "1,001 shared strings" in problem.message


def test_a_workbook_that_expands_past_its_ratio_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELECTORAL_MAX_BYTES", "1M")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    padding = b" " * (2 << 20)  # compresses to a few KB, expands past the 1 MiB allowed
    sheet = f'<worksheet xmlns="{main}"><sheetData>'.encode() + padding + b"</sheetData></worksheet>"
    problem = _refusal(_raw_workbook(sheet)).problems[0]
    assert problem.code == "too-large" and "ELECTORAL_MAX_BYTES" in problem.message


def test_a_cell_longer_than_the_field_limit_is_located(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELECTORAL_MAX_FIELD", "100")
    problem = _refusal(_sheet([["A", "x" * 101]])).problems[0]
    assert (problem.code, problem.line, problem.field) == ("too-large", 1, "column 2")


def test_a_workbook_with_a_dtd_is_refused() -> None:
    import zipfile

    stream = _raw_workbook(_cells("A1"))
    out = io.BytesIO()
    with zipfile.ZipFile(stream) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = b'<!DOCTYPE w [<!ENTITY e "x">]>' + data
            new.writestr(item, data)
    out.seek(0)
    assert _refusal(out).problems[0].code == "xml-forbidden"
