"""Names, parties and titles come from the files counted: every round-table format shows them as
text, never as what its reader would act on — terminal escape sequences and control characters,
Rich markup, Markdown and wikitext table syntax, HTML/SVG tags, spreadsheet formulas.

Each format is checked by its own reader where one is at hand (an XML parser, the csv module,
json), else by the syntax that would break the table (a cell split, a closed table)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from rich.cells import cell_len

from electoral.io.escaping import FORMULA_STARTS
from electoral.rcv import QuickOptions, quick_count, render_rcv

# A winner and a loser whose names try everything at once; a third plain name to find rows by.
EVIL = ('=HYPERLINK("http://x.example")<script>alert(1)</script> [bold red]Zed[/] '
        "| *a* _b_ `c` [[Link]] {{T}} ''it'' |} ~~~ \x1b[31mred\x1b]0;title\x07\x1b[0m\nnext")
FORMULAS = ("+1+1", "-2-2", "@SUM(A1)", "=1+1")
PARTY = "[link=http://x.example]P[/link] <i>|</i>"
TITLE = "<h1>[blink]T[/blink]</h1> | {{T}} \x1b[2J"


@pytest.fixture(scope="module")
def tab(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    path = tmp_path_factory.mktemp("evil") / "evil.csv"
    rows = [[EVIL, "Amy"]] * 4 + [["Amy", ""]] * 3 + [[FORMULAS[0], "Amy"]] * 2
    rows += [[name, EVIL] for name in FORMULAS[1:]]
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["rank1", "rank2"], *rows])
    result = quick_count([path], QuickOptions())
    assert result.tabulation.winners == (EVIL,)
    return result.tabulation


def render(tab, fmt: str) -> str:  # noqa: ANN001
    return render_rcv(tab, fmt, TITLE, {EVIL: PARTY})


def test_text_shows_markup_literally_and_strips_control_characters(tab) -> None:  # noqa: ANN001
    out = render(tab, "text")
    assert not any(c in out for c in "\x1b\x07\x0b\x0c\r")
    assert "[bold red]Zed[/]" in out and "[link=http://x.example]P[/link]" in out
    assert "[blink]T[/blink]" in out
    grid = [line for line in out.splitlines() if line[:1] in "┏┃┡│└"]
    assert len({cell_len(line) for line in grid}) == 1  # the name's line break split no row
    assert any(line.startswith("│ Amy") for line in grid)


def test_markdown_cells_never_split_and_tags_are_text(tab) -> None:  # noqa: ANN001
    out = render(tab, "md")
    rows = [line for line in out.splitlines() if line.startswith("|")]
    cells = {len(line.replace("\\|", "").split("|")) for line in rows}
    assert len(cells) == 1
    assert "<script>" not in out and "&lt;script&gt;" in out and "<h1>" not in out
    assert "\x1b" not in out and "\\*a\\*" in out and "\\[\\[Link\\]\\]" in out


def test_wikitext_opens_no_link_template_or_table_end(tab) -> None:  # noqa: ANN001
    out = render(tab, "wiki")
    lines = out.splitlines()
    assert out.count("|}") == 1  # the table's own end, then only the tie-break notes (a list)
    assert all(line.startswith("* Round ") for line in lines[lines.index("|}") + 1:])
    for syntax in ("[[", "{{", "<script", "<h1", "''it''", "~~~", "\x1b"):
        assert syntax not in out
    body = [line for line in out.splitlines() if line.startswith("| ")]
    assert len({line.count("||") for line in body}) == 1  # no cell split


@pytest.mark.parametrize("fmt", ["html", "svg"])
def test_html_and_svg_parse_with_names_as_text(tab, fmt: str) -> None:  # noqa: ANN001
    out = render(tab, fmt)
    root = ET.fromstring(out if fmt == "svg" else f"<div>{out}</div>")
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert not tags & {"script", "h1", "i", "b", "a"}
    text = "".join(root.itertext())
    assert "<script>alert(1)</script>" in text and "<h1>" in text


def test_csv_has_no_formula_and_keeps_names_whole(tab) -> None:  # noqa: ANN001
    out = render(tab, "csv")
    rows = list(csv.reader(io.StringIO(out)))
    for cell in (c for row in rows for c in row):
        if cell.startswith(FORMULA_STARTS):
            try:
                Decimal(cell)  # a negative transfer is a number, not a formula
            except InvalidOperation:
                pytest.fail(f"a cell a spreadsheet would run: {cell!r}")
    names = [row[0] for row in rows[1:]]
    assert f"'{EVIL} ({PARTY}) (elected)" in names
    assert {f"'{f}" for f in FORMULAS} <= set(names)


def test_json_carries_the_names_as_data(tab) -> None:  # noqa: ANN001
    report = json.loads(render(tab, "json"))
    named = {name for r in report["results"] for name in r["tally"]}
    assert EVIL in named and set(FORMULAS) <= named


def test_cli_errors_name_a_hostile_file_literally(tmp_path: Path) -> None:
    from electoral.cli_rcv import run_rcv

    bad = tmp_path / "[bold]x\x1b[2J.csv"
    bad.write_text("")
    stderr = io.StringIO()
    import contextlib
    with contextlib.redirect_stderr(stderr):
        assert run_rcv([str(bad)]) == 1
    said = stderr.getvalue()
    assert "[bold]x" in said and "\x1b" not in said
