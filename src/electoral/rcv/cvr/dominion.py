"""Dominion Democracy Suite CVR exports: a folder of JSON manifests and ``CvrExport*.json`` files.

``ContestManifest`` gives each contest's number of ranks, ``CandidateManifest`` its candidates (by
numeric id), ``PrecinctManifest``/``PrecinctPortionManifest`` the precinct names. Each session in
an export is one ballot; its ``Original`` marks count unless ``IsCurrent`` is false, when the
``Modified`` (adjudicated) ones do. Marks are the candidate ids as written (``"12"``); ambiguous
marks and contests carrying outstack condition 7 (excluded) are left out, as in RCTab. A candidate
id the manifest does not give the contest, or a rank above the contest's ranks, is an error.
Ids read ``<tabulator>-<batch>-<record>``; exports are read in file-name order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from electoral.io.limits import load_json
from electoral.model import CastVoteRecord
from electoral.rcv.cvr.common import CvrOptions, Problems

EXPORT = re.compile(r"^CvrExport(_\d+)?\.json$")
EXCLUDED_CONDITION = 7


@dataclass(frozen=True, slots=True)
class _Manifests:
    max_ranks: int
    candidates: frozenset[str]
    precincts: dict[int, str] | None


def export_names(names: list[str]) -> list[str]:
    """The export files among a folder's names, in the order they are read."""
    if "CvrExport.json" in names:
        return ["CvrExport.json"]
    return sorted(name for name in names if EXPORT.match(name))


def read_dominion(files: Mapping[str, bytes], source_name: str,
                  options: CvrOptions) -> list[CastVoteRecord]:
    """``files`` maps a file name in the export folder to its bytes (manifests and exports).

    Raises:
        ValidationError: ``missing-option`` without ``options.contest`` (the contest's id),
            ``malformed-file`` without export files, and every problem in the manifests and exports,
            by file, record and field.
    """
    problems = Problems(source_name)
    if not options.contest:
        raise problems.fail("missing-option", "Dominion exports need the contest's id "
                            "(contestId)", field="contestId")
    manifests = _manifests(files, options, problems)
    exports = export_names(list(files))
    if not exports:
        raise problems.fail("malformed-file", "no CvrExport.json or CvrExport_<n>.json in the "
                            "folder")
    records: list[CastVoteRecord] = []
    for name in exports:
        sessions = _load(files, name, problems).get("Sessions")
        if not isinstance(sessions, list):
            problems.add("malformed-file", "no Sessions list", field="Sessions", within=name)
            continue
        for number, session in enumerate(sessions, start=1):
            try:
                records.extend(_session(session, name, number, manifests, options, problems))
            except (TypeError, KeyError, AttributeError, ValueError) as exc:
                problems.add("malformed-cvr", f"session {number} has an unexpected structure "
                             f"({exc!r})", number, "Sessions", within=name)
    if not records and not problems:
        problems.add("no-ballots", f"no ballot carries contest {options.contest!r}",
                     field="contestId")
    problems.raise_if_any()
    return records


def _load(files: Mapping[str, bytes], name: str, problems: Problems) -> dict[str, Any]:
    try:
        document = load_json(files[name], f"{problems.source}/{name}")
    except KeyError as exc:
        raise problems.fail("missing-file", f"the export has no {name}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise problems.fail("malformed-file", f"{name} is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise problems.fail("malformed-file", f"{name} is not a JSON object")
    return document


def _listing(files: Mapping[str, bytes], name: str, problems: Problems) -> list[dict[str, Any]]:
    items = _load(files, name, problems).get("List")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise problems.fail("malformed-file", f"{name} has no List of objects", field="List")
    return items


def _manifests(files: Mapping[str, bytes], options: CvrOptions,
               problems: Problems) -> _Manifests:
    contests = {str(c.get("Id")): c for c in _listing(files, "ContestManifest.json", problems)}
    contest = contests.get(str(options.contest))
    if contest is None:
        raise problems.fail("unknown-contest", f"ContestManifest.json has no contest "
                            f"{options.contest!r}", field="contestId")
    candidates = frozenset(str(c.get("Id")) for c in
                           _listing(files, "CandidateManifest.json", problems)
                           if str(c.get("ContestId")) == str(options.contest))
    precincts: dict[int, str] | None = None
    if "PrecinctManifest.json" in files:
        precincts = {p["Id"]: str(p.get("Description"))
                     for p in _listing(files, "PrecinctManifest.json", problems) if "Id" in p}
    ranks = contest.get("NumOfRanks")
    return _Manifests(ranks if isinstance(ranks, int) and ranks > 0 else 1, candidates,
                      precincts)


def _session(session: dict[str, Any], name: str, number: int, manifests: _Manifests,
             options: CvrOptions, problems: Problems) -> list[CastVoteRecord]:
    ballot = session["Original"]
    if not ballot["IsCurrent"]:
        ballot = session.get("Modified")
        if ballot is None:
            return []  # no current version of this ballot: RCTab skips it with a warning
    precinct_id = ballot.get("PrecinctId")
    precinct = None
    if precinct_id is not None:
        precinct = (manifests.precincts or {}).get(precinct_id)
        if precinct is None:
            problems.add("unknown-precinct", f"session {number} names precinct {precinct_id}, "
                         "which PrecinctManifest.json does not list", number, "PrecinctId",
                         within=name)
    ident = "-".join(str(session[key]) for key in ("TabulatorId", "BatchId", "RecordId")
                     if str(session[key]).strip())
    records = []
    for card in ballot.get("Cards", [ballot]):
        for contest in card["Contests"]:
            if str(contest["Id"]) != str(options.contest):
                continue
            if EXCLUDED_CONDITION in contest.get("OutstackConditionIds", []):
                continue
            marks = tuple(_marks(contest["Marks"], ident, name, number, manifests, options,
                                 problems))
            records.append(CastVoteRecord(ident, marks, precinct, str(session["BatchId"]),
                                          str(options.contest)))
    return records


def _marks(marks: list[dict[str, Any]], ident: str, name: str, number: int,
           manifests: _Manifests, options: CvrOptions,
           problems: Problems) -> Iterator[tuple[int, str]]:
    limit = min(manifests.max_ranks, options.max_rankings or manifests.max_ranks)
    for mark in marks:
        if mark["IsAmbiguous"]:
            continue
        candidate, rank = str(mark["CandidateId"]), mark["Rank"]
        if candidate not in manifests.candidates and candidate != \
                options.undeclared_write_in_label:
            problems.add("unknown-candidate", f"ballot {ident} marks candidate {candidate}, "
                         f"which CandidateManifest.json does not give contest {options.contest}",
                         number, "CandidateId", within=name)
            continue
        if not isinstance(rank, int) or not 1 <= rank <= limit:
            problems.add("rank-out-of-range", f"ballot {ident} ranks candidate {candidate} at "
                         f"{rank!r}, outside 1..{limit}", number, "Rank", within=name)
            continue
        yield rank, candidate
