"""NIST SP 1500-103 CDF cast vote records, JSON and XML: real samples, round trips, bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from electoral.errors import ValidationError
from electoral.rcv.cvr import UNDECLARED_WRITE_IN, CvrOptions, read_cvrs
from electoral.rcv.cvr.cdf import read_cdf_json, read_cdf_xml

RCTAB = "conformance/rctab"
CANDIDATES = ["Ann", "Bo", "Cy <&> Dee"]
# a ballot: for each marked selection, (candidate index or -1 for the write-in, rank)
BALLOTS = st.lists(st.lists(st.tuples(st.integers(-1, len(CANDIDATES) - 1), st.integers(1, 6)),
                            max_size=5), min_size=1, max_size=15)


def _json_report(ballots: list[list[tuple[int, int]]]) -> dict:
    selections = [{"@id": f"cs-{i}", "CandidateIds": [f"c-{i}"]} for i in range(len(CANDIDATES))]
    selections.append({"@id": "cs-w", "IsWriteIn": True})
    def contest(marks: list[tuple[int, int]]) -> dict:
        return {"ContestId": "k", "CVRContestSelection": [
            {"ContestSelectionId": f"cs-{'w' if c < 0 else c}",
             "SelectionPosition": [{"HasIndication": "yes", "Rank": r}]} for c, r in marks]}
    cvrs = [{"CurrentSnapshotId": f"s{b}", "BallotStyleUnitId": "p1", "BatchSequenceId": "9",
             "CVRSnapshot": [{"@id": f"s{b}", "CVRContest": [contest(marks)]}]}
            for b, marks in enumerate(ballots)]
    return {"GpUnit": [{"@id": "p1", "Name": "Precinct 1"}], "CVR": cvrs,
            "Election": [{"Candidate": [{"@id": f"c-{i}", "Name": n} for i, n in
                                        enumerate(CANDIDATES)],
                          "Contest": [{"@id": "k", "Name": "Mayor",
                                       "ContestSelection": selections}]}]}


def _expected(ballots: list[list[tuple[int, int]]]) -> list[tuple[tuple[int, str], ...]]:
    return [tuple((r, UNDECLARED_WRITE_IN if c < 0 else CANDIDATES[c]) for c, r in marks)
            for marks in ballots]


def _xml_report(ballots: list[list[tuple[int, int]]]) -> bytes:
    def selection(c: int, r: int) -> str:
        ident = "w" if c < 0 else c
        return (f"<CVRContestSelection><ContestSelectionId>cs-{ident}</ContestSelectionId>"
                f"<SelectionPosition><HasIndication>yes</HasIndication><IsAllocable>yes"
                f"</IsAllocable><Rank>{r}</Rank></SelectionPosition></CVRContestSelection>")
    cvrs = "".join(f"<CVR><BallotStyleUnitId>p1</BallotStyleUnitId><CurrentSnapshotId>s{b}"
                   f"</CurrentSnapshotId><CVRSnapshot ObjectId='s{b}'><CVRContest><ContestId>k"
                   f"</ContestId>{''.join(selection(c, r) for c, r in marks)}</CVRContest>"
                   "</CVRSnapshot></CVR>" for b, marks in enumerate(ballots))
    people = "".join(f"<Candidate ObjectId='c-{i}'><Name>{escape(n)}</Name></Candidate>"
                     for i, n in enumerate(CANDIDATES))
    choices = "".join(f"<ContestSelection ObjectId='cs-{i}'><CandidateIds>c-{i}</CandidateIds>"
                      "</ContestSelection>" for i in range(len(CANDIDATES)))
    choices += "<ContestSelection ObjectId='cs-w'><IsWriteIn>true</IsWriteIn></ContestSelection>"
    return (f"<CastVoteRecordReport xmlns='http://itl.nist.gov/ns/voting/1500-103/v1'>{cvrs}"
            f"<Election>{people}<Contest ObjectId='k'><Name>Mayor</Name>{choices}</Contest>"
            "</Election><GpUnit ObjectId='p1'><Name>Precinct 1</Name></GpUnit>"
            "</CastVoteRecordReport>").encode()


@settings(max_examples=40, deadline=None)
@given(BALLOTS)
def test_json_round_trips_to_the_marks_written(ballots: list[list[tuple[int, int]]]) -> None:
    data = json.dumps(_json_report(ballots)).encode()
    records = read_cdf_json(io.BytesIO(data), "gen.json", CvrOptions(contest="Mayor"))
    assert [r.marks for r in records] == _expected(ballots)
    assert {(r.precinct, r.batch, r.contest) for r in records} == {("Precinct 1", "9", "Mayor")}
    assert [r.id for r in records] == [f"gen.json({i})" for i in range(1, len(ballots) + 1)]


@settings(max_examples=40, deadline=None)
@given(BALLOTS)
def test_xml_round_trips_to_the_marks_written(ballots: list[list[tuple[int, int]]]) -> None:
    records = read_cdf_xml(io.BytesIO(_xml_report(ballots)), "gen.xml",
                           CvrOptions(contest="Mayor"))
    assert [r.marks for r in records] == _expected(ballots)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=300),
                 st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                              lambda kids: st.lists(kids, max_size=3)
                              | st.dictionaries(st.sampled_from(
                                  ["CVR", "Election", "GpUnit", "Contest", "Name", "CVRSnapshot",
                                   "CurrentSnapshotId", "@id", "Candidate"]), kids, max_size=4),
                              max_leaves=20).map(lambda v: json.dumps(v).encode())))
def test_json_garbage_is_a_located_validation_error(data: bytes) -> None:
    try:
        read_cdf_json(io.BytesIO(data), "junk.json", CvrOptions(contest="Mayor"))
    except ValidationError as exc:
        assert exc.problems and all(p.source == "junk.json" for p in exc.problems)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=200).map(lambda t: f"<a>{t}</a>".encode())
       | st.sampled_from([b'<?xml version="1.0" encoding="qTF-8"?><a/>']))
def test_xml_garbage_is_a_located_validation_error(data: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        read_cdf_xml(io.BytesIO(data), "junk.xml", CvrOptions(contest="Mayor"))
    assert all(p.source == "junk.xml" for p in caught.value.problems)


def test_unknown_selection_and_bad_rank_name_ballot_and_field() -> None:
    report = _json_report([[(0, 1)], [(1, 1)]])
    report["CVR"][1]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0].update(
        ContestSelectionId="cs-ghost")
    report["CVR"][0]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0][
        "SelectionPosition"][0]["Rank"] = "first"
    with pytest.raises(ValidationError) as caught:
        read_cdf_json(io.BytesIO(json.dumps(report).encode()), "bad.json",
                      CvrOptions(contest="Mayor"))
    found = {(p.code, p.line, p.field) for p in caught.value.problems}
    assert found == {("bad-rank", 1, "Rank"), ("unknown-candidate", 2, "ContestSelectionId")}
    with pytest.raises(ValidationError, match="no contest 'Council'"):
        read_cdf_json(io.BytesIO(json.dumps(report).encode()), "bad.json",
                      CvrOptions(contest="Council"))


def test_rctab_nist_samples(shared: Path) -> None:
    case = shared / RCTAB / "test_set_1_exhaust_at_overvote"
    source = json.loads((case / "test_set_1_exhaust_at_overvote_config.json").read_text())
    records = read_cvrs(case / source["cvrFileSources"][0]["filePath"], "cdf",
                        source["cvrFileSources"][0])
    assert len(records) == 15
    assert records[0].marks == ((1, "Candidate A Name"), (1, "Candidate B Name"),
                                (3, "Candidate C Name"), (4, "Candidate D Name"))
    unisyn = shared / RCTAB / "unisyn_cvrs" / "101-RCV-CVT_TEST_3_UNIOVS2103-2.xml"
    mayor = read_cvrs(unisyn, "cdf", {"contestId": "For City C Mayor (1/3)"})
    assert len(mayor) == 35 and mayor[0].precinct == "Precinct 1"
    assert mayor[0].marks == ((1, "Karen Petersen"), (2, "Jon Miller"), (3, "Jerry Meyer"))


def test_nist_examples(shared: Path) -> None:
    nist = shared / "standards" / "nist-1500-103"
    records = read_cvrs(nist / "examples" / "rcv_cvr_example.json", "cdf", {"contestId": "Mayor"})
    assert [r.marks for r in records] == [
        ((1, "Ada Example"), (2, "Ben Sample"), (3, "Cy Placeholder")),
        ((1, "Ben Sample"), (2, "Ada Example")), ((1, "Cy Placeholder"), (2, "Ben Sample"))]
    assert {r.precinct for r in records} == {"Precinct 1"}
    # the official example is a plurality contest: its marks carry no rank, so it is refused
    with pytest.raises(ValidationError) as caught:
        read_cvrs(nist / "example_1.xml", "cdf", {})
    assert {(p.code, p.field) for p in caught.value.problems} == {("missing-rank", "Rank")}
    assert [p.line for p in caught.value.problems] == [1, 2, 3, 5, 6]
