"""RCTab's ``*_cdf_cvr.json``: every cast vote record as a NIST SP 1500-103 CastVoteRecordReport,
with one snapshot as cast and one per round showing where the ballot's vote went (its candidate,
or the winners keeping a share of it, and with what value). Written when a config asks for it
(``generateCdfJson``), equal to RCTab's as parsed apart from ``GeneratedDate``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from electoral.rcv.javarandom import hash_order, java_sort_key
from electoral.rcv.names import OVERVOTE, sanitize
from electoral.rcv.rounds import RcvTabulation, Snapshot
from electoral.rcv.rules import Ballots

ONE = Decimal(1)


def cdf_json(tab: RcvTabulation, ballots: Ballots, ids: Sequence[str],
             precincts: Sequence[str | None] | None, contest: str,
             jurisdiction: str | None, overvote_label: bool) -> dict[str, Any]:
    """The report for the ballots counted in ``tab`` (counted with ``audit`` on). ``ids`` and
    ``precincts`` are per cast vote record, in file order (precincts only when tabulating by
    precinct); ``overvote_label`` says whether a source names an overvote label."""
    gpus = {p: f"gpu-{n}" for n, p in enumerate(hash_order(p for p in precincts or () if p), 1)}
    records = []
    for index, record_id in enumerate(ids):
        row = ballots.record_rows[index]
        record = _cvr(sanitize(record_id), _marks(ballots, row), tab.snapshots[row],
                      len(tab.rounds))
        if precincts is not None:
            record["BallotStyleUnitId"] = gpus.get(precincts[index] or "")
        records.append(record)
    units = [{"@id": "gpu-election", "Type": "other", "OtherType": "Election Scope Jurisdiction",
              "Name": jurisdiction, "@type": "GpUnit"}]
    units += [{"@id": gpus[p], "Type": "precinct", "Name": p, "@type": "GpUnit"}
              for p in hash_order(gpus)]
    return {"CVR": records, "Election": [_election(tab, contest, overvote_label)],
            "GeneratedDate": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "GpUnit": units, "ReportGeneratingDeviceIds": ["rd-001"],
            "ReportingDevice": [{"@id": "rd-001", "@type": "CVR.ReportingDevice",
                                 "Application": "RCTab", "Manufacturer": "Bright Spots"}],
            "Version": "1.0.0", "@type": "CVR.CastVoteRecordReport"}


def _marks(ballots: Ballots, row: int) -> list[tuple[str, list[int]]]:
    """Each label on the ballot with its ranks, ordered by first rank, then by label."""
    ranks: dict[str, list[int]] = {}
    for rank, marks in ballots.ranks[row]:
        for mark in marks:
            ranks.setdefault(ballots.labels.text[mark], []).append(rank)
    return sorted(ranks.items(), key=lambda kv: (min(kv[1]), java_sort_key(kv[0])))


def _cvr(record_id: str, marks: list[tuple[str, list[int]]], snapshots: Sequence[Snapshot],
         rounds: int) -> dict[str, Any]:
    by_round = dict(snapshots)
    shots = [_snapshot(record_id, None, marks, None)]
    held: tuple[tuple[str, Decimal], ...] | None = None
    for number in range(1, rounds + 1):
        held = by_round.get(number, held)
        shots.append(_snapshot(record_id, number, marks, held))
    return {"BallotPrePrintedId": record_id, "CurrentSnapshotId": _snapshot_id(record_id, rounds),
            "CVRSnapshot": shots, "ElectionId": "election-001", "@type": "CVR"}


def _snapshot_id(record_id: str, number: int | None) -> str:
    return f"ballot-{record_id}-round-{number}" if number else f"ballot-{record_id}"


def _snapshot(record_id: str, number: int | None, marks: list[tuple[str, list[int]]],
              held: tuple[tuple[str, Decimal], ...] | None) -> dict[str, Any]:
    selections = []
    for label, ranks in marks:
        allocable, votes = "unknown", ONE
        if held is not None:
            allocable = "no"
            for name, value in held:
                if name == label:
                    allocable, votes = "yes", value
                    break
        fraction = None
        if not (votes == ONE and votes.as_tuple().exponent == 0):  # BigDecimal.equals(ONE)
            remainder = votes % ONE
            if remainder > 0:
                fraction = str(remainder)[1:]
        positions = []
        for rank in ranks:
            position: dict[str, Any] = {"HasIndication": "yes", "IsAllocable": allocable,
                                        "NumberVotes": int(votes), "Rank": rank,
                                        "@type": "CVR.SelectionPosition"}
            if fraction is not None:
                position["FractionalVotes"] = fraction
            positions.append(position)
            if allocable == "yes":
                allocable = "no"
        selections.append({"ContestSelectionId": _selection_id(label),
                           "SelectionPosition": positions, "@type": "CVR.CVRContestSelection"})
    contest = {"ContestId": "contest-001", "CVRContestSelection": selections,
               "@type": "CVR.CVRContest"}
    return {"@id": _snapshot_id(record_id, number), "CVRContest": [contest],
            "Type": "interpreted" if number else "original", "@type": "CVR.CVRSnapshot"}


def _selection_id(name: str) -> str:
    return f"cs-{sanitize(name).lower()}"


def _election(tab: RcvTabulation, contest: str, overvote_label: bool) -> dict[str, Any]:
    names = sorted([*tab.rules.names, *([OVERVOTE] if overvote_label else [])],
                   key=java_sort_key)
    return {"@id": "election-001",
            "Candidate": [{"@id": f"c-{sanitize(n).lower()}", "Name": n} for n in names],
            "Contest": [{"@id": "contest-001", "@type": "CandidateContest",
                         "ContestSelection": [{"@id": _selection_id(n), "@type": "ContestSelection",
                                               "CandidateIds": [f"c-{sanitize(n).lower()}"]}
                                              for n in names],
                         "Name": contest}],
            "ElectionScopeId": "gpu-election", "@type": "Election"}
