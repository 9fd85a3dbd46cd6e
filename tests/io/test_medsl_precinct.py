"""MEDSL 2024 precinct presidential file (1.48M rows), read from the real file in ../shared."""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

import duckdb
import pytest

from electoral.errors import ValidationError
from electoral.io import Format, ReadOptions, detect_format, open_source, read_path, read_source
from electoral.io.medsl_precinct import read_medsl_precinct
from electoral.io.stage import validate
from electoral.model import Note, Returns, UnitKind
from electoral.tabulate.rollup import roll_up

FOLDER = "data/precinct/medsl_2024_president_precinct"
FILE = f"{FOLDER}/president_precinct_2024_medsl.csv.gz"
STATE_FILE = "data/state_presidential/2024-president-state.csv"
# The folder README's list of jurisdictions whose precinct rows reproduce the certified Trump and
# Harris totals within 0.1% (using TOTAL rows where they coexist with mode rows).
COMPLETE = ["AK", "AR", "CO", "CT", "DC", "DE", "FL", "GA", "HI", "IA", "ID", "KS", "KY", "MA",
            "MD", "MI", "MN", "MO", "MS", "MT", "ND", "NE", "NH", "NM", "NV", "OK", "OR", "PA",
            "RI", "SC", "SD", "TN", "TX", "VA", "VT", "WI", "WV", "WY"]
HEADER = ("state_po,state_fips,county_name,county_fips,jurisdiction_name,jurisdiction_fips,"
          "precinct,district,candidate,party_detailed,party_simplified,mode,writein,votes\n")


@cache
def _precincts(path: Path) -> dict[str, Returns]:
    return {r.election.state: r for r in read_path(path)}


@pytest.mark.slow
def test_state_totals_match_the_state_file_where_the_file_is_complete(shared: Path) -> None:
    precincts = _precincts(shared / FILE)
    assert len(precincts) == 44
    states = {r.election.state: r for r in read_path(shared / STATE_FILE)}
    for st in COMPLETE:
        rolled = roll_up(precincts[st], UnitKind.STATE).total
        certified = {c.candidate: c.votes for c in states[st].counts}
        for precinct_id, state_id in (("donald-j-trump", "trump-donald-j"),
                                      ("kamala-d-harris", "harris-kamala-d")):
            ratio = rolled.of(precinct_id) / certified[state_id]
            assert abs(ratio - 1) <= 0.001, (st, precinct_id, ratio)
    # Alabama's absentee and provisional tallies are units of their own: all of them count.
    alabama = roll_up(precincts["AL"], UnitKind.STATE).total
    assert alabama.of("donald-j-trump") == 1_462_616


@pytest.mark.slow
def test_every_row_lands_in_a_count_a_fact_or_an_exclusion(shared: Path) -> None:
    precincts = _precincts(shared / FILE)
    for st in ("ME", "NM", "VT", "MO"):
        returns = precincts[st]
        validate(returns)
        (in_file,), = duckdb.sql(
            f"SELECT sum(TRY_CAST(votes AS BIGINT)) FROM read_csv('{shared / FILE}', "
            f"all_varchar=true, quote='\"') WHERE state_po = '{st}'").fetchall()
        counted = sum(c.votes or 0 for c in returns.counts)  # a withheld count adds nothing known
        # a ballots-cast row is left out (listed) and gives its precinct's ballots cast
        facts = sum(f.ballots_cast or 0 for f in returns.facts)
        excluded = sum(e.votes or 0 for e in returns.exclusions)
        assert counted + excluded == in_file, st
        assert facts == sum(e.votes or 0 for e in returns.exclusions if e.kind == "ballots_cast"), st
    # New Mexico's suppressed cells are counts of unknown votes, never 0 and never left out
    (stars,), = duckdb.sql(f"SELECT count(*) FROM read_csv('{shared / FILE}', all_varchar=true, "
                           "quote='\"') WHERE state_po = 'NM' AND trim(votes) = '*'").fetchall()
    assert sum(c.votes is None for c in precincts["NM"].counts) == stars > 0
    assert precincts["ME"].facts, "Maine's TOTAL BALLOTS CAST rows become ballots cast"


@pytest.mark.slow
def test_geography(shared: Path) -> None:
    precincts = _precincts(shared / FILE)
    missouri = precincts["MO"]
    kc = missouri.unit("MO-town-kansas-city")
    assert kc.parent == "29095" and missouri.unit("29095").name == "Jackson County"
    hartford = precincts["CT"].unit("CT-town-hartford")
    assert hartford.kind is UnitKind.TOWN and hartford.parent == "09003"
    precinct = next(u for u in precincts["CT"].units if u.parent == "CT-town-hartford")
    assert precinct.kind is UnitKind.PRECINCT and precinct.id.startswith("CT-town-hartford/")
    assert any(u.parent == "AK" and u.kind is UnitKind.PRECINCT for u in precincts["AK"].units)
    ri = precincts["RI"]  # RI writes some FIPS as floats ("44001.0")
    assert {u.id for u in ri.units if u.kind is UnitKind.COUNTY} <= \
        {"44001", "44003", "44005", "44007", "44009"}


def test_detected(shared: Path) -> None:
    assert detect_format(open_source(shared / FILE)) is Format.MEDSL_PRECINCT


def _row(st: str = "MO", fips: str = "29019", votes: str = "5", candidate: str = "JANE DOE",
         mode: str = "TOTAL") -> str:
    return (f"{st},29,BOONE,{fips},BOONE,{fips},WARD 1,,{candidate},DEMOCRAT,DEMOCRAT,{mode},"
            f"FALSE,{votes}\n")


def test_small_file_modes_and_exclusions() -> None:
    text = HEADER + _row() + _row(mode="ABSENTEE", votes="2") + _row(votes="*", mode="MAIL") \
        + _row(candidate="UNDERVOTES", votes="3") + _row(votes="-1", candidate="JOHN ROE")
    (missouri,) = read_medsl_precinct(io.StringIO(text), "president_2024.csv", ReadOptions())
    assert missouri.election.id == "2024-MO-president"
    # the TOTAL row is exact: the withheld MAIL count beside it is no part of it
    row = roll_up(missouri, UnitKind.COUNTY).row("29019")
    assert row.of("jane-doe") == 5 and row.exact
    assert [(c.line, c.votes) for c in missouri.counts if c.candidate == "jane-doe"] == \
        [(2, 5), (3, 2), (4, None)]
    reasons = [(e.line, e.reason) for e in missouri.exclusions]
    assert reasons == [(5, "undervotes: not a vote for any candidate")]
    # a negative count outside an adjustment unit reaches the stage, which refuses it, located
    with pytest.raises(ValidationError) as caught:
        validate(missouri)
    assert [(p.line, p.field) for p in caught.value.problems] == [(6, "votes")]


def test_total_and_ballots_cast_rows_are_checked_against_the_candidates() -> None:
    # issue 10 item 1: a contest-total row must equal its precinct's candidates, a ballots-cast
    # row be at least their sum; a disagreement is a located note (the source's own figures)
    def precinct(name: str) -> Callable[..., str]:
        return lambda **kw: _row(**kw).replace("WARD 1", name)

    one, two = precinct("WARD 1"), precinct("WARD 2")
    text = (HEADER + one() + one(candidate="JOHN ROE", votes="4")
            + one(candidate="CONTEST TOTAL", votes="9") + one(candidate="TOTAL VOTES CAST",
                                                              votes="10")
            + two(votes="3") + two(candidate="CONTEST TOTAL", votes="4")
            + two(candidate="TOTAL VOTES CAST", votes="2")
            # a TOTAL-mode total where the candidates give only modes: their modes' sum
            + precinct("WARD 3")(votes="1", mode="ELECTION DAY")
            + precinct("WARD 3")(votes="2", mode="ABSENTEE")
            + precinct("WARD 3")(candidate="CONTEST TOTAL", votes="3"))
    (missouri,) = read_medsl_precinct(io.StringIO(text), "president_2024.csv", ReadOptions())
    details = {e.line: e.detail for e in missouri.exclusions}
    assert details == {4: "9 = candidates 9", 5: "10 >= candidates 9",
                       7: "4, candidates add up to 3", 8: "2, below the candidates' 3",
                       11: "3 = candidates 3"}
    (note,) = missouri.notes
    assert isinstance(note, Note) and note.kind == "total_mismatch" and note.lines == (7, 8)
    assert "line 7 WARD 2 CONTEST TOTAL 4, candidates add up to 3" in note
    # the candidates are what is counted
    assert roll_up(missouri, UnitKind.COUNTY).row("29019").of("jane-doe") == 11


def test_subtotal_units_are_found_by_shape_and_left_out() -> None:
    # issue 10 item 1 (F6, New Jersey 2024): a county-total unit and a municipality subtotal
    # named after its parts, beside the precincts they sum, are totals, not votes
    def precinct(name: str, **kw: str) -> str:
        return _row(**kw).replace("WARD 1", name)

    text = HEADER
    for name, jane, john in (("ALDER 1", "5", "2"), ("ALDER 2", "3", "4"), ("ALDER", "8", "6"),
                             ("ALDER PARK 1", "1", "1"), ("ALDER PARK", "1", "1"),
                             ("BIRCH", "7", "0"), ("COUNTY TOTAL", "16", "7")):
        text += precinct(name, votes=jane) + precinct(name, votes=john, candidate="JOHN ROE")
    (missouri,) = read_medsl_precinct(io.StringIO(text), "president_2024.csv", ReadOptions())
    county = roll_up(missouri, UnitKind.COUNTY).row("29019")
    assert (county.of("jane-doe"), county.of("john-roe")) == (16, 7)
    assert {u.name for u in missouri.units if u.kind is UnitKind.PRECINCT} == \
        {"ALDER 1", "ALDER 2", "ALDER PARK 1", "BIRCH"}
    left = {(e.line, e.kind) for e in missouri.exclusions}
    assert left == {(6, "total"), (7, "total"), (10, "total"), (11, "total"),
                    (14, "county_total"), (15, "county_total")}
    assert any("'ALDER' (= 2 units)" in n for n in missouri.notes)
    assert any("'COUNTY TOTAL' (= 4 units)" in n for n in missouri.notes)


def test_a_subtotal_must_equal_its_parts_for_every_candidate() -> None:
    def precinct(name: str, **kw: str) -> str:
        return _row(**kw).replace("WARD 1", name)

    text = HEADER
    for name, jane, john in (("ALDER 1", "5", "2"), ("ALDER 2", "3", "4"), ("ALDER", "8", "5")):
        text += precinct(name, votes=jane) + precinct(name, votes=john, candidate="JOHN ROE")
    (missouri,) = read_medsl_precinct(io.StringIO(text), "president_2024.csv", ReadOptions())
    assert not missouri.exclusions and not missouri.notes
    assert roll_up(missouri, UnitKind.COUNTY).row("29019").of("jane-doe") == 16


def test_vote_modes_that_repeat_one_figure_are_counted_once() -> None:
    # F6, Indiana 2024: ABSENTEE = EARLY VOTING = ELECTION DAY in every precinct of a county,
    # each the precinct's total (Allen: 90,283 for Trump, the certified county figure)
    text = HEADER
    for name, votes in (("WARD 1", "5"), ("WARD 2", "0"), ("WARD 3", "9")):
        for mode in ("ABSENTEE", "EARLY VOTING", "ELECTION DAY"):
            text += _row(votes=votes, mode=mode).replace("WARD 1", name)
    (missouri,) = read_medsl_precinct(io.StringIO(text), "president_2024.csv", ReadOptions())
    assert roll_up(missouri, UnitKind.COUNTY).row("29019").of("jane-doe") == 14
    assert sorted(e.line for e in missouri.exclusions if e.kind == "mode_copy") == \
        [3, 4, 6, 7, 9, 10]
    assert any("counted once" in n for n in missouri.notes)
    # modes that differ anywhere in the county are parts, added
    text = text.replace("WARD 3,,JANE DOE,DEMOCRAT,DEMOCRAT,ABSENTEE,FALSE,9",
                        "WARD 3,,JANE DOE,DEMOCRAT,DEMOCRAT,ABSENTEE,FALSE,8")
    (missouri,) = read_medsl_precinct(io.StringIO(text), "president_2024.csv", ReadOptions())
    assert roll_up(missouri, UnitKind.COUNTY).row("29019").of("jane-doe") == 41


def test_a_county_without_a_mode_most_counties_give_is_noted() -> None:
    # F6, New Jersey 2024: Mercer gives no EARLY VOTING rows, which most counties give
    text = HEADER
    for fips in ("29019", "29021", "29023"):
        text += _row(fips=fips, mode="ELECTION DAY")
        if fips != "29023":
            text += _row(fips=fips, mode="EARLY VOTING")
    (missouri,) = read_medsl_precinct(io.StringIO(text), "president_2024.csv", ReadOptions())
    (note,) = missouri.notes
    assert "Boone has no EARLY VOTING rows (2 of the 3 counties" in note


@pytest.mark.slow
def test_new_jersey_and_indiana_are_never_inflated(shared: Path) -> None:
    """F6: NJ's municipality and county subtotal rows and IN's repeated vote modes were counted
    beside the precincts (NJ Harris 2,500,756 of a certified 2,220,713; IN Trump 1,820,555 of
    1,720,347). Left out by shape, each state is at most its certified figure, and says why:
    NJ's remaining shortfall is the source's (Mercer gives no early-vote rows), IN's file has 53
    of its 92 counties."""
    precincts = _precincts(shared / FILE)
    states = {r.election.state: r for r in read_path(shared / STATE_FILE)}
    for st, trump, harris in (("NJ", 1_950_903, 2_189_456), ("IN", 1_238_931, 899_975)):
        rolled = roll_up(precincts[st], UnitKind.STATE).total
        assert (rolled.of("donald-j-trump"), rolled.of("kamala-d-harris")) == (trump, harris)
        certified = {c.candidate: c.votes for c in states[st].counts}
        assert trump <= certified["trump-donald-j"] and harris <= certified["harris-kamala-d"]
    nj = precincts["NJ"]
    assert any("Gloucester 'COUNTY TOTAL'" in n for n in nj.notes)
    assert any("Bergen 'Allendale' (= 5 units)" in n for n in nj.notes)
    # what is left short is said: Mercer's early vote and Union's provisional rows are absent
    assert any("Mercer has no EARLY VOTING rows" in n and "Union has no PROVISIONAL rows" in n
               for n in nj.notes)
    assert any("Allen" in n and "counted once" in n for n in precincts["IN"].notes)
    counties = {u.id for u in precincts["IN"].units if u.kind is UnitKind.COUNTY}
    assert len(counties) == 53


def test_bad_rows_are_located_and_nothing_is_read() -> None:
    text = HEADER + _row() + _row(st="XX") + _row(fips="01001") + _row(votes="2.5")
    with pytest.raises(ValidationError) as caught:
        read_medsl_precinct(io.StringIO(text), "president_2024.csv", ReadOptions())
    assert {(p.line, p.field) for p in caught.value.problems} == \
        {(3, "state_po"), (4, "county_fips"), (5, "votes")}


def test_year_must_be_known(tmp_path: Path) -> None:
    path = tmp_path / "precincts.csv"
    path.write_text(HEADER + _row(), encoding="utf-8")
    with pytest.raises(ValidationError, match="election year"):
        read_source(open_source(path), Format.MEDSL_PRECINCT)
    (only,) = read_source(open_source(path), Format.MEDSL_PRECINCT,
                          ReadOptions(election="2020-MO-president"))
    assert only.election.id == "2020-MO-president"


# The rows the reader documents as no one's votes or as totals (over/under/blank/void, total lines,
# ballots cast), as they are spelled in the file.
PSEUDO = {"UNDERVOTES", "UNDERVOTE", "UNDER VOTES", "OVERVOTES", "OVER VOTES", "BLANKS", "SPOILED",
          "INVALID VOTES", "TOTAL VOTES CAST", "CONTEST TOTAL", "CAST VOTES", "TOTAL BALLOTS CAST"}


@pytest.mark.slow
def test_every_state_sums_to_an_independent_count(shared: Path) -> None:
    """The file summed with the csv module per state and candidate: a unit's TOTAL row where it has
    one, else its vote-mode rows; the pseudo rows left out; negative counts (Michigan's
    statistical adjustments) counted; suppressed counts (``*``) adding nothing known, and counted
    as withheld. Michigan then gives the certified totals (Trump 2,816,636, Harris 2,736,533)."""
    totals: dict[tuple[str, ...], int] = {}
    modes: dict[tuple[str, ...], int] = {}
    withheld: Counter[tuple[str, str]] = Counter()
    with gzip.open(shared / FILE, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = " ".join(row["candidate"].replace('""', '"').split())
            if name.upper() in PSEUDO:
                continue
            if row["votes"].strip() == "*":
                withheld[row["state_po"], name] += 1
                continue
            if not row["votes"].lstrip("-").isdigit():
                continue
            key = (row["state_po"], row["county_fips"], row["county_name"], row["jurisdiction_name"],
                   row["precinct"], name)
            into = totals if row["mode"] in ("TOTAL", "", "NA") else modes
            into[key] = into.get(key, 0) + int(row["votes"])
    for key, votes in modes.items():
        totals.setdefault(key, votes)
    # A "COUNTY TOTAL" / "TOTAL" precinct is its county's own row: beside the county's precincts
    # (NJ Gloucester) it repeats them; alone (OR Harney) it is the county's figure.
    counties = Counter(k[:4] for k in totals if k[4].upper() not in ("TOTAL", "COUNTY TOTAL"))
    for key in [k for k in totals if k[4].upper() in ("TOTAL", "COUNTY TOTAL") and counties[k[:4]]]:
        del totals[key]
    expected: dict[str, Counter[str]] = {}
    for key, votes in totals.items():
        expected.setdefault(key[0], Counter())[key[-1]] += votes
    # the subtotal units and repeated modes the reader finds by shape (NJ, IN; see
    # test_new_jersey_and_indiana_are_never_inflated) are in the independent sum: take them out
    for st, returns in _precincts(shared / FILE).items():
        for left in returns.exclusions:
            if left.kind in ("total", "county_total", "mode_copy") and left.label not in PSEUDO \
                    and left.votes is not None and left.detail.startswith("shape"):
                if left.kind != "mode_copy" and "TOTAL row" not in left.detail:
                    continue  # a mode row of a total unit: its TOTAL row stands for it
                if left.unit and left.unit[-1][1].upper() in ("TOTAL", "COUNTY TOTAL"):
                    continue  # taken out of the sum above already
                expected[st][left.label] -= left.votes
    read = {}
    suppressed: Counter[tuple[str, str]] = Counter()
    for st, returns in _precincts(shared / FILE).items():
        state = roll_up(returns, UnitKind.STATE).total
        read[st] = Counter()
        for candidate in returns.candidates:
            read[st][candidate.name] += state.of(candidate.id)
            suppressed[st, candidate.name] += state.suppressed.get(candidate.id, 0)
    assert {st: +v for st, v in read.items()} == {st: +v for st, v in expected.items()}
    assert +suppressed == withheld
    assert (read["MI"]["DONALD J TRUMP"], read["MI"]["KAMALA D HARRIS"]) == (2_816_636, 2_736_533)
