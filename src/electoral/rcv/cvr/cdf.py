"""NIST SP 1500-103 cast vote record reports (the Common Data Format), JSON and XML.

A report lists candidates and contests (by ``@id``/``ObjectId``), then one ``CVR`` per ballot whose
current snapshot holds, per contest, the selections marked and the rank of each. The contest is
chosen by its ``Name`` (as RCTab's ``contestId`` does). A write-in selection or position reads as
``UNDECLARED_WRITE_IN``; a position with ``HasIndication``/``IsAllocable`` ``no`` (or, in XML, a
selection awaiting adjudication) is no mark. Precinct is the ``Name`` of the ballot style's GpUnit,
batch the ``BatchSequenceId``; ids read ``<file>(<n>)`` like RCTab's.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from electoral.io.limits import load_json, parse_xml
from electoral.model import CastVoteRecord
from electoral.rcv.cvr.common import UNDECLARED_WRITE_IN, CvrOptions, Problems


@dataclass(frozen=True, slots=True)
class _Report:
    """The parts of a report a reader needs, whatever the syntax: plain dicts and lists."""

    candidates: dict[str, str]  # candidate id -> name
    contest_id: str
    contest_name: str
    selections: dict[str, str | None]  # contest selection id -> candidate name, None if unknown
    faults: dict[str, str]  # contest selection id -> why its candidate is unknown
    units: dict[str, str]  # GpUnit id -> name


def read_cdf_json(stream: BinaryIO, source_name: str, options: CvrOptions) -> list[CastVoteRecord]:
    """Every ``CVR`` of a NIST SP 1500-103 JSON report for ``options.contest`` (the contest's name),
    ids ``<file>(<n>)`` as RCTab computes them.

    Raises:
        ValidationError: every problem, by record and field (``malformed-file`` when not JSON or not
            an object).
    """
    problems = Problems(source_name)
    try:
        document = load_json(stream.read(), source_name)
    except (ValueError, UnicodeDecodeError) as exc:
        raise problems.fail("malformed-file", f"not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise problems.fail("malformed-file", "a CDF report is a JSON object")
    return _read(_JsonView(document), source_name, options, problems, count_all=True)


def read_cdf_xml(stream: BinaryIO, source_name: str, options: CvrOptions) -> list[CastVoteRecord]:
    """Every ``CVR`` of a NIST SP 1500-103 XML report for ``options.contest`` (the contest's name),
    ids ``<file>(<n>)`` as RCTab computes them.

    Raises:
        ValidationError: every problem, by record and field (``malformed-file`` when not well-formed
            XML or not a CastVoteRecordReport).
    """
    problems = Problems(source_name)
    try:
        root, _ = parse_xml(stream.read(), source_name)
    except (ET.ParseError, LookupError) as exc:  # LookupError: an encoding Python lacks
        raise problems.fail("malformed-file", f"not well-formed XML: {exc}",
                            line=getattr(exc, "position", (None,))[0]) from exc
    if _local(root.tag) != "CastVoteRecordReport":
        raise problems.fail("malformed-file", f"the root element is {_local(root.tag)}, "
                            "not CastVoteRecordReport")
    return _read(_XmlView(root), source_name, options, problems, count_all=False)


# ---- one walk over either syntax ----

def _read(view: _View, source_name: str, options: CvrOptions, problems: Problems,
          count_all: bool) -> list[CastVoteRecord]:
    try:
        report = _report(view, options, problems)
    except (TypeError, AttributeError, KeyError) as exc:
        raise problems.fail("malformed-file", f"unexpected report structure ({exc!r})") from exc
    records: list[CastVoteRecord] = []
    for index, cvr in enumerate(view.children(view.root, "CVR"), start=1):
        try:
            ballot = _ballot(view, cvr, index, report, problems)
        except (TypeError, AttributeError, KeyError, ValueError) as exc:
            problems.add("malformed-cvr", f"CVR {index} has an unexpected structure ({exc!r})",
                         index, "CVR")
            continue
        if ballot is not None:
            number = index if count_all else len(records) + 1
            records.append(CastVoteRecord(f"{source_name}({number})", *ballot,
                                          contest=report.contest_name))
    problems.raise_if_any()
    return records


def _report(view: _View, options: CvrOptions, problems: Problems) -> _Report:
    candidates: dict[str, str] = {}
    contest = None
    contest_count = 0
    for election in view.children(view.root, "Election"):
        for candidate in view.children(election, "Candidate"):
            candidates[view.ident(candidate)] = view.text(candidate, "Name") or ""
        for item in view.children(election, "Contest"):
            contest_count += 1
            name = view.text(item, "Name")
            if contest is None and (options.contest is None or name == options.contest):
                contest = item
    if contest is None or (options.contest is None and contest_count > 1):
        wanted = f"contest {options.contest!r}" if options.contest else "one contest (contestId)"
        raise problems.fail("unknown-contest", f"the report has no {wanted}; name it by the "
                            "contest's Name", field="contestId")
    selections: dict[str, str | None] = {}
    faults: dict[str, str] = {}
    for selection in view.children(contest, "ContestSelection"):
        label, fault = _selection_label(view, selection, candidates)
        selections[view.ident(selection)] = label
        if fault:
            faults[view.ident(selection)] = fault
    units = {view.ident(unit): view.text(unit, "Name") or "" for unit in
             view.children(view.root, "GpUnit")}
    return _Report(candidates, view.ident(contest), view.text(contest, "Name") or "",
                   selections, faults, units)


def _selection_label(view: _View, selection: Any,
                     candidates: dict[str, str]) -> tuple[str | None, str | None]:
    """The label a selection's marks carry, or None and why (reported where a ballot uses it)."""
    if (view.text(selection, "IsWriteIn") or "").lower() == "true":
        return UNDECLARED_WRITE_IN, None
    ids = view.texts(selection, "CandidateIds")
    if not ids:
        return None, f"contest selection {view.ident(selection)!r} names no candidate"
    name = candidates.get(ids[0])
    if name is None:
        return None, (f"contest selection {view.ident(selection)!r} names candidate {ids[0]!r}, "
                      "which the report does not list")
    return name, None


def _ballot(view: _View, cvr: Any, index: int, report: _Report, problems: Problems
            ) -> tuple[tuple[tuple[int, str], ...], str | None, str | None] | None:
    """A CVR's marks, precinct and batch in the contest (None: the ballot lacks the contest)."""
    snapshot_id = view.text(cvr, "CurrentSnapshotId")
    snapshot = next((s for s in view.children(cvr, "CVRSnapshot")
                     if view.ident(s) == snapshot_id), None)
    if snapshot is None:
        problems.add("malformed-cvr", f"CVR {index} has no snapshot {snapshot_id!r}", index,
                     "CurrentSnapshotId")
        return None
    contest = next((c for c in view.children(snapshot, "CVRContest")
                    if view.text(c, "ContestId") == report.contest_id), None)
    if contest is None:
        return None  # this ballot does not carry the contest
    marks = tuple(_marks(view, contest, index, report, problems))
    precinct = None
    unit = view.text(cvr, "BallotStyleUnitId")
    if unit is not None:
        precinct = report.units.get(unit)
        if precinct is None:
            problems.add("unknown-unit", f"CVR {index} names GpUnit {unit!r}, which the report "
                         "does not list", index, "BallotStyleUnitId")
    return marks, precinct, view.text(cvr, "BatchSequenceId")


def _marks(view: _View, contest: Any, index: int, report: _Report,
           problems: Problems) -> Iterator[tuple[int, str]]:
    for selection in view.children(contest, "CVRContestSelection"):
        if view.text(selection, "Status") == "needs-adjudication":
            continue
        selection_id = view.text(selection, "ContestSelectionId")
        label = report.selections.get(selection_id or "")
        if label is None:
            fault = report.faults.get(selection_id or "") or (
                f"contest selection {selection_id!r}, which the contest does not list")
            problems.add("unknown-candidate", f"CVR {index} marks {fault}", index,
                         "ContestSelectionId")
            continue
        rank = view.text(selection, "Rank")
        if rank is not None:
            yield _rank(rank, index, problems), label
            continue
        for position in view.children(selection, "SelectionPosition"):
            choice = UNDECLARED_WRITE_IN if view.has(position, "CVRWriteIn") else label
            if "no" in (view.text(position, "HasIndication"), view.text(position, "IsAllocable")):
                continue
            rank = view.text(position, "Rank")
            if rank is None:
                problems.add("missing-rank", f"CVR {index}: a marked position of selection "
                             f"{selection_id!r} has no Rank", index, "Rank")
                continue
            yield _rank(rank, index, problems), choice


def _rank(text: str, index: int, problems: Problems) -> int:
    try:
        rank = int(text)
    except ValueError:
        rank = 0
    if rank < 1:
        problems.add("bad-rank", f"CVR {index}: rank {text!r} is not a whole number from 1",
                     index, "Rank")
    return rank


# ---- the two syntaxes behind one small interface ----

class _View(Protocol):
    root: Any

    def children(self, node: Any, name: str) -> list[Any]: ...
    def text(self, node: Any, name: str) -> str | None: ...
    def texts(self, node: Any, name: str) -> list[str]: ...
    def ident(self, node: Any) -> str: ...
    def has(self, node: Any, name: str) -> bool: ...


class _JsonView:
    def __init__(self, root: dict[str, Any]):
        self.root = root

    def children(self, node: Any, name: str) -> list[Any]:
        value = node.get(name, [])
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, dict) for item in items):
            raise TypeError(f"{name} must hold objects")
        return items

    def text(self, node: Any, name: str) -> str | None:
        value = node.get(name)
        if value is None:
            return None
        if isinstance(value, dict | list):
            raise TypeError(f"{name} must be a value, not {type(value).__name__}")
        return str(value).lower() if isinstance(value, bool) else str(value)

    def texts(self, node: Any, name: str) -> list[str]:
        value = node.get(name) or []
        return [str(v) for v in (value if isinstance(value, list) else [value])]

    def ident(self, node: Any) -> str:
        return str(node.get("@id", ""))

    def has(self, node: Any, name: str) -> bool:
        return name in node


class _XmlView:
    def __init__(self, root: ET.Element):
        self.root = root

    def children(self, node: Any, name: str) -> list[Any]:
        return [child for child in node if _local(child.tag) == name]

    def text(self, node: Any, name: str) -> str | None:
        for child in node:
            if _local(child.tag) == name:
                return (child.text or "").strip()
        return None

    def texts(self, node: Any, name: str) -> list[str]:
        return [(c.text or "").strip() for c in self.children(node, name)]

    def ident(self, node: Any) -> str:
        return node.get("ObjectId") or node.get("{http://www.w3.org/2001/XMLSchema-instance}id") \
            or node.get("id") or ""

    def has(self, node: Any, name: str) -> bool:
        return bool(self.children(node, name))


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""

