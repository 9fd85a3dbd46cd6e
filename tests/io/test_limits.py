"""The bounds of issue 11: each hostile input stops at its stated limit (``io.limits``) with a
located error, quickly and in little memory, through the entry points an import or a count uses;
each limit can be raised by its environment variable."""

from __future__ import annotations

import gzip
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from electoral.errors import ValidationError
from electoral.io import Format, open_source, read_source
from electoral.io.limits import Limits, current, load_json, parse_xml
from electoral.rcv.cvr import CvrOptions, read_cvrs

MiB = 1 << 20


def refused(action: Callable[[], object], budget: int = 32 * MiB) -> ValidationError:
    """The error ``action`` raises, which it must raise within 30 s and ``budget`` bytes."""
    tracemalloc.start()
    began = time.monotonic()
    try:
        with pytest.raises(ValidationError) as caught:
            action()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.monotonic() - began < 30  # generous: CI machines are shared
    assert peak < budget, f"{peak:,} bytes"
    return caught.value


@pytest.fixture(params=[b"\n", b"2024-MO-president,29019,county,MO,Ann Adams,DEM,123\n"],
                ids=["blank-lines", "csv-lines"])
def bomb(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """2 MB (blank lines) or 6 MB (CSV lines) of gzip that expands to 2 GiB: 32 copies of one
    gzip member of 64 MiB (a file may hold several members, RFC 1952 §2.2)."""
    line = request.param
    member = gzip.compress(line * (64 * MiB // len(line)), compresslevel=9)
    path = tmp_path / "returns.csv.gz"
    path.write_bytes(member * 32)
    assert path.stat().st_size < (3 if line == b"\n" else 7) * MiB
    yield path


def test_a_gzip_bomb_stops_at_the_expansion_limit_in_little_memory(bomb: Path) -> None:
    error = refused(lambda: open_source(bomb))
    (problem,) = error.problems
    assert (problem.code, problem.source) == ("too-large", "returns.csv.gz")
    assert "ELECTORAL_MAX_RATIO" in problem.message
    assert f"{100 * bomb.stat().st_size:,}" in problem.message


def test_a_gzip_bomb_of_one_line_stops_at_the_line_limit(tmp_path: Path) -> None:
    path = tmp_path / "one.csv.gz"
    path.write_bytes(gzip.compress(b"a" * (64 * MiB)) * 32)
    (problem,) = refused(lambda: open_source(path)).problems
    assert (problem.code, problem.line) == ("line-too-long", 1)


def test_a_2_gib_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as out:
        out.truncate(2 << 30)  # sparse: no disk used, but 2 GiB by its size
    (problem,) = refused(lambda: open_source(path), budget=MiB).problems
    assert problem.code == "too-large" and "2,147,483,648 bytes" in problem.message


def test_a_long_line_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "returns.csv"
    path.write_bytes(b"election,unit,candidate,votes\r\nx,y,z,1\r\n" + b"9" * (2 * MiB) + b"\n")
    (problem,) = refused(lambda: open_source(path), budget=16 * MiB).problems
    assert (problem.code, problem.line, problem.source) == ("line-too-long", 3, "returns.csv")


def test_a_one_line_json_or_xml_document_is_not_a_long_line(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text('{"a": "' + "x" * 100 + '", "b": [' + "1," * (MiB) + "1]}")
    assert open_source(path).text.startswith('{"a"')


DEEP_JSON = "[" * 10_000 + "]" * 10_000
DEEP_XML = "<a>" * 10_000 + "</a>" * 10_000


@pytest.mark.parametrize("fmt, text", [(Format.NIST_JSON, "\n" + DEEP_JSON),
                                       (Format.NIST_XML, "\n" + DEEP_XML),
                                       (Format.CLARITY, "\n" + DEEP_XML)])
def test_returns_nested_10000_deep_are_refused(tmp_path: Path, fmt: Format, text: str) -> None:
    path = tmp_path / "deep.txt"
    path.write_text(text)
    (problem,) = refused(lambda: read_source(open_source(path), fmt)).problems
    assert (problem.code, problem.source, problem.line) == ("too-deep", "deep.txt", 2)
    assert "64" in problem.message


@pytest.mark.parametrize("name, text, provider, options", [
    ("deep.json", DEEP_JSON, "cdf", CvrOptions(contest="k")),
    ("deep.xml", DEEP_XML, "cdf", CvrOptions(contest="k")),
])
def test_cvrs_nested_10000_deep_are_refused(tmp_path: Path, name: str, text: str, provider: str,
                                            options: CvrOptions) -> None:
    path = tmp_path / name
    path.write_text(text)
    (problem,) = refused(lambda: read_cvrs(path, provider, options)).problems
    assert (problem.code, problem.source) == ("too-deep", name)


def test_dominion_and_hart_folders_nested_10000_deep_are_refused(tmp_path: Path) -> None:
    dominion, hart = tmp_path / "dominion", tmp_path / "hart"
    dominion.mkdir()
    hart.mkdir()
    (dominion / "ContestManifest.json").write_text(DEEP_JSON)
    (dominion / "CvrExport.json").write_text("{}")
    (hart / "1.xml").write_text(DEEP_XML)
    for folder, name in ((dominion, "ContestManifest.json"), (hart, "1.xml")):
        error = refused(lambda f=folder: read_cvrs(f, f.name, CvrOptions(contest="1")))
        assert [(p.code, p.source) for p in error.problems] == [("too-deep",
                                                                  f"{folder.name}/{name}")]


BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
                  "<ElectionResult>&lol2;</ElectionResult>")
EXTERNAL = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            "<ElectionResult>&x;</ElectionResult>")
DTD_ONLY = '<?xml version="1.0"?>\n<!DOCTYPE ElectionResult SYSTEM "x.dtd">\n<ElectionResult/>'


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL, DTD_ONLY],
                         ids=["entities", "external", "dtd"])
@pytest.mark.parametrize("fmt", [Format.CLARITY, Format.NIST_XML])
def test_dtds_and_entities_are_refused_by_name(tmp_path: Path, text: str, fmt: Format) -> None:
    path = tmp_path / "detail.xml"
    path.write_text(text)
    (problem,) = refused(lambda: read_source(open_source(path), fmt)).problems
    assert (problem.code, problem.source, problem.line) == ("xml-forbidden", "detail.xml", 2)
    assert "DTD" in problem.message


def test_cvr_xml_refuses_entities_too(tmp_path: Path) -> None:
    path = tmp_path / "cvr.xml"
    path.write_text(BILLION_LAUGHS)
    (problem,) = refused(lambda: read_cvrs(path, "cdf", CvrOptions(contest="k"))).problems
    assert (problem.code, problem.source) == ("xml-forbidden", "cvr.xml")


def test_huge_single_fields_are_refused_where_they_are(tmp_path: Path) -> None:
    huge = "x" * (200 << 10)
    (problem,) = refused(lambda: load_json(f'{{"a":\n"{huge}"}}', "r.json")).problems
    assert (problem.code, problem.line) == ("field-too-long", 2)
    (problem,) = refused(lambda: load_json(f'{{"a":\n"{huge}\\"q"}}', "r.json")).problems
    assert (problem.code, problem.line) == ("field-too-long", 2)
    (problem,) = refused(lambda: parse_xml(f'<a>\n<b c="{huge}"/></a>', "r.xml")).problems
    assert (problem.code, problem.line) == ("field-too-long", 2)
    (problem,) = refused(lambda: parse_xml(f"<a>\n\n<b>{huge}</b></a>", "r.xml")).problems
    assert (problem.code, problem.line) == ("field-too-long", 3)
    path = tmp_path / "returns.csv"  # a quoted CSV cell: the csv module's field limit
    path.write_text('election,unit,unit_kind,parent,candidate,party,votes\n'
                    f'2004-CT-president,CT,state,,"{huge[:1000]}\n{huge}",DEM,1\n')
    problem = refused(lambda: read_source(open_source(path), Format.NATIVE)).problems[0]
    assert (problem.code, problem.source, problem.line) == ("malformed-file", "returns.csv", 3)
    assert "field limit" in problem.message


def test_too_many_elements_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELECTORAL_MAX_ELEMENTS", "10")
    (problem,) = refused(lambda: parse_xml("<a>" + "<b/>\n" * 10 + "</a>", "r.xml")).problems
    assert (problem.code, problem.line) == ("too-many-elements", 10)
    (problem,) = refused(lambda: load_json("[" + "{},\n" * 10 + "{}]", "r.json")).problems
    assert (problem.code, problem.line) == ("too-many-elements", 10)
    assert load_json("[" + "{}," * 8 + "{}]") == [{}] * 9


def test_each_limit_is_raised_or_lowered_by_its_variable(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    assert current() == Limits()
    monkeypatch.setenv("ELECTORAL_MAX_DEPTH", "3")
    monkeypatch.setenv("ELECTORAL_MAX_BYTES", "1K")
    assert (current().max_depth, current().max_bytes) == (3, 1024)
    assert load_json("[[[1]]]") == [[[1]]]
    assert refused(lambda: load_json("[[[[1]]]]")).problems[0].code == "too-deep"
    path = tmp_path / "r.csv"
    path.write_bytes(b"a\n" * 600)
    problem = refused(lambda: open_source(path)).problems[0]
    assert problem.code == "too-large" and "ELECTORAL_MAX_BYTES" in problem.message
    monkeypatch.setenv("ELECTORAL_MAX_DEPTH", "500")
    assert load_json("[" * 200 + "]" * 200)  # within a raised limit
    monkeypatch.setenv("ELECTORAL_MAX_LINE", "many")
    (problem,) = refused(current).problems
    assert (problem.code, problem.field) == ("bad-limit", "ELECTORAL_MAX_LINE")
