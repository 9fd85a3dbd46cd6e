"""The import stage's label rules (io.rules_labels) on the returns cases 01, 02 and 03, and the
property that rows that are not votes and respelled names change no candidate's total."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electoral.api import compare_with, import_path, tabulate
from electoral.columns import ReturnsTable
from electoral.errors import ValidationError
from electoral.io import ReadOptions, open_source, read_tables
from electoral.io.names import fold, parse_name
from electoral.io.openelections import read_openelections
from electoral.io.stage import stage
from electoral.parties import party_code
from electoral.store import Store
from tests.cases.test_returns_cases import left_out_kind
from tests.conftest import SHARED

CASES = SHARED / "cases" / "returns"
needs_cases = pytest.mark.skipif(not CASES.is_dir(), reason=f"{CASES} is absent")


def _staged(path: Path, aliases: dict[str, str] | None = None) -> ReturnsTable:
    source = open_source(path)
    (table,) = stage(read_tables(source, None, ReadOptions(aliases=aliases or {})), source.name,
                     aliases=aliases)
    return table


def _totals(table: ReturnsTable) -> dict[tuple[str, str | None], int]:
    """Statewide votes per (candidate name, party code), from the smallest units (a county file
    has no precincts)."""
    returns = table.returns
    leaves = {u.id for u in returns.units} - {u.parent for u in returns.units}
    totals = table.counts.totals().table
    out: Counter[tuple[str, str | None]] = Counter()
    for unit, candidate, votes in zip(*(totals.column(i).to_pylist() for i in range(3)),
                                      strict=True):
        if unit in leaves:
            c = returns.candidate(candidate)
            # party_code of the Party (not its id): an unknown party's code is its label
            party = next((p for p in returns.parties if p.id == c.party), None)
            out[(c.name, party_code(party))] += votes
    return dict(out)


def _expected(case: str) -> dict[str, Any]:
    return json.loads((CASES / case / "expected.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _wanted(totals: list[dict[str, Any]]) -> dict[tuple[str, str | None], int]:
    return {(t["candidate"], t["party"]): t["votes"] for t in totals}


@needs_cases
def test_case_01_pseudo_rows_left_out_with_their_kinds() -> None:
    run = _expected("01-pseudo-candidates")["runs"][0]
    table = _staged(CASES / "01-pseudo-candidates" / "20201103__de__general__precinct.csv")
    assert _totals(table) == _wanted(run["totals"])
    assert sum(_totals(table).values()) == run["total_votes"] == 3405
    left = {e.line: e for e in table.returns.exclusions}
    assert len(table.returns.exclusions) == len(run["left_out"]) == 18
    for want in run["left_out"]:
        got = left[want["line"]]
        assert (got.kind, got.votes, got.label) == (left_out_kind(want["kind"]), want["votes"],
                                                    want["label"])
        assert dict(got.unit) == {"county": want["county"], "precinct": want["precinct"]}
        assert got.file == "20201103__de__general__precinct.csv"
    assert left[38].detail.startswith("shape") and left[14].detail == "615 = 310 + 280 + 25"
    assert left[33].detail == "8 = Jonah P. Lark 3 + Not Assigned 5"
    assert [m["line"] for m in run["must_count"]] == [39] and 39 not in left
    facts = {f.unit: f for f in table.returns.facts}
    assert (facts["10001/alder-1"].ballots_cast, facts["10001/alder-1"].registered) == (512, 820)


@needs_cases
def test_case_01_totals_that_disagree_are_problems_with_file_and_line() -> None:
    with pytest.raises(ValidationError) as caught:
        _staged(CASES / "01-pseudo-candidates" / "mismatch" / "20201103__de__general__precinct.csv")
    found = {(p.line, p.code, p.message) for p in caught.value.problems}
    assert found == {
        (5, "total_mismatch", "Alder 1: Total Votes 190, candidates add up to 185 (100 + 80 + 5)"),
        (10, "ballots_below_votes", "Birch 1: Ballots Cast 200, candidates add up to 220 "
                                    "(150 + 60 + 10)")}
    assert all(p.source == "20201103__de__general__precinct.csv" for p in caught.value.problems)


def _by_party_surname(table: ReturnsTable) -> dict[tuple[str | None, str], int]:
    return {(party, parse_name(name).candidate.key): votes
            for (name, party), votes in _totals(table).items()}


@needs_cases
def test_case_02_spellings_merged_and_the_undecided_one_kept_apart() -> None:
    run = _expected("02-candidate-spellings")["runs"][0]
    table = _staged(CASES / "02-candidate-spellings" / "20201103__nh__general__county.csv")
    want = {(t["party"], fold(t["candidate"].split()[-1])): t["votes"] for t in run["totals"]}
    assert _by_party_surname(table) == want
    assert sum(_totals(table).values()) == run["total_votes"]
    merged = {(party_code(m.party), m.candidate.split()[-1]): set(m.spellings)
              for m in table.returns.merged}
    assert len(merged) == len(run["merged"])
    for group in run["merged"]:
        assert merged[(group["party"], group["candidate"].split()[-1])] == set(group["spellings"])
    assert {m.candidate for m in table.returns.merged} >= {"Ada Q. Marsh", "Cole R. Dunmore"}
    (undecided,) = table.returns.undecided
    (wanted,) = run["undecided"]
    assert (undecided.spelling, undecided.votes, undecided.line, dict(undecided.unit)) == (
        wanted["spelling"], wanted["votes"], wanted["line"], {"county": wanted["county"]})
    assert sorted(f"{n} ({party_code(p)})".replace("Hugo E.", "Hugo")
                  for n, p in undecided.candidates) == sorted(wanted["could_be"])


@needs_cases
def test_case_02_aliases_state_the_undecided_merge(tmp_path: Path) -> None:
    folder = CASES / "02-candidate-spellings"
    with Store(tmp_path / "e.duckdb") as store:
        import_path(store, folder / "20201103__nh__general__county.csv",
                    aliases=folder / "aliases.csv")
        state = tabulate(store, "2020-NH-president", "state")
    votes = {state.returns.candidate(c).name: v for c, v in state.total.votes.items()}
    assert votes["Ada Q. Marsh"] == 17600 and "MARSH" not in votes
    assert sum(votes.values()) == 34996


@needs_cases
def test_case_03_parties_canonical_unknown_listed_and_the_compare() -> None:
    folder = CASES / "03-party-labels"
    run = _expected("03-party-labels")["runs"][0]
    later = _staged(folder / "20201103__de__general__county.csv")
    earlier = _staged(folder / "20161108__de__general__county.csv")
    assert _totals(later) == _wanted(run["totals"])
    assert _totals(earlier) == _wanted(run["totals_2016"])
    assert later.returns.unknown_parties == ("Unity Alliance",)
    assert {p.name for p in later.returns.parties} == {
        "Democratic", "Republican", "Libertarian", "Green", "Constitution", "Independent",
        "Unity Alliance"}


@needs_cases
def test_case_03_flips_and_swing_on_canonical_parties(tmp_path: Path) -> None:
    folder = CASES / "03-party-labels"
    compare = _expected("03-party-labels")["runs"][0]["compare"]
    with Store(tmp_path / "e.duckdb") as store:
        for name in ("20161108__de__general__county.csv", "20201103__de__general__county.csv"):
            import_path(store, folder / name)
        comparison = compare_with(store, tabulate(store, "2020-DE-president", "county"),
                                  "2016-DE-president")
    assert [c.unit.name for c in comparison.flips] == ["Kent"]
    (kent,) = comparison.flips
    assert (kent.earlier_winner, kent.later_winner) == ("Republican", "Democratic")
    sign = 1 if comparison.parties[0] == "Republican" else -1
    for change in comparison.changes:
        want = compare["by_county"][change.unit.name]["swing"]
        assert round(float(sign * change.swing) * 100, 2) == want


# ---- the property: pseudo rows and respellings change no candidate's total ---------------------

PEOPLE = [("Ada", "Q.", "Marsh", "DEM", "Ben", "Ortiz"), ("Cole", "R.", "Dunmore", "REP", "Vera", "Pryce"),
          ("Dara", "J.", "Finch", "LIB", "Eli", "Gantt")]
SPELLINGS = [
    lambda f, m, s, mf, ms: f"{f} {m} {s}", lambda f, m, s, mf, ms: f"{s.upper()}, {f.upper()} {m}",
    lambda f, m, s, mf, ms: f"{f} {m} {s} / {mf} {ms}", lambda f, m, s, mf, ms: f"{s}/{ms}",
    lambda f, m, s, mf, ms: f"{f} {m} {s} w/ {mf} {ms}", lambda f, m, s, mf, ms: f"{f} {s}",
    lambda f, m, s, mf, ms: f"{f} {m} {s}{mf} {ms}",
]
PARTY_LABELS = {"DEM": ["DEM", "Democrat", "Democratic", "D"], "REP": ["REP", "Republican", "R"],
                "LIB": ["LIB", "LBT", "LBN", "Libertarian"]}


@st.composite
def _contest(draw: st.DrawFn) -> tuple[str, str]:
    """A county file, and the same votes with pseudo rows (right totals) and respellings."""
    counties = ["Kent", "New Castle", "Sussex"]
    plain = [["county", "office", "district", "party", "candidate", "votes"]]
    messy = [list(plain[0])]
    for county in counties:
        votes = [draw(st.integers(1, 5000)) for _ in PEOPLE]
        rows = []
        for (first, middle, surname, party, mate_first, mate), n in zip(PEOPLE, votes, strict=True):
            plain.append([county, "President", "", party, f"{first} {middle} {surname}", str(n)])
            spell = draw(st.sampled_from(SPELLINGS))(first, middle, surname, mate_first, mate)
            rows.append([county, "President", "", draw(st.sampled_from(PARTY_LABELS[party])),
                         spell, str(n)])
        extra = draw(st.integers(0, 50))
        pseudo = [("Total Votes", sum(votes)), ("Ballots Cast", sum(votes) + extra),
                  ("Registered Voters", sum(votes) * 2 + extra), ("Over Votes", extra),
                  ("TotalVotes", sum(votes)), ("Blank", extra)]
        for label, n in draw(st.lists(st.sampled_from(pseudo), max_size=4, unique=True)):
            rows.append([county, "President", "", draw(st.sampled_from(["", "NP"])), label, str(n)])
        messy += draw(st.permutations(rows))
    return _csv(plain), _csv(messy)


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _read(text: str) -> ReturnsTable:
    name = "20201103__de__general__county.csv"
    (table,) = stage([ReturnsTable.of(r) for r in read_openelections(io.StringIO(text), name,
                                                                     ReadOptions())], name)
    return table


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_contest())
def test_pseudo_rows_and_respellings_change_no_total(files: tuple[str, str]) -> None:
    plain, messy = files
    assert _by_party_surname(_read(messy)) == _by_party_surname(_read(plain))
