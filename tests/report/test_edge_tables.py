"""Everyday edges a county office meets (issue 11), as ordinary tables in every format: an
unopposed contest, a contest where every count is still 0 (poll close), and a candidate with 0
votes. Returns are built here as model objects; every expected figure is worked out by hand."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest

from electoral.model import Candidate, Count, Election, Party, Returns, Unit, UnitKind
from electoral.report.tables import render, results_view
from electoral.tabulate.rollup import roll_up

COUNTIES = ("Fairfield", "Hartford", "Litchfield", "Middlesex", "New Haven", "New London",
            "Tolland", "Windham")


def returns(candidates: tuple[str, ...], votes: tuple[tuple[int, ...], ...]) -> Returns:
    """Connecticut's eight counties (complete returns), ``votes[i]`` the counts of county ``i``
    (the rest 0) in the order of ``candidates``."""
    units = [Unit("CT", "Connecticut", UnitKind.STATE)] + [
        Unit(f"0900{i}", name, UnitKind.COUNTY, "CT") for i, name in enumerate(COUNTIES)]
    people = tuple(Candidate(f"c{j}", name, f"p{j}") for j, name in enumerate(candidates))
    parties = tuple(Party(f"p{j}", f"Party {j}") for j in range(len(candidates)))
    counts = tuple(Count(f"0900{i}", f"c{j}", votes[i][j] if i < len(votes) else 0)
                   for i in range(len(COUNTIES)) for j in range(len(candidates)))
    return Returns(Election(2024, "CT"), people, tuple(units), counts, parties, source="edge")


UNOPPOSED = returns(("Ann Adams",), ((10,), (5,)))
ALL_ZERO = returns(("Ann Adams", "Bob Brown"), ())
ZERO_VOTE = returns(("Ann Adams", "Bob Brown", "Cy Zero"), ((10, 5, 0), (3, 4, 0)))


def out(r: Returns, level: str, fmt: str) -> str:
    return render(results_view(roll_up(r, level)), fmt)


COVERAGE = {"complete": "true", "coverage level": "county", "reporting": "8", "expected": "8",
            "missing": "", "outside": ""}  # every county of these returns reports


def csv_rows(r: Returns, level: str) -> list[dict[str, str]]:
    """The CSV's rows without the coverage columns, which every row must end with, complete."""
    rows = list(csv.DictReader(io.StringIO(out(r, level, "csv"))))
    assert all(list(row)[-len(COVERAGE):] == list(COVERAGE) for row in rows)
    assert all({k: row[k] for k in COVERAGE} == COVERAGE for row in rows)
    return [{k: v for k, v in row.items() if k not in COVERAGE} for row in rows]


# ---- unopposed --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "md", "wiki", "html"])
@pytest.mark.parametrize("level", ["state", "county"])
def test_unopposed_lists_the_candidate_once_with_no_margin(level: str, fmt: str) -> None:
    text = out(UNOPPOSED, level, fmt)
    assert text.count("Ann Adams") == (2 if level == "state" and fmt != "html" else 1)
    assert "-100" not in text and "−100" not in text
    assert "over Ann Adams" not in text
    assert "15" in text and "100.00%" in text
    if level == "state" and fmt != "html":
        assert "Ann Adams was unopposed" in text


def test_unopposed_csv_and_json() -> None:
    assert csv_rows(UNOPPOSED, "state") == [
        {"candidate": "Ann Adams", "party": "Party 0", "votes": "15", "percent": "100.00"},
        {"candidate": "Total", "party": "", "votes": "15", "percent": "100.00"}]
    county = csv_rows(UNOPPOSED, "county")
    assert list(county[0]) == ["unit", "Ann Adams votes", "Ann Adams percent", "other votes",
                               "other percent", "margin votes", "margin percent", "total"]
    assert county[0] == {"unit": "Fairfield", "Ann Adams votes": "10", "Ann Adams percent": "100.00",
                         "other votes": "0", "other percent": "0.00", "margin votes": "",
                         "margin percent": "", "total": "10"}
    document = json.loads(out(UNOPPOSED, "county", "json"))
    assert document["columns"] == ["Ann Adams"]
    assert document["total"]["other"] == {"votes": 0, "percent": "0.00"}
    assert document["total"]["margin"] == {"votes": None, "percent": None, "unopposed": True}
    assert document["winner"]["candidate"] == "Ann Adams"


# ---- every count 0 (poll close) ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "md", "wiki", "html", "csv", "json"])
@pytest.mark.parametrize("level", ["state", "county"])
def test_all_zero_is_an_ordinary_table(level: str, fmt: str) -> None:
    text = out(ALL_ZERO, level, fmt)
    assert "Ann Adams" in text and "Bob Brown" in text
    if fmt in ("text", "md", "wiki", "html"):
        assert "0.00%" in text and "100.00%" not in text
    if level == "state" and fmt in ("text", "md", "wiki"):
        assert "Ann Adams and Bob Brown are tied at 0 votes" in text


def test_all_zero_csv_and_json_values() -> None:
    assert csv_rows(ALL_ZERO, "state") == [
        {"candidate": "Ann Adams", "party": "Party 0", "votes": "0", "percent": "0.00"},
        {"candidate": "Bob Brown", "party": "Party 1", "votes": "0", "percent": "0.00"},
        {"candidate": "Total", "party": "", "votes": "0", "percent": "0.00"}]
    county = csv_rows(ALL_ZERO, "county")
    assert len(county) == len(COUNTIES) + 1
    assert {v for row in county for k, v in row.items() if k != "unit"} == {"0", "0.00"}
    document = json.loads(out(ALL_ZERO, "state", "json"))
    assert [(c["name"], c["votes"], c["percent"]) for c in document["total"]["candidates"]] == [
        ("Ann Adams", 0, "0.00"), ("Bob Brown", 0, "0.00")]
    assert document["total"]["total"] == 0 and document["winner"] is None


# ---- a candidate with 0 votes -----------------------------------------------------------------


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])

    def handle_data(self, data: str) -> None:
        if self.rows:
            self.rows[-1].append(data)


def test_zero_vote_candidate_keeps_its_statewide_row() -> None:
    assert csv_rows(ZERO_VOTE, "state") == [
        {"candidate": "Ann Adams", "party": "Party 0", "votes": "13", "percent": "59.09"},
        {"candidate": "Bob Brown", "party": "Party 1", "votes": "9", "percent": "40.91"},
        {"candidate": "Cy Zero", "party": "Party 2", "votes": "0", "percent": "0.00"},
        {"candidate": "Total", "party": "", "votes": "22", "percent": "100.00"}]
    parser = _Rows()
    parser.feed(out(ZERO_VOTE, "state", "html"))
    assert ["Cy Zero", "Party 2", "0", "0.00%"] in parser.rows
    assert "| Cy Zero | Party 2 | 0 | 0.00% |" in out(ZERO_VOTE, "state", "md")
    assert "| Cy Zero || Party 2 || 0 || 0.00%" in out(ZERO_VOTE, "state", "wiki")
    assert "Cy Zero" in out(ZERO_VOTE, "state", "text")
    document = json.loads(out(ZERO_VOTE, "state", "json"))
    assert document["columns"] == ["Ann Adams", "Bob Brown", "Cy Zero"]
    assert document["total"]["candidates"][2] == {
        "name": "Cy Zero", "party": "Party 2", "party_id": "Party 2", "votes": 0,
        "percent": "0.00"}
    assert "Margin: Ann Adams over Bob Brown by 4 votes (18.18%)" in out(ZERO_VOTE, "state", "text")
