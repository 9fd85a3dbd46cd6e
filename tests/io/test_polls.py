"""538's poll files: the real files read whole; each kind of bad row refused with its location."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import pytest

from electoral.errors import ValidationError
from electoral.io.polls import read_president_polls, read_raw_polls
from electoral.model import Population
from tests.conftest import SHARED

POLLS = SHARED / "data" / "polls"
PRESIDENT = POLLS / "538_president_polls_2020_state_general_biden_trump_asof_2020-10-21.csv"
RAW = POLLS / "538_raw_polls_2023_presidential_general_2000-2020.csv"

HEADER_2020 = ("question_id,poll_id,cycle,state,pollster_id,pollster,sponsor_ids,sponsors,display_name,"
               "pollster_rating_id,pollster_rating_name,fte_grade,sample_size,population,population_full,"
               "methodology,office_type,seat_number,seat_name,start_date,end_date,election_date,"
               "sponsor_candidate,internal,partisan,tracking,nationwide_batch,ranked_choice_reallocated,"
               "created_at,notes,url,stage,race_id,answer,candidate_id,candidate_name,candidate_party,pct")


def row_2020(question: str = "1", poll: str = "10", state: str = "Iowa", start: str = "9/18/20",
             end: str = "9/22/20", name: str = "Joseph R. Biden Jr.", party: str = "DEM",
             pct: str = "46.0", population: str = "lv", notes: str = "") -> str:
    return (f"{question},{poll},2020,{state},320,Monmouth University,,,Monmouth University,215,"
            f"Monmouth University,A+,402,{population},{population},Live Phone,U.S. President,0,,{start},"
            f"{end},11/3/20,,false,,,false,false,9/24/20 11:02,{notes},https://x,general,6223,"
            f"{name.split()[0]},1,{name},{party},{pct}")


def read_2020(*rows: str) -> list[object]:
    return list(read_president_polls(io.StringIO("\n".join((HEADER_2020, *rows)) + "\n"), "p.csv"))


def problems_2020(*rows: str) -> list[tuple[str, int | None, str | None]]:
    with pytest.raises(ValidationError) as caught:
        read_2020(*rows)
    return [(p.code, p.line, p.field) for p in caught.value.problems]


def test_the_2020_file_has_the_polls_and_questions_its_readme_counts() -> None:
    with PRESIDENT.open(encoding="utf-8") as f:
        polls = read_president_polls(f, PRESIDENT.name)
    assert len(polls) == 1960
    assert sum(len(p.questions) for p in polls) == 2704
    assert len({p.geography for p in polls}) == 55


def test_polls_per_state_equal_the_distinct_poll_ids_of_the_raw_rows() -> None:
    with PRESIDENT.open(encoding="utf-8") as f:
        polls = read_president_polls(f, PRESIDENT.name)
    with PRESIDENT.open(encoding="utf-8") as f:
        ids: dict[str, set[str]] = {}
        for record in csv.DictReader(f):
            ids.setdefault(record["state"], set()).add(record["poll_id"])
    per_geography = Counter(p.geography for p in polls)
    assert per_geography["PA"] == len(ids["Pennsylvania"]) == 124
    assert per_geography["ME-02"] == len(ids["Maine CD-2"]) == 12
    assert per_geography["NE-01"] == 1
    assert sorted(per_geography.values()) == sorted(len(v) for v in ids.values())


def test_a_row_becomes_a_poll_with_its_fields() -> None:
    [poll] = read_2020(row_2020(), row_2020(name="Donald Trump", party="REP", pct="49.0"))
    assert poll.geography == "IA" and poll.start == dt.date(2020, 9, 18)  # type: ignore[attr-defined]
    assert poll.pollster.grade == "A+" and poll.pollster.numeric_grade is None  # type: ignore[attr-defined]
    [question] = poll.questions  # type: ignore[attr-defined]
    assert question.population is Population.LV and question.sample_size == 402
    assert question.share("democratic") == Decimal("46.0") and question.share("republican") == Decimal("49.0")


def test_the_numeric_grade_schema_reads_its_grade_and_party_column() -> None:
    header = HEADER_2020.replace("fte_grade", "numeric_grade").replace("candidate_party", "party")
    text = "\n".join((header, row_2020().replace(",A+,", ",2.9,"))) + "\n"
    [poll] = read_president_polls(io.StringIO(text), "new.csv")
    assert poll.pollster.numeric_grade == Decimal("2.9") and poll.pollster.grade is None
    assert poll.questions[0].answers[0].party is not None
    assert poll.questions[0].answers[0].party.id == "democratic"


def test_an_impossible_year_is_a_located_bad_date() -> None:
    assert problems_2020(row_2020(end="10/12/20220")) == [("bad-date", 2, "end_date")]


def test_a_poll_ending_before_it_starts_is_refused() -> None:
    assert problems_2020(row_2020(start="9/22/20", end="9/18/20")) == [("date-order", 2, "end_date")]


def test_a_missing_share_is_refused_not_zero() -> None:
    found = problems_2020(row_2020(), row_2020(name="Donald Trump", party="REP", pct=""))
    assert found == [("missing-share", 3, "pct")]


def test_shares_above_100_are_refused() -> None:
    found = problems_2020(row_2020(pct="52.0"), row_2020(name="Donald Trump", party="REP", pct="49.0"))
    assert found == [("shares-over-100", 2, "pct")]


def test_shares_at_100_within_rounding_are_kept() -> None:
    # 50.5 and 49.6 are each within 0.05 of figures adding to 100 (e.g. 50.46 + 49.54).
    assert read_2020(row_2020(pct="50.5"), row_2020(name="Donald Trump", party="REP", pct="49.6"))


def test_a_candidate_twice_in_one_question_is_a_duplicate_question() -> None:
    found = problems_2020(row_2020(), row_2020())
    assert found == [("duplicate-question", 3, "candidate_name")]


def test_a_question_repeated_under_a_new_id_is_a_duplicate_question() -> None:
    found = problems_2020(row_2020(), row_2020(question="2"))
    assert found == [("duplicate-question", 3, "question_id")]


def test_versions_of_a_poll_told_apart_by_their_notes_are_kept() -> None:
    [poll] = read_2020(row_2020(notes="higher turnout"), row_2020(question="2", notes="lower turnout"))
    assert len(poll.questions) == 2  # type: ignore[attr-defined]


def test_a_question_under_two_polls_is_refused() -> None:
    found = problems_2020(row_2020(), row_2020(poll="11", name="Donald Trump", party="REP", pct="49"))
    assert found == [("question-conflict", 3, "poll_id")]


def test_a_renamed_column_is_named() -> None:
    header = HEADER_2020.replace(",pct", ",percent")
    with pytest.raises(ValidationError) as caught:
        read_president_polls(io.StringIO(header + "\n" + row_2020() + "\n"), "p.csv")
    assert [(p.code, p.source, p.line, p.field) for p in caught.value.problems] == [
        ("missing-column", "p.csv", 1, "pct")]


def test_a_row_with_too_many_or_too_few_fields_is_refused() -> None:
    found = problems_2020(row_2020() + ",extra", row_2020(name="Donald Trump").rsplit(",", 2)[0])
    assert found == [("ragged-row", 2, None), ("ragged-row", 3, None)]


def test_a_file_with_neither_grade_column_is_refused() -> None:
    header = HEADER_2020.replace("fte_grade", "grade")
    with pytest.raises(ValidationError) as caught:
        read_president_polls(io.StringIO(header + "\n"), "p.csv")
    assert [p.field for p in caught.value.problems] == ["fte_grade or numeric_grade"]


def test_an_unknown_state_and_population_are_refused() -> None:
    found = problems_2020(row_2020(state="Atlantis", population="xx"))
    assert sorted(found) == [("unknown-geography", 2, "state"), ("unknown-population", 2, "population")]


def test_raw_polls_read_whole_and_by_year() -> None:
    with RAW.open(encoding="utf-8") as f:
        outcomes = read_raw_polls(f, RAW.name)
    assert Counter(o.year for o in outcomes) == {2000: 391, 2004: 458, 2008: 566, 2012: 484,
                                                  2016: 511, 2020: 594}
    assert {o.poll.geography for o in outcomes} >= {"US", "ME-02", "NE-02", "DC"}


RAW_HEADER = ("poll_id,question_id,race_id,year,race,location,type_simple,type_detail,pollster,"
              "pollster_rating_id,methodology,partisan,polldate,samplesize,cand1_name,cand1_id,"
              "cand1_party,cand1_pct,cand2_name,cand2_id,cand2_party,cand2_pct,cand3_pct,margin_poll,"
              "electiondate,cand1_actual,cand2_actual,margin_actual,error,bias,rightcall,"
              "advancedplusminus,comment")


def raw_row(margin: str = "6.6999998", error: str = "3.28", bias: str = "3.28") -> str:
    return (f"1,2,3,2016,2016_Pres-G_PA,PA,Pres-G,Pres-G,X Poll,9,Online,D,10/17/2016,712.5,"
            f"Hillary Clinton,1,DEM,52.6,Donald Trump,2,REP,45.9,.4,{margin},11/8/2016,47.46,44.04,"
            f"3.42,{error},{bias},1,0,")


def test_a_raw_row_keeps_its_margins_and_half_sample() -> None:
    [o] = read_raw_polls(io.StringIO(RAW_HEADER + "\n" + raw_row() + "\n"), "raw.csv")
    assert o.margin_poll == Decimal("6.70") and o.error == Decimal("3.28")
    assert o.poll.questions[0].sample_size == Decimal("712.5") and o.poll.partisan == "DEM"


@pytest.mark.parametrize(("row", "field"), [
    (raw_row(error="3.29"), "error"), (raw_row(bias="-3.28"), "bias"),
    (raw_row(margin="6.5"), "margin_poll")])
def test_a_raw_row_whose_identity_fails_is_located(row: str, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        read_raw_polls(io.StringIO(RAW_HEADER + "\n" + row + "\n"), "raw.csv")
    assert (field, 2, "identity") in [(p.field, p.line, p.code) for p in caught.value.problems]
