"""Every CSV reader of this area, fuzzed: whatever the rows hold, a reader returns returns that
pass ``validate`` or raises one ``ValidationError`` whose problems say where; it never fails any
other way. And an import that fails leaves the store as it was."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electoral.api import import_path
from electoral.errors import ValidationError
from electoral.io import ReadOptions
from electoral.io.medsl import read_medsl_state
from electoral.io.medsl_county import read_medsl_county
from electoral.io.medsl_precinct import read_medsl_precinct
from electoral.io.stage import validate
from electoral.io.tonmcg import read_tonmcg
from electoral.model import Returns
from electoral.store import Store

Reader = Callable[[io.StringIO, str, ReadOptions], list[Returns]]
STATE = ["year", "state", "state_po", "state_fips", "state_cen", "state_ic", "office",
         "candidate", "party_detailed", "writein", "candidatevotes", "totalvotes", "version",
         "notes", "party_simplified"]
COUNTY = ["year", "state", "state_po", "county_name", "county_fips", "office", "candidate",
          "party", "candidatevotes", "totalvotes", "version", "mode"]
PRECINCT = ["state_po", "state_fips", "county_name", "county_fips", "jurisdiction_name",
            "jurisdiction_fips", "precinct", "district", "candidate", "party_detailed",
            "party_simplified", "mode", "writein", "votes"]
TONMCG = ["state_name", "county_fips", "county_name", "votes_gop", "votes_dem", "total_votes",
          "diff", "per_gop", "per_dem", "per_point_diff"]

# Plausible values mixed with garbage, per column.
VALUES = {
    "year": st.sampled_from(["2000", "2004", "20x4", ""]),
    "state_po": st.sampled_from(["MO", "CT", "NA", "XX", ""]),
    "state": st.sampled_from(["MISSOURI", "CONNECTICUT", "NOWHERE"]),
    "county_fips": st.sampled_from(["29019", "9001", "29095", "36000", "NA", "", "1001", "abc",
                                    "44001.0"]),
    "county_name": st.sampled_from(["BOONE", "KANSAS CITY", "STATEWIDE WRITEIN", ""]),
    "candidate": st.sampled_from(["AL GORE", "BUSH, GEORGE W.", "", "OTHER", "UNDERVOTES",
                                  "TOTAL BALLOTS CAST", 'X ""Y""', "WRITE-IN"]),
    "mode": st.sampled_from(["TOTAL", "ELECTION DAY", "ABSENTEE", "2ND ABSENTEE", "", "NA"]),
    "writein": st.sampled_from(["TRUE", "FALSE", "NA"]),
    "office": st.sampled_from(["US PRESIDENT", "PRESIDENT", "US SENATE"]),
}
COUNTS = st.one_of(st.integers(0, 10**8).map(str), st.sampled_from(["NA", "*", "-3", "1.5", "",
                                                                     "ten"]))


def _file(columns: list[str]) -> st.SearchStrategy[str]:
    def value(column: str) -> st.SearchStrategy[str]:
        if column in VALUES:
            return VALUES[column]
        if "votes" in column or column.startswith(("votes", "total")):
            return COUNTS
        return st.text(max_size=8)

    row = st.tuples(*(value(c) for c in columns))

    def render(rows: list[tuple[str, ...]]) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return out.getvalue()

    return st.lists(row, max_size=12).map(render)


def _check(reader: Reader, text: str, name: str) -> None:
    try:
        elections = reader(io.StringIO(text), name, ReadOptions())
    except ValidationError as exc:
        assert exc.problems
        assert all(p.line is not None or p.field is not None for p in exc.problems)
        return
    for returns in elections:
        validate(returns)
        for exclusion in returns.exclusions:
            assert exclusion.reason


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(_file(STATE))
def test_medsl_state(text: str) -> None:
    _check(read_medsl_state, text, "state.csv")


@FUZZ
@given(_file(COUNTY))
def test_medsl_county(text: str) -> None:
    _check(read_medsl_county, text, "county.csv")


@FUZZ
@given(_file(PRECINCT))
def test_medsl_precinct(text: str) -> None:
    _check(read_medsl_precinct, text, "precinct_2024.csv")


@FUZZ
@given(_file(TONMCG))
def test_tonmcg(text: str) -> None:
    _check(read_tonmcg, text, "tonmcg_2024.csv")


@pytest.mark.parametrize("columns, good, bad", [
    (COUNTY, '2000,MISSOURI,MO,BOONE,29019,PRESIDENT,AL GORE,DEMOCRAT,10,20,1,TOTAL',
     '2000,MISSOURI,MO,BOONE,29019,PRESIDENT,AL GORE,DEMOCRAT,ten,20,1,TOTAL'),
    (TONMCG, "Missouri,29019,Boone County,10,20,35,,,,", "Missouri,29019,Boone County,x,20,35,,,,"),
])
def test_a_bad_file_leaves_the_store_unchanged(tmp_path: Path, db: Path, columns: list[str],
                                               good: str, bad: str) -> None:
    header = ",".join(columns) + "\n"
    first = tmp_path / "returns_2000.csv"
    first.write_text(header + good + "\n", encoding="utf-8")
    with Store(db) as store:
        import_path(store, first)
        before = [(e.id, e.counts) for e in store.elections()]
        loaded = {e.id: store.load(e.id) for e in store.elections()}
        second = tmp_path / "returns_2000_again.csv"
        second.write_text(header + good.replace("10", "99") + "\n" + bad + "\n", encoding="utf-8")
        with pytest.raises(ValidationError) as caught:
            import_path(store, second)
        assert caught.value.problems[0].line == 3 and caught.value.problems[0].source == \
            second.name
        assert [(e.id, e.counts) for e in store.elections()] == before
        assert {e.id: store.load(e.id) for e in store.elections()} == loaded
