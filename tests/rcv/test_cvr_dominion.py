"""Dominion JSON exports and Hart XML folders: real samples, round trips, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from electoral.errors import ValidationError
from electoral.rcv.cvr import CvrOptions, read_cvrs
from electoral.rcv.cvr.dominion import read_dominion
from electoral.rcv.cvr.hart import read_hart

RCTAB = "conformance/rctab"
# a ballot: (candidate id, rank) marks
BALLOTS = st.lists(st.lists(st.tuples(st.sampled_from([5, 6, 7]), st.integers(1, 3)),
                            max_size=4), min_size=1, max_size=12)


def _export(ballots: list[list[tuple[int, int]]]) -> dict[str, bytes]:
    def listing(items: list[dict]) -> bytes:
        return json.dumps({"Version": "5", "List": items}).encode()
    sessions = [{"TabulatorId": 3, "BatchId": 1 + b // 5, "RecordId": b, "Original": {
        "PrecinctPortionId": 1, "PrecinctId": 1, "IsCurrent": True, "Cards": [{"Contests": [{
            "Id": 2, "OutstackConditionIds": [], "Marks": [
                {"CandidateId": c, "Rank": r, "IsAmbiguous": False} for c, r in marks]}]}]}}
        for b, marks in enumerate(ballots)]
    return {
        "ContestManifest.json": listing([{"Id": 2, "Description": "Mayor", "NumOfRanks": 3}]),
        "CandidateManifest.json": listing([{"Id": c, "Description": f"C{c}", "ContestId": 2}
                                           for c in (5, 6, 7)]),
        "PrecinctManifest.json": listing([{"Id": 1, "Description": "Ward 1"}]),
        "PrecinctPortionManifest.json": listing([{"Id": 1, "Description": "Ward 1 a"}]),
        "CvrExport.json": json.dumps({"Sessions": sessions}).encode()}


@settings(max_examples=40, deadline=None)
@given(BALLOTS)
def test_dominion_round_trips(ballots: list[list[tuple[int, int]]]) -> None:
    records = read_dominion(_export(ballots), "export", CvrOptions(contest="2"))
    assert [r.marks for r in records] == [tuple((r, str(c)) for c, r in m) for m in ballots]
    assert [r.id for r in records] == [f"3-{1 + b // 5}-{b}" for b in range(len(ballots))]
    assert {r.precinct for r in records} == {"Ward 1"}


def test_dominion_unknown_candidate_and_rank_above_contest_ranks() -> None:
    files = _export([[(5, 1), (9, 2)], [(6, 4)]])
    with pytest.raises(ValidationError) as caught:
        read_dominion(files, "export", CvrOptions(contest="2"))
    found = {(p.code, p.line, p.field) for p in caught.value.problems}
    assert found == {("unknown-candidate", 1, "CandidateId"), ("rank-out-of-range", 2, "Rank")}
    assert {p.source for p in caught.value.problems} == {"export/CvrExport.json"}
    assert "ballot 3-1-0 marks candidate 9" in str(caught.value)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["ContestManifest.json", "CandidateManifest.json", "CvrExport.json",
                        "PrecinctManifest.json"]),
       st.binary(max_size=80) | st.sampled_from([b"[]", b"{}", b'{"List": [1]}',
                                                 b'{"Sessions": [{}]}', b'{"List": {}}']))
def test_dominion_garbage_in_any_file_is_a_validation_error(name: str, data: bytes) -> None:
    files = _export([[(5, 1)]])
    files[name] = data
    with pytest.raises(ValidationError) as caught:
        read_dominion(files, "export", CvrOptions(contest="2"))
    assert all(p.source.startswith("export") for p in caught.value.problems)


def test_dominion_real_exports(shared: Path) -> None:
    folder = shared / RCTAB / "dominion_multi_file" / "dominion_multi_file_input_data"
    records = read_cvrs(folder, "dominion", {"contestId": "13", "undeclaredWriteInLabel": "122"})
    assert len(records) == 25 and records[0].id == "27-892-56"
    alaska = shared / RCTAB / "2024_alaska_dominion"
    records = read_cvrs(alaska / "partial_cvr", "dominion", {"contestId": "7"})
    # RCTab's own CVR listing for this export: one row per ballot, same order and ids
    listing = (alaska / "2024_alaska_dominion_expected_rctab_cvr.csv").read_text().splitlines()
    assert [r.id for r in records] == ["-".join(line.split(",")[3:6]) for line in listing[1:]]


def _hart_ballot(guid: str, marks: list[tuple[int, int]]) -> bytes:
    options = "".join(
        f"<Option><Name>C{c}</Name><Id>id-{c}</Id><Value>"
        f"{''.join('1' if (c, r) in marks else '0' for r in range(1, 4))}</Value></Option>"
        for c in sorted({c for c, _ in marks}))
    return (f"<Cvr xmlns='http://tempuri.org/CVRDesign.xsd'><Contests><Contest><Name>Mayor</Name>"
            f"<Id>k</Id><Options>{options}</Options></Contest></Contests><BatchNumber>4"
            f"</BatchNumber><PrecinctSplit><Name>P-1</Name><Id>x</Id></PrecinctSplit>"
            f"<CvrGuid>{guid}</CvrGuid></Cvr>").encode()


@settings(max_examples=40, deadline=None)
@given(BALLOTS)
def test_hart_round_trips(ballots: list[list[tuple[int, int]]]) -> None:
    files = {f"{b:03}.xml": _hart_ballot(f"g{b}", m) for b, m in enumerate(ballots)}
    files["000.xml.sig.xml"] = b"not a ballot"
    records = read_hart(files, "hart", CvrOptions(contest="k"))
    assert [sorted(r.marks) for r in records] == [
        sorted({(r, f"id-{c}") for c, r in m}) for m in ballots]
    assert [(r.id, r.batch, r.precinct) for r in records] == [
        (f"g{b}", "4", "P-1") for b in range(len(ballots))]


def test_hart_bad_xml_and_rank_above_maximum_are_located() -> None:
    files = {"a.xml": _hart_ballot("g", [(5, 3)]), "b.xml": b"<Cvr><oops></Cvr>",
             "c.xml": b'<?xml version="1.0" encoding="ut"?><Cvr/>'}
    with pytest.raises(ValidationError) as caught:
        read_hart(files, "hart", CvrOptions(contest="k", max_rankings=2))
    found = {(p.code, p.source, p.line, p.field) for p in caught.value.problems}
    assert found == {("rank-out-of-range", "hart/a.xml", None, "Value"),
                     ("malformed-file", "hart/b.xml", 1, None),
                     ("malformed-file", "hart/c.xml", None, None)}


def test_hart_real_archive(shared: Path) -> None:
    folder = shared / RCTAB / "_shared" / "hart_cvr_archive"
    records = read_cvrs(folder, "hart", {"contestId": "b651b997-417a-46d9-a676-a43d4df94ddc"})
    assert len(records) == 9 and all(r.precinct for r in records)
    assert any(r.marks for r in records)


def test_dominion_adjudicated_excluded_and_ambiguous_marks_as_rctab_reads_them() -> None:
    files = _export([[(5, 1), (6, 2)], [(6, 1)], [(7, 1)], [(5, 1)]])
    export = json.loads(files["CvrExport.json"])
    sessions = export["Sessions"]
    sessions[0]["Original"]["Cards"][0]["Contests"][0]["Marks"][1]["IsAmbiguous"] = True
    sessions[1]["Original"]["IsCurrent"] = False  # adjudicated: the Modified version counts
    sessions[1]["Modified"] = json.loads(json.dumps(sessions[1]["Original"]))
    sessions[1]["Modified"]["Cards"][0]["Contests"][0]["Marks"][0]["CandidateId"] = 7
    sessions[2]["Original"]["IsCurrent"] = False  # no current version: not read
    sessions[3]["Original"]["Cards"][0]["Contests"][0]["OutstackConditionIds"] = [7]
    files["CvrExport.json"] = json.dumps(export).encode()
    records = read_dominion(files, "export", CvrOptions(contest="2"))
    assert [(r.id, r.marks) for r in records] == [("3-1-0", ((1, "5"),)), ("3-1-1", ((1, "7"),))]
