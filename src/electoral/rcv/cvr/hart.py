"""Hart Verity CVRs: a folder holding one XML file per ballot sheet.

Each ``Cvr`` lists its ``Contests``; in the configured contest (by ``Id``) every ``Option`` has an
``Id`` (the candidate code used as the mark's label) and a ``Value`` string whose k-th character is
``1`` when the option is marked at rank k. The id is the ``CvrGuid``, the batch the
``BatchNumber``, the precinct the ``PrecinctSplit`` name, as in RCTab. Signature files
(``*.sig.xml``) are not ballots. A mark at a rank above ``max_rankings`` is an error.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

from electoral.io.limits import parse_xml
from electoral.model import CastVoteRecord
from electoral.rcv.cvr.common import CvrOptions, Problems


def ballot_names(names: list[str]) -> list[str]:
    """The ballot files among a folder's names, in the order they are read."""
    return sorted(n for n in names if n.lower().endswith("xml")
                  and not n.lower().endswith(".sig.xml"))


def read_hart(files: Mapping[str, bytes], source_name: str,
              options: CvrOptions) -> list[CastVoteRecord]:
    """``files`` maps each ballot file's name to its bytes.

    Raises:
        ValidationError: ``missing-option`` without ``options.contest`` (the contest's Id),
            ``malformed-file`` when the folder holds no CVR XML or a file is not well-formed, and
            every problem, by file and field.
    """
    problems = Problems(source_name)
    if not options.contest:
        raise problems.fail("missing-option", "Hart CVRs need the contest's Id (contestId)",
                            field="contestId")
    names = ballot_names(list(files))
    if not names:
        raise problems.fail("malformed-file", "the folder holds no CVR .xml files")
    records: list[CastVoteRecord] = []
    for name in names:
        try:
            root, _ = parse_xml(files[name], f"{source_name}/{name}")
        except (ET.ParseError, LookupError) as exc:  # LookupError: an encoding Python lacks
            problems.add("malformed-file", f"not well-formed XML: {exc}",
                         getattr(exc, "position", (None,))[0], within=name)
            continue
        records.extend(_ballot(root, name, options, problems))
    problems.raise_if_any()
    return records


def _ballot(root: ET.Element, name: str, options: CvrOptions,
            problems: Problems) -> list[CastVoteRecord]:
    if _local(root.tag) != "Cvr":
        problems.add("malformed-file", f"the root element is {_local(root.tag)}, not Cvr",
                     within=name)
        return []
    guid = _text(root, "CvrGuid")
    if not guid:
        problems.add("missing-id", "the ballot has no CvrGuid", field="CvrGuid", within=name)
    split = _child(root, "PrecinctSplit")
    precinct = _text(split, "Name") if split is not None else None
    records = []
    for contest in _children(_child(root, "Contests"), "Contest"):
        if _text(contest, "Id") != options.contest:
            continue
        marks = []
        for option in _children(_child(contest, "Options"), "Option"):
            code, value = _text(option, "Id") or "", _text(option, "Value") or ""
            for rank, flag in enumerate(value, start=1):
                if flag != "1":
                    continue
                if options.max_rankings is not None and rank > options.max_rankings:
                    problems.add("rank-out-of-range", f"option {code} is marked at rank {rank},"
                                 f" above the maximum of {options.max_rankings}", field="Value",
                                 within=name)
                    continue
                marks.append((rank, code))
        records.append(CastVoteRecord(guid or name, tuple(marks), precinct,
                                      _text(root, "BatchNumber"), options.contest))
    return records


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(node: ET.Element | None, name: str) -> ET.Element | None:
    if node is None:
        return None
    return next((c for c in node if _local(c.tag) == name), None)


def _children(node: ET.Element | None, name: str) -> list[ET.Element]:
    return [] if node is None else [c for c in node if _local(c.tag) == name]


def _text(node: ET.Element | None, name: str) -> str | None:
    child = _child(node, name)
    return None if child is None else (child.text or "").strip()
