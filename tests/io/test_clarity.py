"""Clarity detail.xml: the real samples in ../shared/standards/clarity, bad files, and a property
test over generated files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from electoral.errors import ValidationError
from electoral.io import Format, ReadOptions, detect_format, open_source, read_path
from electoral.io.clarity import read_clarity
from electoral.model import UnitKind, VoteType
from electoral.tabulate.rollup import roll_up

FOLDER = "standards/clarity"


def test_a_state_file_by_county(shared: Path) -> None:
    path = shared / FOLDER / "county_detail.xml"
    assert detect_format(open_source(path)) is Format.CLARITY
    (senate,) = read_path(path)
    assert senate.election.id == "2014-AR-u-s-senate"
    counties = roll_up(senate, UnitKind.COUNTY)
    assert len(counties.rows) == 75
    assert counties.row("05001").unit.name == "Arkansas County"
    # The four vote types' county figures add up to the vote types' own totals.
    assert roll_up(senate, UnitKind.STATE).total.of("tom-cotton") == \
        248_263 + 200_430 + 13_319 + 111
    assert {c.vote_type for c in senate.counts} == {
        VoteType.ELECTION_DAY, VoteType.EARLY, VoteType.ABSENTEE, VoteType.PROVISIONAL}
    # totalVotes says 477,734: the 15,611 votes placed in no county are accounted for.
    (unplaced,) = senate.exclusions
    assert (unplaced.line, unplaced.votes) == (166, 15_611)
    facts = {f.unit: f for f in senate.facts}
    assert (facts["05001"].ballots_cast, facts["05001"].registered) == (5137, 10196)


def test_a_county_file_by_precinct(shared: Path) -> None:
    path = shared / FOLDER / "precinct_detail.xml"
    with pytest.raises(ValidationError, match="--election"):
        read_path(path)
    (primary,) = read_path(path, options=ReadOptions(election="2014-KY-us-senator-republican"))
    assert primary.unit("21089").name == "Greenup County"
    precincts = roll_up(primary, UnitKind.PRECINCT)
    assert all(row.unit.parent == "21089" for row in precincts.rows)
    assert roll_up(primary, UnitKind.COUNTY).row("21089").votes == {
        "matt-bevin": 820, "brad-copas": 11, "mitch-mcconnell": 1135, "chris-payne": 48,
        "shawna-sterling": 46}
    reasons = {e.reason for e in primary.exclusions}
    assert reasons == {"undervotes: not a vote for any candidate",
                       "overvotes: not a vote for any candidate"}
    assert primary.facts[0].registered is None  # totalVoters="0" means unknown there


def _document(choices: list[list[int]], *, total_bias: int = 0, bad: str = "") -> str:
    """A state file with one contest, each choice's election-day votes in counties A, B, C."""
    parts = ['<?xml version="1.0"?>\n<ElectionResult>\n<ElectionName>Test</ElectionName>\n'
             "<ElectionDate>11/3/2020</ElectionDate>\n<Region>MO</Region>\n"
             '<Contest key="1" text="President">\n']
    for i, votes in enumerate(choices):
        parts.append(f'<Choice key="{i}" text="Candidate {i}" party="DEM" '
                     f'totalVotes="{sum(votes) + total_bias}">\n'
                     f'<VoteType name="Election Day" votes="{sum(votes)}">\n')
        for county, n in zip("ABC", votes, strict=False):
            parts.append(f'<County name="{county}" votes="{bad or n}" />\n')
        parts.append("</VoteType>\n</Choice>\n")
    parts.append("</Contest>\n</ElectionResult>\n")
    return "".join(parts)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.integers(0, 10**7), min_size=3, max_size=3), min_size=1,
                max_size=4))
def test_generated_files_read_back_their_votes(choices: list[list[int]]) -> None:
    (returns,) = read_clarity(io.StringIO(_document(choices)), "x.xml", ReadOptions())
    state = roll_up(returns, UnitKind.STATE).total
    assert [state.of(f"candidate-{i}") for i in range(len(choices))] == [sum(v) for v in choices]
    assert returns.exclusions == ()


def test_bad_files_name_line_and_field() -> None:
    with pytest.raises(ValidationError) as caught:
        read_clarity(io.StringIO(_document([[1, 2, 3]], bad="x")), "x.xml", ReadOptions())
    # line 7 is the choice, 8 its vote type, 9–11 the counties
    assert {(p.line, p.field) for p in caught.value.problems} == {(9, "votes"), (10, "votes"),
                                                                  (11, "votes")}
    with pytest.raises(ValidationError) as caught:
        read_clarity(io.StringIO(_document([[1, 2, 3]], total_bias=-1)), "x.xml", ReadOptions())
    assert [(p.line, p.field) for p in caught.value.problems] == [(7, "totalVotes")]
    with pytest.raises(ValidationError) as caught:
        read_clarity(io.StringIO("<ElectionResult>\n<Region>"), "x.xml", ReadOptions())
    assert caught.value.problems[0].line == 2
