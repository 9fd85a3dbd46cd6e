"""Zip archives of returns: Clarity's detail.zip, a state's single zipped CSV; anything else is
refused saying what it is."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from electoral.errors import ValidationError
from electoral.io import open_source, read_path

CSV = ("county,office,district,party,candidate,votes\n"
       "Appling,President,,DEM,Joe Biden,2000\nAppling,President,,REP,Donald Trump,6500\n")


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def test_one_zipped_csv_is_read_by_its_own_name(tmp_path: Path) -> None:
    path = _zip(tmp_path / "ga.zip", {"20201103__ga__general__county.csv": CSV.encode()})
    (returns,) = read_path(path)
    assert returns.election.id == "2020-GA-president"
    assert sum(c.votes or 0 for c in returns.counts) == 8500
    assert open_source(path).name == "ga.zip/20201103__ga__general__county.csv"


def test_clarity_detail_zip_gives_its_detail_xml(shared: Path, tmp_path: Path) -> None:
    xml = (shared / "cases/returns/04-clarity-party-in-name/detail.xml").read_bytes()
    path = _zip(tmp_path / "detail.zip", {"detail.xml": xml, "summary.csv": b"x\n"})
    unzipped = read_path(path)
    assert [r.election.id for r in unzipped] == \
        [r.election.id for r in read_path(shared / "cases/returns/04-clarity-party-in-name/"
                                                   "detail.xml")]


@pytest.mark.parametrize(("files", "says"), [
    ({"a.csv": b"x", "b.csv": b"y"}, "a zip archive of 2 files (a.csv, b.csv)"),
    ({}, "a zip archive of 0 files (none)"),
    ({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}, "an Excel workbook"),
])
def test_other_archives_are_refused_saying_what_they_are(tmp_path: Path, files: dict[str, bytes],
                                                         says: str) -> None:
    path = _zip(tmp_path / "x.zip", files)
    with pytest.raises(ValidationError) as caught:
        open_source(path)
    (problem,) = caught.value.problems
    assert problem.source == "x.zip" and says in problem.message


def test_a_zip_bomb_stops_at_the_expansion_limit(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELECTORAL_MAX_BYTES", "2M")
    path = _zip(tmp_path / "bomb.zip", {"20201103__ga__general__county.csv": b"0" * (8 << 20)})
    with pytest.raises(ValidationError) as caught:
        open_source(path)
    assert caught.value.problems[0].code == "too-large"


def test_a_damaged_zip_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "d.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(ValidationError) as caught:
        open_source(path)
    assert "not a readable zip archive" in caught.value.problems[0].message
