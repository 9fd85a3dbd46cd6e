"""Adjustment units and withheld counts (io.rules_numbers), on the returns cases 09 and 14."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from electoral.columns import ReturnsTable
from electoral.errors import StoreError, ValidationError
from electoral.io import open_source, read_tables
from electoral.io.rules_numbers import (
    adjustment_items,
    is_adjustment,
    statistical_adjustments,
    suppressed_items,
)
from electoral.io.stage import stage, validate
from electoral.model import Candidate, Count, Election, Returns, Unit, UnitKind
from electoral.report.tables import render, results_json, results_view
from electoral.store import Store
from electoral.tabulate.rollup import roll_up
from tests.conftest import SHARED

CASES = SHARED / "cases" / "returns"
MI = CASES / "09-statistical-adjustments"
NV = CASES / "14-suppressed-counts"


def staged(path: Path) -> ReturnsTable:
    (table,) = stage(read_tables(open_source(path)), path.name)
    return table


def by_party(table: ReturnsTable, level: str) -> dict[str, dict[str, int]]:
    tab = roll_up(table.returns, level, counts=table.counts)
    party = {c.id: (c.party or "")[:3].upper() for c in table.returns.candidates}
    return {r.unit.name.removesuffix(" County").casefold(): {party[c]: n for c, n in r.votes.items()}
            for r in (*tab.rows, tab.total)}


def expected(folder: Path) -> dict[str, object]:
    return json.loads((folder / "expected.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", ["president_precinct_2024_mi.csv",
                                  "20241105__mi__general__precinct.csv"])
def test_adjustments_are_kept_listed_and_counted(name: str) -> None:
    table = staged(MI / name)
    (run,) = [r for r in expected(MI)["runs"] if name in r["commands"][0]]  # type: ignore[attr-defined]
    items = adjustment_items(table)
    assert [(a["line"], a["votes"], a["unit"]["county"].removesuffix(" County").casefold())  # type: ignore[index]
            for a in items] == [(w["line"], w["votes"], w["county"].casefold())
                                for w in run["adjustments"]]
    assert all(a["file"] == name for a in items)
    figures = by_party(table, "county")
    for county, want in run["by_county"].items():
        assert figures[county.casefold()] == want
    total = {t["party"]: t["votes"] for t in run["totals"]}
    assert figures["michigan"] == total == {"DEM": 1356, "REP": 1999, "LIB": 44}
    # the precincts' own sums are not the total: the adjustments are in it
    precincts = roll_up(table.returns, "precinct", counts=table.counts)
    plain = [r for r in precincts.rows if not r.unit.adjustment]
    assert sum(r.total for r in plain) == sum(run["precinct_sums_before_adjustments"].values())
    assert len(precincts.adjustments) == 2 and precincts.total.total == run["total_votes"]


def test_adjustment_rows_are_shown_as_such() -> None:
    table = staged(MI / "president_precinct_2024_mi.csv")
    view = results_view(roll_up(table.returns, "precinct", counts=table.counts))
    document = results_json(view)
    flagged = [r for r in document["rows"] if r.get("adjustment")]  # type: ignore[attr-defined]
    assert len(flagged) == 2 and all("Statistical" in r["unit"] for r in flagged)
    assert sorted(a["votes"] for a in document["adjustments"]) == [-4, -3, 1, 2]  # type: ignore[attr-defined]
    assert document["total"]["total"] == 3399  # type: ignore[index]
    assert "{Statistical Adjustments} 9999 Ward 0 (adjustment)" in render(view, "md")


def test_recognition_is_by_name_only() -> None:
    assert is_adjustment("{Statistical Adjustments} 9999 Ward 0")
    assert is_adjustment("statistical adjustment")
    assert not is_adjustment("Adjustments Township") and not is_adjustment("TOWNSHIP A 0001")


def small(votes: int, name: str) -> Returns:
    units = (Unit("MI", "Michigan", UnitKind.STATE), Unit("26013", "Baraga", UnitKind.COUNTY, "MI"),
             Unit("26013/p", name, UnitKind.PRECINCT, "26013"))
    return Returns(Election(2024, "MI"), (Candidate("a", "A"),), units,
                   (Count("26013/p", "a", votes, line=7),), source="x.csv")


def test_a_negative_count_elsewhere_is_a_located_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        validate(small(-4, "TOWNSHIP A"))
    assert [(p.line, p.field) for p in caught.value.problems] == [(7, "votes")]
    stage([ReturnsTable.of(small(-4, "{Statistical Adjustments} 9999 Ward 0"))])  # marked first


def test_the_store_keeps_adjustments_and_refuses_a_stray_negative(tmp_path: Path) -> None:
    marked = statistical_adjustments(ReturnsTable.of(small(-4, "{Statistical Adjustments}"))).table
    assert marked is not None
    with Store(tmp_path / "db.duckdb") as store:
        store.save(marked, source="x.csv", sha256="0", format="test")
        loaded = store.load("2024-MI-president")
        assert loaded.unit("26013/p").adjustment and loaded.counts[0].votes == -4
        with pytest.raises(StoreError):  # the import stage was bypassed: the store still refuses
            store.save(small(-4, "TOWNSHIP A"), source="y.csv", sha256="1", format="test")
        assert store.load("2024-MI-president").counts[0].votes == -4


def test_suppressed_cells_are_unknown_never_zero(tmp_path: Path) -> None:
    table = staged(NV / "president_precinct_2024_nv.csv")
    (run,) = expected(NV)["runs"]  # type: ignore[misc]
    assert [(s["line"], s["unit"]["county"].removesuffix(" County").casefold(),  # type: ignore[index]
             s["unit"]["precinct"]) for s in suppressed_items(table)] == \
        [(w["line"], w["county"].casefold(), w["precinct"]) for w in run["suppressed"]]
    with Store(tmp_path / "db.duckdb") as store:  # stored as unknown, read back as unknown
        store.save(table, source="nv.csv", sha256="0", format="test")
        returns = store.load("2024-NV-president")
    assert sorted(c.line is None and c.votes is None for c in returns.counts).count(True) == 3
    state = roll_up(returns, "state").total
    party = {c.id: (c.party or "")[:3].upper() for c in returns.candidates}
    known = {party[c]: (n, state.suppressed.get(c, 0)) for c, n in state.votes.items()}
    for want in run["totals"]:
        assert known[want["party"]] == (want.get("votes", want.get("votes_known")),
                                        want["suppressed_cells"])
    assert (state.total, state.exact, state.winner()) == (run["total_votes_known"], False, None)


def test_suppressed_totals_are_never_shown_as_exact() -> None:
    table = staged(NV / "president_precinct_2024_nv.csv")
    county = results_view(roll_up(table.returns, "county", counts=table.counts))
    document = results_json(county)
    total = document["total"]
    assert (total["total"], total["total_at_least"], total["exact"], total["suppressed"]) == \
        (None, 1118, False, 3)  # type: ignore[index]
    eureka = next(r for r in document["rows"] if r["unit"].startswith("Eureka"))  # type: ignore[attr-defined]
    marsh = next(c for c in eureka["candidates"] if c["name"] == "ADA Q MARSH")
    assert marsh == {"name": "ADA Q MARSH", "party": "Democratic", "party_id": "DEM", "votes": None,
                     "at_least": 55, "exact": False, "suppressed": 1, "percent": None}
    dunmore = next(c for c in eureka["candidates"] if c["name"] == "COLE R DUNMORE")
    assert dunmore["votes"] == 590 and "at_least" not in dunmore and "exact" not in dunmore
    text = render(county, "text")
    assert "≥ 55" in text and "≥ 1,118" in text and re.search(r"(?<!≥ )1,118", text) is None
    precinct = render(results_view(roll_up(table.returns, "precinct", counts=table.counts)), "csv")
    assert ">=290" in precinct and "unknown" not in precinct
