"""Every output format keeps a hostile name harmless (issue 11): no name runs as HTML/JS, splits a
Markdown or wiki table, calls a template, becomes Rich markup, a spreadsheet formula or a terminal
escape, or leaves an XML document ill-formed. The returns are built here as model objects."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from electoral.errors import ValidationError
from electoral.io.escaping import FORMULA_STARTS, csv_cell, md_cell, on_screen, wiki_cell
from electoral.io.export import export
from electoral.model import Candidate, Count, Election, Party, Returns, Unit, UnitKind
from electoral.report.maps import draw_map
from electoral.report.page import write_page
from electoral.report.tables import render, results_view
from electoral.tabulate.rollup import roll_up
from tests.report.elections import county_returns

HOSTILE = ("<script>alert(1)</script>", "a|b", "line\nbreak", "}}", "{{x}}", "[[y]]", "[/]",
           "[bold]x", '=HYPERLINK("http://x")', "-2+3", "@SUM(A1)", "\x1b[31mred", "\x07")
CONTROL = ("\x1b", "\x07")
FORMATS = ("text", "md", "wiki", "html", "csv", "json")


def hostile_returns(names: tuple[str, ...] = HOSTILE) -> Returns:
    """One county per hostile name, and a candidate and a party per hostile name; the first
    candidate leads everywhere, the second is behind by a county-dependent margin."""
    state = Unit("CT", "Connecticut", UnitKind.STATE)
    units = [state] + [Unit(f"u{i}", name, UnitKind.COUNTY, "CT") for i, name in enumerate(names)]
    parties = [Party(f"p{j}", name) for j, name in enumerate(names)]
    candidates = [Candidate(f"c{j}", name, f"p{j}") for j, name in enumerate(names)]
    counts = [Count(f"u{i}", f"c{j}", 1000 - 10 * j + (i if j == 1 else 0))
              for i in range(len(names)) for j in range(len(names))]
    return Returns(Election(2024, "CT"), tuple(candidates), tuple(units), tuple(counts),
                   tuple(parties), source="hostile test")


def rendered(level: str, fmt: str, names: tuple[str, ...] = HOSTILE) -> str:
    return render(results_view(roll_up(hostile_returns(names), level), columns="all"), fmt)


@pytest.mark.parametrize("level", ["state", "county"])
@pytest.mark.parametrize("fmt", ["text", "md", "wiki", "html"])
def test_no_control_character_reaches_a_display_format(level: str, fmt: str) -> None:
    text = rendered(level, fmt)
    assert "\x1b" not in text and "\x07" not in text
    assert "red" in text  # the name's printable part stays


@pytest.mark.parametrize("level", ["state", "county"])
def test_text_shows_markup_literally(level: str) -> None:
    text = rendered(level, "text")
    assert "[/]" in text and "[bold]x" in text and "[[y]]" in text
    assert "line break" in text  # a name stays on its row


@pytest.mark.parametrize("level", ["state", "county"])
def test_markdown_rows_keep_their_columns(level: str) -> None:
    text = rendered(level, "md")
    table = [line for line in text.splitlines() if line.startswith("|")]
    widths = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
    assert len(widths) == 1, table  # no name added a cell ("a|b")
    assert len(table) == 2 + len(HOSTILE) + 1  # header, rule, a row per name, total: no "line\nbreak" row
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "a\\|b" in text


@pytest.mark.parametrize("level", ["state", "county"])
def test_wikitext_cannot_close_the_table_or_call_templates(level: str) -> None:
    text = rendered(level, "wiki")
    for opener in ("{{", "}}", "[[", "<script", "a|b"):
        assert opener not in text
    lines = text.splitlines()
    assert lines.count("|}") == 1 and sum("|}" in line for line in lines) == 1
    data = [line for line in lines if line.startswith("| ")]
    assert len(data) == len(HOSTILE) + 1  # a row per name and the total, none split
    assert len({line.count("||") for line in data}) == 1


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


@pytest.mark.parametrize("level", ["state", "county"])
def test_html_escapes_every_name(level: str) -> None:
    parser = _Tags()
    parser.feed(rendered(level, "html"))
    assert "script" not in parser.tags
    assert parser.tags.count("tr") == len(HOSTILE) + 2  # header, a row per name, the total


@pytest.mark.parametrize("level", ["state", "county"])
def test_csv_runs_no_formula_and_keeps_numbers(level: str) -> None:
    rows = list(csv.reader(io.StringIO(rendered(level, "csv"))))
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or re.fullmatch(r"-\d+(\.\d+)?", cell), cell
    names = [row[0] for row in rows[1:-1]]
    assert "'=HYPERLINK(\"http://x\")" in names and "'-2+3" in names and "'@SUM(A1)" in names
    assert "line\nbreak" in names  # data, quoted by the CSV writer, not a new row
    if level == "county":
        header = rows[0]
        margin = header.index("margin votes")
        # the second candidate leads in the counties past the tenth: a negative margin, a number
        margins = [int(row[margin]) for row in rows[1:-1]]
        assert min(margins) < 0 and all(re.fullmatch(r"-?\d+", row[margin]) for row in rows[1:])


@pytest.mark.parametrize("level", ["state", "county"])
def test_json_carries_every_name_exactly(level: str) -> None:
    document = json.loads(rendered(level, "json"))
    assert set(document["columns"]) == set(HOSTILE)
    if level == "county":
        assert {row["unit"] for row in document["rows"]} == set(HOSTILE)


def test_escaping_helpers_one_by_one() -> None:
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("\tx") == "'\tx" and csv_cell("\rx") == "'\rx"
    assert csv_cell(-5) == -5 and csv_cell("Ann") == "Ann" and csv_cell(None) == ""
    assert md_cell("fake | 999") == "fake \\| 999"
    assert md_cell("a\nb") == "a b" and md_cell("<b>") == "&lt;b&gt;"
    assert wiki_cell("x |} {{y}} [[z]]") == "x &#124;&#125; &#123;&#123;y&#125;&#125; &#91;&#91;z&#93;&#93;"
    assert on_screen("\x1b[31mred\x1b[0m\x07 \x1b]0;title\x07ok") == "red ok"


def _county_map_returns(names: tuple[str, str, str]) -> Returns:
    returns = county_returns("CT", 1, names=names[:2])
    units = tuple(replace(u, name=names[2]) if u.kind == UnitKind.COUNTY else u
                  for u in returns.units)
    return replace(returns, units=units)


@pytest.mark.parametrize("names", [HOSTILE[0:3], HOSTILE[3:6], HOSTILE[6:9], HOSTILE[9:12],
                                   (HOSTILE[11], HOSTILE[12], HOSTILE[0])])
def test_svg_map_is_well_formed_and_inert(names: tuple[str, str, str]) -> None:
    svg = draw_map(roll_up(_county_map_returns(names), "county"), "winner")
    root = ET.fromstring(svg)  # raises on an ill-formed document
    assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "script"]


def test_nist_xml_refuses_a_control_character_with_its_place() -> None:
    with pytest.raises(ValidationError) as raised:
        export(hostile_returns(), "nist-xml")
    fields = {p.field for p in raised.value.problems}
    assert "units['u11'].name" in fields and "candidates['c12'].name" in fields
    assert all(p.code == "xml-character" for p in raised.value.problems)


def test_nist_exports_carry_other_hostile_names_exactly() -> None:
    names = tuple(n for n in HOSTILE if not any(c in n for c in CONTROL))
    root = ET.fromstring(export(hostile_returns(names), "nist-xml").split("\n", 1)[1])
    texts = {e.text for e in root.iter() if e.text}
    assert {"<script>alert(1)</script>", "}}", "[/]", '=HYPERLINK("http://x")'} <= texts
    document = export(hostile_returns(), "nist-json")
    assert json.dumps("\x1b[31mred")[1:-1] in document and "\x1b" not in document


def test_native_csv_export_runs_no_formula() -> None:
    rows = list(csv.DictReader(io.StringIO(export(hostile_returns(), "csv"))))
    assert {r["candidate"] for r in rows} >= {"'=HYPERLINK(\"http://x\")", "'-2+3", "'@SUM(A1)"}
    assert all(re.fullmatch(r"\d+", r["votes"]) for r in rows)


def test_page_is_inert_and_offers_what_it_can(tmp_path: Path) -> None:
    index = write_page(hostile_returns(), tmp_path / "page")
    parser = _Tags()
    parser.feed(index.read_text(encoding="utf-8"))
    assert not any("alert(1)" in s for s in parser.scripts)
    data = tmp_path / "page" / "data"
    assert (data / "2024-CT-president-nist-1500-100.json").exists()
    # the XML report cannot carry ESC and BEL: the page offers the JSON one only
    assert not (data / "2024-CT-president-nist-1500-100.xml").exists()
    for name in ("state", "county"):
        rows = list(csv.reader(io.StringIO((data / f"2024-CT-president-{name}.csv").read_text(
            encoding="utf-8"))))
        assert not [c for row in rows for c in row if c.startswith(("=", "+", "@"))]
