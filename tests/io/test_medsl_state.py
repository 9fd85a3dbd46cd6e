"""MEDSL state presidential files (both layouts), read from the real files in ../shared."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest

from electoral.errors import NotFoundError, ValidationError
from electoral.io import Format, ReadOptions, detect_format, open_source, read_path, read_source
from electoral.io.exclusions import by_reason
from electoral.io.medsl import read_medsl_state
from electoral.io.stage import validate
from electoral.model import Returns, VoteType
from electoral.store import Store

OLD = "data/state_presidential/1976-2020-president.csv"
NEW = "data/state_presidential/2024-president-state.csv"
HEADER_2024 = ("year,state,state_po,state_fips,state_ic,office,candidate,party_detailed,"
               "party_simplified,writein,mode,votes,totalvotes,stage,special,unofficial,version\n")


def _one(all_returns: list[Returns], election_id: str) -> Returns:
    return next(r for r in all_returns if r.election.id == election_id)


def _national(all_returns: list[Returns]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for returns in all_returns:
        for count in returns.counts:
            totals[count.candidate] += count.votes
    return totals


def test_both_layouts_are_detected(shared: Path) -> None:
    for name in (OLD, NEW):
        assert detect_format(open_source(shared / name)) is Format.MEDSL_STATE


def test_2024_national_sums_match_the_certified_totals(shared: Path) -> None:
    # Certified totals quoted in the folder README (Trump 77,302,580; Harris 75,017,613).
    all_returns = read_path(shared / NEW)
    assert len(all_returns) == 51
    national = _national(all_returns)
    assert national["trump-donald-j"] == 77_302_580
    assert national["harris-kamala-d"] == 75_017_613
    for returns in all_returns:
        validate(returns)
        assert returns.election.id == f"2024-{returns.election.state}-president"
        (state,) = returns.units
        assert state.id == returns.election.state and state.fips is not None
        assert len(state.fips) == 2


def test_2004_national_sums_and_missouri(shared: Path) -> None:
    all_returns = read_path(shared / OLD)
    assert len(all_returns) == 12 * 51
    in_2004 = [r for r in all_returns if r.election.year == 2004]
    national = _national(in_2004)
    # The README's 2004 figures from this file: Bush 62,028,285 and Kerry 59,028,079.
    assert national["bush-george-w"] == 62_028_285
    assert national["kerry-john"] == 59_028_079
    missouri = _one(all_returns, "2004-MO-president")
    assert missouri.units[0].fips == "29"
    votes = {c.candidate: c.votes for c in missouri.counts}
    assert votes["bush-george-w"] == 1_455_713 and votes["kerry-john"] == 1_259_171
    assert missouri.candidate("kerry-john").party == "democratic"
    assert {p.name for p in missouri.parties} >= {"Democratic", "Republican", "Libertarian"}
    assert missouri.election.date is not None and missouri.election.date.isoformat() == "2004-11-02"


def test_fusion_lines_are_one_candidate(shared: Path) -> None:
    new_york = _one(read_path(shared / OLD), "2000-NY-president")
    gore = new_york.candidate("gore-al")
    assert gore.party == "democratic"
    lines = new_york.fusion["gore-al"]
    assert set(lines) == {"democratic", "working-families", "liberal-party"}
    (count,) = [c for c in new_york.counts if c.candidate == "gore-al"]
    assert count.votes == sum(lines.values())


def test_pseudo_rows_are_excluded_with_reasons_and_groups_are_aggregates(shared: Path) -> None:
    all_returns = read_path(shared / OLD)
    new_york = _one(all_returns, "2000-NY-president")
    (excluded,) = new_york.exclusions
    assert excluded.label == "BLANK VOTE/SCATTERING" and excluded.votes == 138_216
    iowa = _one(all_returns, "2004-IA-president")
    others = [c for c in iowa.candidates if c.aggregate]
    assert {c.id for c in others} == {"other", "other-write-in"}
    # Every row lands in a count or an exclusion: counts + exclusions = the file's total.
    for returns in all_returns:
        counted = sum(c.votes for c in returns.counts)
        excluded_votes = sum(e.votes or 0 for e in returns.exclusions)
        assert counted + excluded_votes == returns.reported_total, returns.election.id
    reasons = {reason for reason, _rows, _votes in by_reason(all_returns)}
    assert "undervotes: not a vote for any candidate" in reasons


def test_2024_unofficial_and_undervotes(shared: Path) -> None:
    all_returns = read_path(shared / NEW)
    assert _one(all_returns, "2024-KY-president").unofficial is True
    assert _one(all_returns, "2024-MO-president").unofficial is False
    hawaii = _one(all_returns, "2024-HI-president")
    labels = {e.label for e in hawaii.exclusions}
    assert labels == {"UNDERVOTES", "OVERVOTES"}
    assert all(c.vote_type is VoteType.TOTAL for r in all_returns for c in r.counts)


def test_one_election_can_be_chosen(shared: Path) -> None:
    (only,) = read_path(shared / OLD, options=ReadOptions(election="2004-CT-president"))
    assert only.election.id == "2004-CT-president"
    with pytest.raises(NotFoundError):
        read_path(shared / NEW, options=ReadOptions(election="2004-CT-president"))


def _row(po: str = "MO", votes: str = "10", total: str = "10", candidate: str = "DOE, JANE") -> str:
    return (f'2024,"MISSOURI","{po}","29","34","US PRESIDENT","{candidate}","DEMOCRAT","DEMOCRAT",'
            f'FALSE,"TOTAL",{votes},{total},"GEN",FALSE,FALSE,2025-11-20\n')


def test_bad_rows_are_located_by_line_and_field() -> None:
    text = HEADER_2024 + _row() + _row(votes="ten") + _row(po="XX") + _row(votes="-3") \
        + _row(candidate="ROE, RICHARD", total="12")
    with pytest.raises(ValidationError) as caught:
        read_medsl_state(io.StringIO(text), "bad.csv", ReadOptions())
    found = {(p.line, p.field, p.code) for p in caught.value.problems}
    assert found == {(3, "votes", "bad-votes"), (4, "state_po", "unknown-state"),
                     (5, "votes", "bad-votes"), (6, "totalvotes", "inconsistent-total")}


def test_missing_column_and_ragged_rows() -> None:
    with pytest.raises(ValidationError) as caught:
        read_medsl_state(io.StringIO("year,state_po\n2024,MO\n"), "x.csv", ReadOptions())
    assert {p.field for p in caught.value.problems} >= {"candidate", "totalvotes"}
    with pytest.raises(ValidationError) as caught:
        read_medsl_state(io.StringIO(HEADER_2024 + "2024,MO\n"), "x.csv", ReadOptions())
    assert caught.value.problems[0].line == 2


def test_multiline_names_keep_their_starting_line() -> None:
    text = HEADER_2024 + _row(candidate="PETER\nSONSKI", votes="3", total="13") \
        + _row(votes="ten", total="13")
    with pytest.raises(ValidationError) as caught:
        read_medsl_state(io.StringIO(text), "x.csv", ReadOptions())
    assert [p.line for p in caught.value.problems] == [4]


def test_a_bad_file_leaves_the_store_unchanged(shared: Path, db: Path, tmp_path: Path) -> None:
    good = read_path(shared / NEW, options=ReadOptions(election="2024-MO-president"))
    with Store(db) as store:
        store.save(*good, source="2024-president-state.csv", sha256="x", format="medsl-state")
        before = store.load("2024-MO-president")
        bad = tmp_path / "bad.csv"
        bad.write_text(HEADER_2024 + _row(votes="1") + _row(votes="x"), encoding="utf-8")
        with pytest.raises(ValidationError) as caught:
            read_source(open_source(bad))
        assert caught.value.problems[0].source == "bad.csv"
        assert store.load("2024-MO-president") == before
