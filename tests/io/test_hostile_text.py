"""Issue 11, "Numbers and text", for every returns reader that reads text: a small valid file of
each format is written to a temporary folder with one fault injected, and read as ``electoral
import`` reads it (``open_source`` → ``read_tables`` → ``stage``). Counts are read by one rule
(``io.counts``), bytes decoded without guessing, ``;``/tab files and Excel's ``sep=`` line read
with their lines, names with control characters refused; every refusal is located."""

from __future__ import annotations

import codecs
import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from electoral.columns import ReturnsTable
from electoral.errors import ValidationError
from electoral.io import Format, ReadOptions, open_source, read_tables
from electoral.io.counts import LARGEST, CountError, parse_count, parse_count_column
from electoral.io.native import write_native
from electoral.io.nist import write_nist_json, write_nist_xml
from electoral.io.stage import stage
from electoral.model import Candidate, Count, Election, Returns, Unit, UnitKind, VoteType

NAME = "Ann Adams"


@dataclass(frozen=True)
class Kind:
    """A format's small valid file: ``text(votes, name)`` gives it with the first count and the
    first candidate's name replaced; ``line`` is the line the count and the name are on."""

    fmt: Format
    file: str
    text: Callable[[str, str], str]
    line: int | None
    withheld: bool = True  # reads "*" as a withheld count
    grouped: bool = True  # reads 1,234
    names: bool = True  # the candidate's name comes from the file


def _csv(header: str, row: str) -> Callable[[str, str], str]:
    def text(votes: str, name: str) -> str:  # quoted: "12,5" stays one cell
        return header + "\n" + row.format(votes=f'"{votes}"', name=f'"{name}"') + "\n"
    return text


NATIVE = _csv("election,unit,unit_name,unit_kind,parent,fips,candidate,party,votes,vote_type",
              "2004-CT-president,09001,Fairfield,county,CT,09001,{name},Democratic,{votes},total")
OPENELECTIONS = _csv("county,office,district,party,candidate,votes",
                     "Fairfield,President,,DEM,{name},{votes}")
MEDSL_STATE = _csv("year,state,state_po,state_fips,state_cen,state_ic,office,candidate,"
                   "party_detailed,writein,candidatevotes,totalvotes,version,notes,"
                   "party_simplified", "2004,CONNECTICUT,CT,9,16,1,US PRESIDENT,{name},"
                   "DEMOCRAT,FALSE,{votes},1000,1,,DEMOCRAT")
MEDSL_COUNTY = _csv("year,state,state_po,county_name,county_fips,office,candidate,party,"
                    "candidatevotes,totalvotes,version,mode",
                    "2000,CONNECTICUT,CT,FAIRFIELD,9001,PRESIDENT,{name},DEMOCRAT,{votes},20,1,"
                    "TOTAL")
MEDSL_PRECINCT = _csv("state_po,state_fips,county_name,county_fips,jurisdiction_name,"
                      "jurisdiction_fips,precinct,district,candidate,party_detailed,"
                      "party_simplified,mode,writein,votes",
                      "CT,9,FAIRFIELD,09001,BRIDGEPORT,0900108070,P1,,{name},DEMOCRAT,DEMOCRAT,"
                      "TOTAL,FALSE,{votes}")
TONMCG = _csv("state_name,county_fips,county_name,votes_gop,votes_dem,total_votes,diff,per_gop,"
              "per_dem,per_point_diff", "Connecticut,9001,{name},{votes},20,100,,,,")


def _clarity(votes: str, name: str) -> str:
    """One county's votes ``votes``; the choice's and vote type's totals are the same count
    where ``votes`` is one (else 12: the county's figure is the one tested)."""
    name = name.replace("&", "&amp;").replace('"', "&quot;")
    try:
        total = str(parse_count(votes, withheld=False))
    except CountError:
        total = "12"
    return ('<?xml version="1.0"?>\n<ElectionResult>\n<ElectionName>General</ElectionName>\n'
            "<ElectionDate>11/2/2004</ElectionDate>\n<Region>CT</Region>\n"
            '<Contest key="1" text="President">\n'
            f'<Choice key="1" text="{name}" party="DEM" totalVotes="{total}">\n'
            f'<VoteType name="Election Day" votes="{total}">\n'
            f'<County name="Fairfield" votes="{votes}" />\n'
            "</VoteType>\n</Choice>\n</Contest>\n</ElectionResult>\n")


def _returns(name: str = "CANDIDATE") -> Returns:
    return Returns(Election(2004, "CT", "president"), (Candidate("ann-adams", name),),
                   (Unit("CT", "Connecticut", UnitKind.STATE),
                    Unit("09001", "Fairfield", UnitKind.COUNTY, "CT")),
                   (Count("09001", "ann-adams", 4242, VoteType.TOTAL),))


def _nist_json(votes: str, name: str) -> str:
    text = write_nist_json(_returns()).replace('"CANDIDATE"', json.dumps(name, ensure_ascii=False))
    return text.replace('"Count": 4242', f'"Count": {json.dumps(votes)}')


def _nist_json_number(votes: str, name: str) -> str:
    """A JSON document whose count is a JSON number (``votes`` as written)."""
    return _nist_json(votes, name).replace(json.dumps(votes), votes)


def _nist_xml(votes: str, name: str) -> str:
    text = write_nist_xml(_returns())
    escaped = name.replace("&", "&amp;").replace("<", "&lt;")
    return text.replace(">CANDIDATE<", f">{escaped}<").replace("<Count>4242</Count>",
                                                                 f"<Count>{votes}</Count>")


def _article(votes: str, name: str) -> str:
    return ("= 2004 United States presidential election in Connecticut =\n\n==Results==\n"
            f"- {name} (Democratic): {votes} votes\n- Bob Brown (Republican): 7 votes\n")


KINDS = {
    "native": Kind(Format.NATIVE, "returns.csv", NATIVE, 2),
    "openelections": Kind(Format.OPENELECTIONS, "20041102__ct__general__county.csv",
                          OPENELECTIONS, 2),
    "medsl-state": Kind(Format.MEDSL_STATE, "president.csv", MEDSL_STATE, 2),
    "medsl-county": Kind(Format.MEDSL_COUNTY, "countypres.csv", MEDSL_COUNTY, 2),
    "medsl-precinct": Kind(Format.MEDSL_PRECINCT, "precinct_2024.csv", MEDSL_PRECINCT, 2),
    "tonmcg": Kind(Format.TONMCG, "tonmcg_2020.csv", TONMCG, 2, withheld=False, names=False),
    "clarity": Kind(Format.CLARITY, "detail.xml", _clarity, 9, withheld=False),
    "nist-json": Kind(Format.NIST_JSON, "report.json", _nist_json, None, withheld=False,
                      grouped=False),
    "nist-xml": Kind(Format.NIST_XML, "report.xml", _nist_xml, None, withheld=False,
                     grouped=False),
    "article": Kind(Format.ARTICLE, "article.txt", _article, 4, withheld=False),
}
TEXT_KINDS = sorted(KINDS)
CSV_KINDS = ["native", "openelections", "medsl-state", "medsl-county", "medsl-precinct",
             "tonmcg"]


def _write(tmp_path: Path, kind: Kind, text: str | bytes) -> Path:
    path = tmp_path / kind.file
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _import(path: Path, fmt: Format, encoding: str | None = None) -> list[ReturnsTable]:
    source = open_source(path, encoding)
    return stage(read_tables(source, fmt, ReadOptions(encoding=encoding)), source.name)


def _votes(tables: list[ReturnsTable]) -> set[int | None]:
    """Every count's votes (the file's other counts are 7, 20 or 1000: never a value tested)."""
    return {c.votes for t in tables for c in t.materialized().counts}


def _refused(path: Path, fmt: Format, encoding: str | None = None) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        _import(path, fmt, encoding)
    return caught.value


# ---- 1. counts ---------------------------------------------------------------------------------

BAD_COUNTS = ["12,5", "1,2,3,4", "1_000", "\u0661\u0662", "\uff11\uff12", str(2**63), "12.5",
              "ten", "+5", "1 234", "0x10", "12e3", "²"]


@pytest.mark.parametrize("bad", BAD_COUNTS)
@pytest.mark.parametrize("name", TEXT_KINDS)
def test_a_count_that_is_not_one_is_a_located_error(tmp_path: Path, name: str, bad: str) -> None:
    kind = KINDS[name]
    error = _refused(_write(tmp_path, kind, kind.text(bad, NAME)), kind.fmt)
    problem = error.problems[0]
    assert problem.source == kind.file
    assert problem.line == kind.line
    assert problem.field
    assert "count" in problem.message or "integer" in problem.message


@pytest.mark.parametrize("name", TEXT_KINDS)
def test_a_count_is_read_as_a_human_reads_it(tmp_path: Path, name: str) -> None:
    kind = KINDS[name]
    spaced = " 12 " if name != "article" else "12"  # an article's figure follows ": " as written
    for text, want in [("12", 12), (spaced, 12), ("1,234", 1234), ("1,234,567", 1234567),
                       ("*", None), (str(LARGEST), LARGEST)]:
        if (text == "*" and not kind.withheld) or ("," in text and not kind.grouped) or (
                text == str(LARGEST) and name in ("tonmcg", "article", "clarity")):
            continue  # a figure the format cannot hold (tonmcg/article/clarity add counts up)
        path = _write(tmp_path, kind, kind.text(text, NAME))
        assert _votes(_import(path, kind.fmt)) >= {want}, text


@pytest.mark.parametrize("votes, want", [("12", 12), ("9223372036854775808", None),
                                         ("12.5", None), ("true", None)])
def test_nist_json_counts_are_integers_below_2_63(tmp_path: Path, votes: str,
                                                  want: int | None) -> None:
    kind = KINDS["nist-json"]
    path = _write(tmp_path, kind, _nist_json_number(votes, NAME))
    if want is None:
        assert _refused(path, kind.fmt).problems[0].field == "Count"
    else:
        assert _votes(_import(path, kind.fmt)) == {want}


def test_medsl_reads_pandas_point_zero_but_no_other_decimal(tmp_path: Path) -> None:
    for name in ("medsl-state", "medsl-county", "medsl-precinct"):
        kind = KINDS[name]
        assert _votes(_import(_write(tmp_path, kind, kind.text("12.0", NAME)), kind.fmt)) == {12}
        for bad in ("12.00", "12.5", "1,234.5"):
            _refused(_write(tmp_path, kind, kind.text(bad, NAME)), kind.fmt)


def test_negative_counts_only_where_the_format_allows_adjustments(tmp_path: Path) -> None:
    for name in ("medsl-state", "medsl-county", "native", "clarity", "tonmcg", "article"):
        kind = KINDS[name]
        _refused(_write(tmp_path, kind, kind.text("-3", NAME)), kind.fmt)
    precinct = MEDSL_PRECINCT("-3", NAME).replace(",P1,", ",{Statistical Adjustments} 9999,")
    path = _write(tmp_path, KINDS["medsl-precinct"], precinct)
    assert _votes(_import(path, Format.MEDSL_PRECINCT)) == {-3}


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.integers(0, 2**64).map(lambda n: f"{n:,}" if n % 2 else str(n)),
                 st.text(alphabet="0123456789,.-+_ *\u0661\uff11e", max_size=12), st.text()))
def test_any_count_text_is_a_count_or_a_count_error(text: str) -> None:
    """Whatever the text: accepted, it is the integer a human reads in it (digits, commas as
    thousands separators); otherwise ``CountError``, never another exception. The Arrow column
    reader agrees with the scalar one on every text."""
    try:
        value = parse_count(text, signed=True)
    except CountError:
        value = "refused"
    else:
        stripped = text.strip(" \t\r\n")
        if stripped == "*":
            assert value is None
        else:
            human = stripped.replace(",", "")
            assert human.lstrip("-").isascii() and human.lstrip("-").isdigit()
            groups = stripped.lstrip("-").split(",")
            assert len(groups) == 1 or (all(len(g) == 3 for g in groups[1:])
                                        and 1 <= len(groups[0]) <= 3)
            assert value == int(human) and abs(value) <= LARGEST
    import pyarrow as pa
    counts, readable = parse_count_column(pa.array([text]), signed=True)
    assert readable[0].as_py() == (value != "refused")
    assert counts[0].as_py() == (None if value == "refused" else value)


# ---- 2. decoding -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TEXT_KINDS)
def test_an_undecodable_byte_is_located_never_latin_1(tmp_path: Path, name: str) -> None:
    kind = KINDS[name]
    text = kind.text("12", "Fairfi\u00e9ld Adams").encode("utf-8")
    broken = text.replace("\u00e9".encode(), b"\xe9")
    problem = _refused(_write(tmp_path, kind, broken), kind.fmt).problems[0]
    offset = broken.index(b"\xe9")
    assert (problem.code, problem.source, problem.field) == ("bad-encoding", kind.file,
                                                             "encoding")
    assert problem.line == broken[:offset].count(b"\n") + 1
    assert f"byte offset {offset} " in problem.message and "--encoding" in problem.message
    if kind.names:  # declared, the same bytes read as the user says
        tables = _import(_write(tmp_path, kind, broken), kind.fmt, encoding="cp1252")
        assert any(c.name == "Fairfi\u00e9ld Adams" or c.name.upper() == "FAIRFI\u00c9LD ADAMS"
                   for t in tables for c in t.returns.candidates)


@pytest.mark.parametrize("name", TEXT_KINDS)
@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16"])
def test_utf8_bom_and_utf16_bom_are_read(tmp_path: Path, name: str, codec: str) -> None:
    kind = KINDS[name]
    if name in ("nist-xml", "clarity") and codec == "utf-16":
        return  # an XML declaration names no UTF-16 here: expat reads the text, not the bytes
    data = kind.text("12", "Fairfi\u00e9ld").encode(codec)
    assert data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    tables = _import(_write(tmp_path, kind, data), kind.fmt)
    assert _votes(tables) >= {12}
    if kind.names:
        assert any("Fairfi\u00e9ld".upper() == c.name.upper() for t in tables
                   for c in t.returns.candidates)


def test_a_gzipped_file_names_the_offset_in_its_text(tmp_path: Path) -> None:
    kind = KINDS["openelections"]
    data = kind.text("12", "Fairfi\u00e9ld").encode("utf-8").replace("\u00e9".encode(), b"\xe9")
    path = tmp_path / (kind.file + ".gz")
    path.write_bytes(gzip.compress(data))
    problem = _refused(path, kind.fmt).problems[0]
    assert problem.line == 2 and "uncompressed" in problem.message


def test_an_unknown_encoding_name_is_refused(tmp_path: Path) -> None:
    kind = KINDS["native"]
    path = _write(tmp_path, kind, kind.text("12", NAME))
    assert _refused(path, kind.fmt, encoding="no-such-codec").problems[0].code == \
        "unknown-encoding"


# ---- 3. delimiters -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", CSV_KINDS)
@pytest.mark.parametrize("delimiter, sep_line", [(";", True), (";", False), ("\t", False),
                                                 ("\t", True)])
def test_semicolon_and_tab_files_are_read_with_their_lines(tmp_path: Path, name: str,
                                                          delimiter: str, sep_line: bool) -> None:
    kind = KINDS[name]
    text = kind.text("1,234", NAME).replace(",", delimiter).replace(f"1{delimiter}234", "1,234")
    if sep_line:
        text = f"sep={delimiter}\n{text}"
    tables = _import(_write(tmp_path, kind, text), kind.fmt)
    assert _votes(tables) >= {1234}
    lines = {c.line for t in tables for c in t.counts.counts() if c.line is not None}
    assert lines <= {kind.line + sep_line}  # type: ignore[operator]
    assert any("separated values" in n for t in tables for n in t.returns.notes)
    bad = text.replace("1,234", "12,5")
    problem = _refused(_write(tmp_path, kind, bad), kind.fmt).problems[0]
    assert problem.line == kind.line + sep_line  # type: ignore[operator]


def test_excel_sep_comma_line_is_taken_off(tmp_path: Path) -> None:
    kind = KINDS["openelections"]
    path = _write(tmp_path, kind, "sep=,\r\n" + kind.text("x", NAME))
    assert _refused(path, kind.fmt).problems[0].line == 3


def test_a_semicolon_file_with_decimal_commas_is_refused_not_misread(tmp_path: Path) -> None:
    kind = KINDS["native"]
    text = kind.text("12,5", NAME).replace(",", ";").replace("12;5", '"12,5"')
    problem = _refused(_write(tmp_path, kind, text), kind.fmt).problems[0]
    assert (problem.line, problem.field) == (2, "votes")


# ---- 4. control characters in names ------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x07", "\x85", "\x9b", "\u2028", "\u2029",
                                  "\x7f"])
@pytest.mark.parametrize("name", [k for k in TEXT_KINDS if KINDS[k].names])
def test_a_control_character_in_a_name_is_refused(tmp_path: Path, name: str, char: str) -> None:
    kind = KINDS[name]
    if name in ("clarity", "nist-xml") and char in "\x00\x1b\x07\x7f":
        return  # XML 1.0 cannot carry these at all: the XML parser refuses the file
    path = _write(tmp_path, kind, kind.text("12", f"Ann{char}Adams"))
    if name.startswith("medsl") and char.isspace():
        # MEDSL's labels have their whitespace collapsed (its files break names with CR LF:
        # "PETER\r\nSONSKI" in 2024-president-state.csv): a space, then, never the character
        names = {c.name for t in _import(path, kind.fmt) for c in t.returns.candidates}
        assert names == {"Ann Adams"}
        return
    problems = _refused(path, kind.fmt).problems
    problem = next(p for p in problems if p.code == "control-character")
    assert problem.source == kind.file and problem.field == "candidate"
    assert f"U+{ord(char):04X}" in problem.message
    assert problem.line == kind.line


def test_a_tab_in_a_name_is_allowed(tmp_path: Path) -> None:
    kind = KINDS["native"]
    tables = _import(_write(tmp_path, kind, kind.text("12", "Ann\tAdams")), kind.fmt)
    assert [c.name for c in tables[0].returns.candidates] == ["Ann\tAdams"]


def test_a_control_character_in_a_unit_or_party_is_refused(tmp_path: Path) -> None:
    kind = KINDS["native"]
    text = kind.text("12", NAME).replace("Fairfield", "Fair\x1bfield")
    problem = _refused(_write(tmp_path, kind, text), kind.fmt).problems[0]
    assert (problem.field, problem.line) == ("unit", 2)
    text = kind.text("12", NAME).replace("Democratic", "Demo\x00cratic")
    assert _refused(_write(tmp_path, kind, text), kind.fmt).problems[0].field == "party"


# ---- 5. NIST privacy-suppressed counts ---------------------------------------------------------


@pytest.mark.parametrize("name", ["nist-json", "nist-xml"])
def test_nist_privacy_suppressed_counts_are_unknown(tmp_path: Path, name: str) -> None:
    kind = KINDS[name]
    writer = write_nist_json if name == "nist-json" else write_nist_xml
    returns = _returns(NAME)
    withheld = Returns(returns.election, returns.candidates, returns.units,
                       (Count("09001", "ann-adams", None, VoteType.TOTAL),))
    text = writer(withheld)
    assert "IsSuppressedForPrivacy" in text
    (table,) = _import(_write(tmp_path, kind, text), kind.fmt)
    assert [c.votes for c in table.materialized().counts] == [None]
    assert not table.returns.exclusions
    assert any("withheld" in n for n in table.returns.notes)


# ---- 6. native CSV: the formula guard undone ---------------------------------------------------


@pytest.mark.parametrize("name", ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tTab",
                                  "'quoted", "plain", "=x"])
def test_native_export_imports_back_to_the_same_names(tmp_path: Path, name: str) -> None:
    returns = Returns(Election(2004, "CT", "president"),
                      (Candidate("c", name, "p"), Candidate("d", "Bob", "p")),
                      (Unit("CT", "Connecticut", UnitKind.STATE),
                       Unit("09001", name, UnitKind.COUNTY, "CT")),
                      (Count("09001", "c", 5, VoteType.TOTAL),
                       Count("09001", "d", None, VoteType.TOTAL)))
    text = write_native([returns])
    assert ("'" + name[0]) in text or not name.startswith(("=", "+", "-", "@", "\t"))
    (table,) = _import(_write(tmp_path, KINDS["native"], text), Format.NATIVE)
    back = table.materialized()
    assert {c.name for c in back.candidates} == {name, "Bob"}
    assert {u.name for u in back.units if u.id == "09001"} == {name}
    names = {c.id: c.name for c in back.candidates}
    assert {names[c.candidate]: c.votes for c in back.counts} == {name: 5, "Bob": None}
