"""NIST SP 1500-100 v2 Election Results Reporting, JSON and XML: read and written.

One stored election is one ``ElectionReport``: the reporting units as ``GpUnit`` (the containment
tree in ``ComposingGpUnitIds``), its parties, one ``Election`` with the candidates and a single
``CandidateContest`` whose ``CandidateSelection``s carry the ``VoteCounts`` (one per unit and vote
type). A running mate is the second candidate of the selection (a ticket); ballots cast are
``BallotCounts``, registered voters ``VotersRegistered``.

What the standard has no field for (electoral's ids, a unit's alternative groupings, an aggregate
pseudo-candidate, a candidate's home state, the voting-age population, the source file) travels in
``ExternalIdentifier`` entries of ``Type`` other, ``OtherType`` ``electoral-…``, so a report
written here reads back to the same returns. Reports from elsewhere are read too: ids then come
from FIPS codes, names and ``ObjectId``s, and one ``Returns`` is made per candidate contest.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, TextIO

from electoral.errors import Problem, ValidationError
from electoral.io import PROBES, Format, ReadOptions, register
from electoral.io.counts import LARGEST, CountError, parse_count
from electoral.io.limits import load_json, parse_xml
from electoral.io.medsl import general_election_day
from electoral.io.nist_versions import CIVIC_API, other_json, other_xml
from electoral.io.pseudo import OTHER_CONTEST
from electoral.model import (
    STATE_BY_NAME,
    STATE_FIPS,
    STATE_NAMES,
    Candidate,
    Count,
    Election,
    Exclusion,
    Party,
    Returns,
    Unit,
    UnitFacts,
    UnitKind,
    VoteType,
    slug,
)

NS = "http://itl.nist.gov/ns/voting/1500-100/v2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PREFIX = "ElectionResults."
VENDOR = "electoral 0.1.0"
SUPPORTED = (f"NIST SP 1500-100 v2 only (JSON with \"@type\": \"{PREFIX}ElectionReport\", or XML "
             f"in namespace {NS}): convert the file to v2")
Node = dict[str, Any]

# The XSD's element order for each type written (base type's elements first).
ORDER: dict[str, tuple[str, ...]] = {
    "ElectionReport": ("Election", "ExternalIdentifier", "Format", "GeneratedDate", "GpUnit",
                       "Header", "Issuer", "IssuerAbbreviation", "IsTest", "Notes", "Office",
                       "OfficeGroup", "Party", "Person", "SequenceStart", "SequenceEnd", "Status",
                       "TestType", "VendorApplicationId"),
    "Election": ("BallotCounts", "BallotStyle", "Candidate", "ContactInformation", "Contest",
                 "CountStatus", "ElectionScopeId", "ExternalIdentifier", "Name", "StartDate",
                 "EndDate", "Type", "OtherType"),
    "ReportingUnit": ("ComposingGpUnitIds", "ExternalIdentifier", "Name", "AuthorityIds",
                      "ContactInformation", "CountStatus", "ElectionAdministration",
                      "IsDistricted", "IsMailOnly", "Number", "PartyRegistration",
                      "SpatialDimension", "SubUnitsReported", "TotalSubUnits", "Type",
                      "OtherType", "VotersParticipated", "VotersRegistered"),
    "Party": ("Abbreviation", "Color", "ContactInformation", "ExternalIdentifier",
              "IsRecognizedParty", "LeaderPersonIds", "LogoUri", "Name", "PartyScopeGpUnitIds",
              "Slogan"),
    "Candidate": ("BallotName", "CampaignSlogan", "ContactInformation", "ExternalIdentifier",
                  "FileDate", "IsIncumbent", "IsTopTicket", "PartyId", "PersonId",
                  "PostElectionStatus", "PreElectionStatus"),
    "CandidateContest": ("Abbreviation", "BallotSubTitle", "BallotTitle", "ContestSelection",
                         "CountStatus", "ElectionDistrictId", "ExternalIdentifier", "HasRotation",
                         "Name", "OtherCounts", "SequenceOrder", "SubUnitsReported",
                         "TotalSubUnits", "VoteVariation", "OtherVoteVariation", "NumberElected",
                         "NumberRunoff", "OfficeIds", "PrimaryPartyIds", "VotesAllowed"),
    "CandidateSelection": ("SequenceOrder", "VoteCounts", "CandidateIds", "EndorsementPartyIds",
                           "IsWriteIn"),
    "VoteCounts": ("DeviceClass", "GpUnitId", "IsSuppressedForPrivacy", "Round", "Type",
                   "OtherType", "Count"),
    "BallotCounts": ("DeviceClass", "GpUnitId", "IsSuppressedForPrivacy", "Round", "Type",
                     "OtherType", "BallotsCast", "BallotsOutstanding", "BallotsRejected"),
    "ExternalIdentifier": ("Type", "OtherType", "Value"),
    "CountStatus": ("Status", "Type"),
}
# NIST CountItemStatus values a count in progress has (``completed`` is not kept: a completed
# count is no news), and CountItemType values a status may be of.
STATUSES = ("in-process", "not-processed", "unknown")
# Elements whose type is a subclass, named in XML by xsi:type.
POLYMORPHIC = {"GpUnit", "Contest", "ContestSelection"}
IDREFS = {"ComposingGpUnitIds", "CandidateIds", "EndorsementPartyIds", "OfficeIds",
          "PartyScopeGpUnitIds", "AuthorityIds", "LeaderPersonIds", "PrimaryPartyIds"}
TEXTS = {"Name", "BallotName", "Abbreviation", "BallotTitle", "BallotSubTitle", "Slogan",
         "CampaignSlogan"}
PLAIN_NAME = {"ElectionResults.CandidateContest"}  # a contest's Name is a plain string

UNIT_TYPES = {UnitKind.NATION: "country", UnitKind.STATE: "state", UnitKind.COUNTY: "county",
              UnitKind.DISTRICT: "congressional", UnitKind.TOWN: "town",
              UnitKind.PRECINCT: "precinct"}
OTHER_UNIT = {UnitKind.COG: "council-of-governments"}
KINDS = {
    "country": UnitKind.NATION, "state": UnitKind.STATE, "county": UnitKind.COUNTY,
    "congressional": UnitKind.DISTRICT, "state-house": UnitKind.DISTRICT,
    "state-senate": UnitKind.DISTRICT, "town": UnitKind.TOWN, "township": UnitKind.TOWN,
    "city": UnitKind.TOWN, "village": UnitKind.TOWN, "municipality": UnitKind.TOWN,
    "borough": UnitKind.TOWN, "precinct": UnitKind.PRECINCT, "ward": UnitKind.PRECINCT,
    "split-precinct": UnitKind.PRECINCT, "combined-precinct": UnitKind.PRECINCT,
    "vote-center": UnitKind.PRECINCT, "polling-place": UnitKind.PRECINCT,
    "ballot-batch": UnitKind.PRECINCT,
}
COUNT_TYPES = {VoteType.TOTAL: "total", VoteType.ELECTION_DAY: "election-day",
               VoteType.EARLY: "early", VoteType.ABSENTEE: "absentee",
               VoteType.MAIL: "absentee-mail", VoteType.PROVISIONAL: "provisional"}
VOTE_TYPES = {**{v: k for k, v in COUNT_TYPES.items()}, "absentee-in-person": VoteType.ABSENTEE,
              "absentee-fwab": VoteType.ABSENTEE, "uocava": VoteType.ABSENTEE,
              "write-in": VoteType.TOTAL}


# ---- writing -----------------------------------------------------------------------------------


def _text(value: str) -> Node:
    return {"@type": PREFIX + "InternationalizedText",
            "Text": [{"@type": PREFIX + "LanguageString", "Language": "en", "Content": value}]}


def _ext(other: str, value: str) -> Node:
    return {"@type": PREFIX + "ExternalIdentifier", "Type": "other",
            "OtherType": f"electoral-{other}", "Value": value}


def _safe(prefix: str, ident: str, taken: set[str]) -> str:
    """An xsd:ID (an NCName) for an electoral id, unique within the report."""
    base = f"{prefix}-{re.sub(r'[^A-Za-z0-9._-]', '_', ident)}"
    out, n = base, 1
    while out in taken:
        n += 1
        out = f"{base}-{n}"
    taken.add(out)
    return out


def to_document(returns: Returns, generated: dt.datetime | None = None) -> Node:
    """The returns as a NIST v2 ``ElectionReport`` in its JSON shape."""
    taken: set[str] = set()
    gid = {u.id: _safe("gpu", u.id, taken) for u in returns.units}
    pid = {p.id: _safe("par", p.id, taken) for p in returns.parties}
    cid = {c.id: _safe("can", c.id, taken) for c in returns.candidates}
    scope = next((u.id for u in returns.units if u.kind is UnitKind.STATE), returns.units[0].id)
    stamp = (generated or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    report: Node = {
        "@type": PREFIX + "ElectionReport",
        "Election": [_election(returns, gid, pid, cid, scope)],
        "ExternalIdentifier": [_ext("source", returns.source)] if returns.source else [],
        "Format": "precinct-level" if any(u.kind is UnitKind.PRECINCT for u in returns.units)
        else "summary-contest",
        "GeneratedDate": stamp.isoformat(),
        "GpUnit": [_gpunit(u, returns, gid) for u in returns.units],
        "Issuer": "electoral", "IssuerAbbreviation": "electoral",
        "Party": [{"@id": pid[p.id], "@type": PREFIX + "Party", "Name": _text(p.name),
                   "ExternalIdentifier": [_ext("id", p.id)]} for p in returns.parties],
        "SequenceStart": 1, "SequenceEnd": 1,
        "Status": "unofficial-complete" if returns.unofficial else "certified",
        "VendorApplicationId": VENDOR,
    }
    return {k: v for k, v in report.items() if v != []}


def _gpunit(unit: Unit, returns: Returns, gid: Mapping[str, str]) -> Node:
    children = [gid[u.id] for u in returns.units if u.parent == unit.id or unit.id in u.groups]
    ids = [_ext("id", unit.id)]
    if unit.fips:
        ids.append({"@type": PREFIX + "ExternalIdentifier", "Type": "fips", "Value": unit.fips})
    if unit.groups:
        ids.append(_ext("groups", " ".join(unit.groups)))
    facts = next((f for f in returns.facts if f.unit == unit.id), None)
    if facts is not None and facts.voting_age_population is not None:
        ids.append(_ext("voting-age-population", str(facts.voting_age_population)))
    node: Node = {"@id": gid[unit.id], "@type": PREFIX + "ReportingUnit",
                  "ComposingGpUnitIds": children, "ExternalIdentifier": ids,
                  "Name": _text(unit.name), "Type": UNIT_TYPES.get(unit.kind, "other")}
    if unit.kind in OTHER_UNIT:
        node["OtherType"] = OTHER_UNIT[unit.kind]
    if facts is not None and facts.registered is not None:
        node["VotersRegistered"] = facts.registered
    if facts is not None:
        statuses = [_count_status(part) for part in facts.status.split(", ") if part]
        node["CountStatus"] = [entry for entry in statuses if entry is not None]
        if facts.expected is not None and facts.reporting is not None:
            node["SubUnitsReported"], node["TotalSubUnits"] = facts.reporting, facts.expected
    return {k: v for k, v in node.items() if v != []}


def _count_status(text: str) -> Node | None:
    """``"absentee-mail in-process"`` (as ``_Reader._progress`` keeps a status) as a NIST
    CountStatus; ``None`` for a status the standard has no value for."""
    kind, _, status = text.rpartition(" ")
    if status not in STATUSES or (kind and kind not in VOTE_TYPES and kind != "other"):
        return None
    return {"@type": PREFIX + "CountStatus", "Status": status, "Type": kind or "total"}


def _election(returns: Returns, gid: Mapping[str, str], pid: Mapping[str, str],
              cid: Mapping[str, str], scope: str) -> Node:
    election = returns.election
    day = election.date or general_election_day(election.year)
    ids = [_ext("id", election.id)]
    if election.name:
        ids.append(_ext("name", election.name))
    if election.date is None:
        ids.append(_ext("date", "unknown"))
    name = election.name or f"{election.year} {STATE_NAMES.get(election.state, election.state)} " \
        f"{election.office} election"
    return {
        "@type": PREFIX + "Election",
        "BallotCounts": [{"@type": PREFIX + "BallotCounts", "GpUnitId": gid[f.unit],
                          "Type": "total",
                          **({} if f.ballots_cast is None else {"BallotsCast": f.ballots_cast}),
                          **({"BallotsOutstanding": f.outstanding} if f.outstanding else {})}
                         for f in returns.facts
                         if f.ballots_cast is not None or f.outstanding],
        "Candidate": [node for c in returns.candidates for node in _candidate(c, pid, cid)],
        "Contest": [_contest(returns, gid, cid, scope)],
        "ElectionScopeId": gid[scope], "ExternalIdentifier": ids, "Name": _text(name),
        "StartDate": day.isoformat(), "EndDate": day.isoformat(), "Type": "general",
    }


def _candidate(c: Candidate, pid: Mapping[str, str], cid: Mapping[str, str]) -> list[Node]:
    ids = [_ext("id", c.id)]
    if c.home_state:
        ids.append(_ext("home-state", c.home_state))
    if c.aggregate:
        ids.append(_ext("aggregate", "true"))
    node: Node = {"@id": cid[c.id], "@type": PREFIX + "Candidate", "BallotName": _text(c.name),
                  "ExternalIdentifier": ids}
    if c.incumbent:
        node["IsIncumbent"] = True
    if c.party is not None and c.party in pid:
        node["PartyId"] = pid[c.party]
    if c.running_mate is None:
        return [node]
    mate: Node = {"@id": f"{cid[c.id]}-vp", "@type": PREFIX + "Candidate",
                  "BallotName": _text(c.running_mate)}
    return [node, mate]


def _contest(returns: Returns, gid: Mapping[str, str], cid: Mapping[str, str],
             scope: str) -> Node:
    counts: dict[str, list[Node]] = {c.id: [] for c in returns.candidates}
    for count in returns.counts:
        kind = COUNT_TYPES.get(count.vote_type, "other")
        # A source's own type (advance_voting) has no CountItemType: it is kept by its name.
        other = {"OtherType": str(count.vote_type)} if kind == "other" else {}
        # A withheld count is the standard's privacy-suppressed one (its Count is required)
        withheld = {"IsSuppressedForPrivacy": True} if count.votes is None else {}
        counts[count.candidate].append({"@type": PREFIX + "VoteCounts", "GpUnitId":
                                        gid[count.unit], **withheld, "Type": kind, **other,
                                        "Count": 0 if count.votes is None else count.votes})
    selections = []
    for c in returns.candidates:
        node: Node = {"@id": f"sel-{cid[c.id]}", "@type": PREFIX + "CandidateSelection",
                      "VoteCounts": counts[c.id],
                      "CandidateIds": [cid[c.id]] + ([f"{cid[c.id]}-vp"] if c.running_mate
                                                     is not None else [])}
        if c.write_in:
            node["IsWriteIn"] = True
        selections.append({k: v for k, v in node.items() if v != []})
    office = returns.election.office
    return {"@id": f"con-{slug(office)}", "@type": PREFIX + "CandidateContest",
            "ContestSelection": selections, "ElectionDistrictId": gid[scope],
            "ExternalIdentifier": [_ext("office", office)],
            "Name": office.replace("-", " ").title(), "VoteVariation": "plurality",
            "NumberElected": 1, "VotesAllowed": 1}


def write_nist_json(returns: Returns, generated: dt.datetime | None = None) -> str:
    return json.dumps(to_document(returns, generated), indent=1, ensure_ascii=False) + "\n"


def write_nist_xml(returns: Returns, generated: dt.datetime | None = None) -> str:
    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)
    root = _element("ElectionReport", to_document(returns, generated))
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") \
        + "\n"


def _element(tag: str, node: Node) -> ET.Element:
    element = ET.Element(f"{{{NS}}}{tag}")
    kind = node.get("@type", PREFIX + tag).removeprefix(PREFIX)
    if "@id" in node:
        element.set("ObjectId", node["@id"])
    if tag in POLYMORPHIC:
        element.set(f"{{{XSI}}}type", kind)
    for key in ORDER.get(kind, tuple(sorted(node))):
        if key in node:
            _add(element, key, node[key])
    return element


def _add(parent: ET.Element, key: str, value: Any) -> None:
    if key in IDREFS:
        ET.SubElement(parent, f"{{{NS}}}{key}").text = " ".join(value)
    elif isinstance(value, list):
        for item in value:
            _add(parent, key, item)
    elif isinstance(value, dict) and value.get("@type") == PREFIX + "InternationalizedText":
        holder = ET.SubElement(parent, f"{{{NS}}}{key}")
        for text in value["Text"]:
            ET.SubElement(holder, f"{{{NS}}}Text", Language=text["Language"]).text = \
                text["Content"]
    elif isinstance(value, dict):
        parent.append(_element(key, value))
    else:
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        ET.SubElement(parent, f"{{{NS}}}{key}").text = text


# ---- reading -----------------------------------------------------------------------------------


@register(Format.NIST_JSON)
def read_nist_json(stream: TextIO, source: str, options: ReadOptions) -> list[Returns]:
    """Every candidate contest of a NIST v2 JSON ``ElectionReport``, one ``Returns`` each.
    Raises as ``read_nist_xml``."""
    try:
        document = load_json(stream.read(), source)
    except json.JSONDecodeError as exc:
        raise ValidationError([Problem("malformed-file", f"not JSON: {exc.msg}",
                                       line=exc.lineno)]) from None
    found = other_json(document)
    if found is not None:
        raise ValidationError([Problem("unsupported-version", f"this is {found}; electoral "
                                       f"reads {SUPPORTED}", line=1)])
    if not isinstance(document, dict) or document.get("@type") != PREFIX + "ElectionReport":
        raise ValidationError([Problem("not-nist", "the top object is not an "
                                       "ElectionResults.ElectionReport", line=1, field="@type")])
    return from_document(document, source, options)


@register(Format.NIST_XML)
def read_nist_xml(stream: TextIO, source: str, options: ReadOptions) -> list[Returns]:
    """Every candidate contest of a NIST v2 XML ``ElectionReport``, one ``Returns`` each
    (round counts are exclusions; counts suppressed for privacy are unknown, ``votes`` None).

    Raises:
        ValidationError: the file is not this format or has bad rows, every problem located by
            line and field (the file name is added by ``io.read_tables``).
        NotFoundError: ``options.election`` names an election the file does not have.
    """
    try:
        root, _ = parse_xml(stream.read(), source)
    except ET.ParseError as exc:
        raise ValidationError([Problem("malformed-file", f"not XML: {exc}",
                                       line=exc.position[0])]) from None
    found = other_xml(root, NS)
    if found is not None:
        raise ValidationError([Problem("unsupported-version", f"this is {found}; electoral "
                                       f"reads {SUPPORTED}", line=1)])
    if root.tag != f"{{{NS}}}ElectionReport":
        raise ValidationError([Problem("not-nist", f"the root element is {root.tag}, not a NIST "
                                       "1500-100 v2 ElectionReport", line=1)])
    return from_document(_from_xml(root), source, options)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _from_xml(element: ET.Element) -> Node:
    """An XML element in the JSON shape: every child as a list, IDREFS split, texts kept."""
    node: Node = {}
    if "ObjectId" in element.attrib:
        node["@id"] = element.attrib["ObjectId"]
    kind = element.attrib.get(f"{{{XSI}}}type")
    if kind:
        node["@type"] = PREFIX + kind.rpartition(":")[2]
    for child in element:
        key = _local(child.tag)
        if key in IDREFS:
            node.setdefault(key, []).extend((child.text or "").split())
            continue
        value: Any
        if key in TEXTS and len(child) and all(_local(g.tag) == "Text" for g in child):
            value = {"Text": [{"Language": g.get("Language", ""), "Content": g.text or ""}
                              for g in child]}
        elif len(child) or child.attrib:
            value = _from_xml(child)
        elif key == "Value":  # an external identifier's value is opaque text: kept exactly
            value = child.text or ""
        else:
            value = (child.text or "").strip()
        node.setdefault(key, []).append(value)
    return node


def _all(node: Node, key: str) -> list[Any]:
    value = node.get(key)
    return [] if value is None else value if isinstance(value, list) else [value]


def _one(node: Node, key: str) -> Any:
    values = _all(node, key)
    return values[0] if values else None


def _str(value: Any) -> str:
    if isinstance(value, dict):
        texts = _all(value, "Text")
        return str(texts[0].get("Content", "")) if texts else ""
    return "" if value is None else str(value)


def _exts(node: Node) -> dict[str, str]:
    """A node's external identifiers: ``electoral-…`` and others by OtherType, the rest by Type."""
    out: dict[str, str] = {}
    for ext in _all(node, "ExternalIdentifier"):
        kind = _str(_one(ext, "Type"))
        key = _str(_one(ext, "OtherType")) if kind == "other" else kind
        out.setdefault(key, _str(_one(ext, "Value")))
    return out


class _Reader:
    """Reads one report; collects every problem before raising."""

    def __init__(self, document: Node, source: str, options: ReadOptions):
        self.document = document
        self.options = options
        self.problems: list[Problem] = []
        self.source = _exts(document).get("electoral-source") or source
        self.units, self.gpu = self._units()
        self.parties = {p["@id"]: self._party(p) for p in _all(document, "Party")}

    def number(self, value: Any, field: str, where: str = "") -> int | None:
        """A count as the standard types it (a JSON integer, or XML's ``xs:integer`` text, read
        by ``io.counts`` without thousands separators); ``None`` and a problem naming ``field``
        (and ``where``: whose count) for anything else, 2^63 and more included."""
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= LARGEST:
            return value
        message = f"{value!r} is not a non-negative integer"
        if isinstance(value, str):
            try:
                number = parse_count(value, grouped=False, withheld=False)
            except CountError as exc:
                message = str(exc)
            else:
                if number is not None:
                    return number
        self.problems.append(Problem("bad-count", f"{where}{': ' if where else ''}{message}",
                                     field=field))
        return None

    def _units(self) -> tuple[list[Unit], dict[str, str]]:
        nodes = _all(self.document, "GpUnit")
        gpu = {n.get("@id", ""): self._unit_id(n) for n in nodes}
        composers: dict[str, list[str]] = {}
        for node in nodes:
            for child in _all(node, "ComposingGpUnitIds"):
                composers.setdefault(child, []).append(gpu[node.get("@id", "")])
        units = []
        for node in nodes:
            uid = gpu[node.get("@id", "")]
            exts = _exts(node)
            above = composers.get(node.get("@id", ""), [])
            groups = tuple(exts["electoral-groups"].split()) if "electoral-groups" in exts \
                else tuple(above[1:])
            parent = next((p for p in above if p not in groups), None)
            units.append(Unit(uid, _str(_one(node, "Name")), self._kind(node), parent, groups,
                              exts.get("fips") or None))
        return units, gpu

    def _unit_id(self, node: Node) -> str:
        exts = _exts(node)
        if "electoral-id" in exts:
            return exts["electoral-id"]
        fips = exts.get("fips", "")
        name = _str(_one(node, "Name"))
        if self._kind(node) is UnitKind.STATE:
            for po, state in STATE_NAMES.items():
                if name.lower() == state.lower() or fips == _state_fips(po):
                    return po
        if self._kind(node) is UnitKind.COUNTY and len(fips) == 5:
            return fips
        return str(node.get("@id", slug(name)))

    def _kind(self, node: Node) -> UnitKind:
        kind = _str(_one(node, "Type"))
        if kind == "other" and _str(_one(node, "OtherType")) == OTHER_UNIT[UnitKind.COG]:
            return UnitKind.COG
        return KINDS.get(kind, UnitKind.PRECINCT)

    def _party(self, node: Node) -> Party:
        name = _str(_one(node, "Name"))
        return Party(_exts(node).get("electoral-id") or slug(name) or node["@id"], name)

    def facts(self, election: Node) -> tuple[UnitFacts, ...]:
        """Ballots cast (``BallotCounts`` of type total), registered voters, and how far each
        unit's count has got: ``BallotsOutstanding``, a ``CountStatus`` other than completed
        (``"absentee-mail in-process"``), ``SubUnitsReported`` of ``TotalSubUnits``
        (``UnitFacts.partly_counted``)."""
        ballots: dict[str, int] = {}
        outstanding: dict[str, int] = {}
        for node in _all(election, "BallotCounts"):
            unit = self.gpu.get(_str(_one(node, "GpUnitId")))
            cast = _one(node, "BallotsCast")
            if unit is not None and cast is not None and _str(_one(node, "Type")) == "total":
                ballots[unit] = (self.number(cast, "BallotsCast") or 0) + ballots.get(unit, 0)
            left = _one(node, "BallotsOutstanding")
            if unit is not None and left is not None:
                outstanding[unit] = (self.number(left, "BallotsOutstanding") or 0) \
                    + outstanding.get(unit, 0)
        out = []
        for node in _all(self.document, "GpUnit"):
            uid = self.gpu[node.get("@id", "")]
            registered = _one(node, "VotersRegistered")
            vap = _exts(node).get("electoral-voting-age-population")
            status, reporting, expected = self._progress(node)
            if uid in ballots or registered is not None or vap is not None or status \
                    or expected is not None or outstanding.get(uid):
                out.append(UnitFacts(uid, ballots.get(uid),
                                     None if registered is None else self.number(registered,
                                                                              "VotersRegistered"),
                                     None if vap is None else self.number(vap, "ExternalIdentifier"),
                                     reporting, expected, status, outstanding.get(uid) or None))
        return tuple(out)

    def _progress(self, node: Node) -> tuple[str, int | None, int | None]:
        """A unit's or contest's ``CountStatus`` entries that are not ``completed`` (NIST
        CountItemStatus: completed, in-process, not-processed, unknown), as ``"absentee-mail
        in-process"``, and its ``SubUnitsReported`` / ``TotalSubUnits``."""
        statuses = []
        for entry in _all(node, "CountStatus"):
            status = _str(_one(entry, "Status"))
            if status and status != "completed":
                kind = _str(_one(entry, "Type"))
                statuses.append(f"{kind} {status}" if kind and kind != "total" else status)
        reported, total = _one(node, "SubUnitsReported"), _one(node, "TotalSubUnits")
        reporting = None if reported is None else self.number(reported, "SubUnitsReported")
        expected = None if total is None else self.number(total, "TotalSubUnits")
        return ", ".join(statuses), reporting, expected

    def returns(self) -> list[Returns]:
        """One ``Returns`` per candidate contest; with ``--contest`` (``ReadOptions.contest``)
        only the contest of that name, id or office, the others left out whole
        (``other_contest``). A contest whose counts are all ranked-choice rounds has no
        first-choice votes to store: beside contests that have counts it is left out, noted, and
        never blocks them (issue 10, F13); alone it is refused by the import stage (no votes)."""
        out = []
        for election in _all(self.document, "Election"):
            contests = [c for c in _all(election, "Contest")
                        if str(c.get("@type", "")).endswith("CandidateContest")]
            chosen = self._chosen(election, contests)
            candidates = {c.get("@id", ""): c for c in _all(election, "Candidate")}
            facts = self.facts(election)
            counted = [c for c in chosen if not _rounds_only(c)]
            if self.options.contest is None and counted and len(counted) < len(chosen):
                chosen = counted
            others = tuple(self._other(c) for c in contests if c not in chosen)
            for contest in chosen:
                one = self._contest(election, contest, candidates, facts,
                                    len(contests) == 1)
                if one is not None:
                    out.append(replace(one, exclusions=one.exclusions + others,
                                       notes=one.notes + tuple(
                                           f"contest {_str(_one(c, 'Name'))!r} gives only "
                                           "ranked-choice round counts, no first-choice votes: "
                                           "not imported (tabulate it with `electoral rcv`)"
                                           for c in contests if c not in chosen
                                           and _rounds_only(c))))
        if not out and not self.problems:
            self.problems.append(Problem("no-contest", "the report has no candidate contest",
                                         field="Contest"))
        if self.problems:
            raise ValidationError(self.problems)
        return out

    def _chosen(self, election: Node, contests: list[Node]) -> list[Node]:
        """The contests ``--contest`` names (by ``Name``, ``ObjectId`` or office slug, case
        ignored), or all; none named is a problem listing the contests."""
        asked = self.options.contest
        if asked is None:
            return contests
        key = asked.strip().casefold()
        found = [c for c in contests if key in {
            _str(_one(c, "Name")).strip().casefold(), str(c.get("@id", "")).casefold()}
            or slug(asked) == (_exts(c).get("electoral-office") or slug(_str(_one(c, "Name"))))]
        if not found:
            names = "; ".join(repr(_str(_one(c, "Name"))) for c in contests)
            self.problems.append(Problem("no-contest", f"no contest {asked!r} in this report "
                                         f"(contests: {names})", field="Contest"))
        return found

    def _other(self, contest: Node) -> Exclusion:
        """A contest not imported, left out whole: its plain counts' votes and its count rows."""
        rows, votes = 0, 0
        for selection in _all(contest, "ContestSelection"):
            for node in _all(selection, "VoteCounts"):
                rows += 1
                count = _one(node, "Count")
                if _one(node, "Round") is None and isinstance(count, int) \
                        and _str(_one(node, "Type")) == "total":
                    votes += count
        reason = ("a ranked-choice contest with round counts only, not the one imported"
                  if _rounds_only(contest) else "another contest, not the one imported")
        return Exclusion(0, reason, votes, _str(_one(contest, "Name")), rows=max(rows, 1),
                         kind=OTHER_CONTEST, file=self.source)

    def _contest(self, election: Node, contest: Node, candidates: Mapping[str, Node],
                 facts: tuple[UnitFacts, ...], single: bool) -> Returns | None:
        exts = _exts(election)
        ours = "electoral-id" in exts and single
        try:
            found = Election.from_id(self.options.election or (exts["electoral-id"] if ours
                                                                else self._derive(election,
                                                                                  contest)))
        except ValidationError as exc:
            self.problems.extend(exc.problems)
            return None
        start = _str(_one(election, "StartDate"))[:10]
        date = None if exts.get("electoral-date") == "unknown" or not start else \
            dt.date.fromisoformat(start)
        # The name is read from its text element, kept verbatim, never from the identifier's
        # Value, whose surrounding spaces XML reading strips; the identifier says it was given.
        name = _str(_one(election, "Name")) if not ours or "electoral-name" in exts else ""
        chosen = Election(found.year, found.state, found.office, date, name)
        people: list[Candidate] = []
        votes: dict[tuple[str, str, VoteType], int | None] = {}
        exclusions: list[Exclusion] = []
        for selection in _all(contest, "ContestSelection"):
            candidate = self._candidate(selection, candidates)
            if candidate is None:
                continue
            people.append(candidate)
            self._counts(selection, candidate.id, votes, exclusions)
        counts = tuple(Count(u, c, n, t) for (u, c, t), n in votes.items())
        facts = self._contest_progress(contest, facts)
        partly = [f for f in facts if f.partly_counted]
        names = {u.id: u.name for u in self.units}
        notes = (f"the report gives a count in progress, not final: "
                 f"{'; '.join(f'{names.get(f.unit, f.unit)} ({f.progress()})' for f in partly)};"
                 " no winner is declared until it is complete (or --assume-complete)",
                 ) if partly else ()
        return Returns(chosen, tuple(people), tuple(self.units), counts,
                       parties=tuple(self.parties.values()), facts=facts, source=self.source,
                       exclusions=tuple(exclusions), notes=notes)

    def _contest_progress(self, contest: Node, facts: tuple[UnitFacts, ...]
                          ) -> tuple[UnitFacts, ...]:
        """``facts`` with the contest's own ``CountStatus`` and ``SubUnitsReported`` of
        ``TotalSubUnits`` given to its ``ElectionDistrictId`` unit."""
        status, reporting, expected = self._progress(contest)
        unit = self.gpu.get(_str(_one(contest, "ElectionDistrictId")))
        if unit is None or not (status or expected is not None):
            return facts
        by_unit = {f.unit: f for f in facts}
        known = by_unit.get(unit, UnitFacts(unit))
        by_unit[unit] = replace(
            known, status=", ".join(s for s in (known.status, status) if s),
            reporting=reporting if expected is not None else known.reporting,
            expected=expected if expected is not None else known.expected)
        return tuple(by_unit.values())

    def _derive(self, election: Node, contest: Node) -> str:
        year = _str(_one(election, "StartDate"))[:4]
        scope = self.gpu.get(_str(_one(election, "ElectionScopeId")), "")
        states = [u.id for u in self.units if u.id in STATE_NAMES]
        state = scope if scope in STATE_NAMES else (states[0] if len(states) == 1 else
                                                     STATE_BY_NAME.get(scope.lower(), "ZZ"))
        office = _exts(contest).get("electoral-office") or slug(_str(_one(contest, "Name")))
        return f"{year}-{state}-{office}"

    def _candidate(self, selection: Node, candidates: Mapping[str, Node]) -> Candidate | None:
        ids = _all(selection, "CandidateIds")
        write_in = _bool(_one(selection, "IsWriteIn"))
        if not ids:
            # a selection with no candidate: the write-ins where IsWriteIn says so (so named,
            # as the standard's OtherCounts WriteIns name them), else unnamed
            return Candidate(slug(str(selection.get("@id", ""))) or "write-in",
                             "Write-ins" if write_in else "", write_in=write_in, aggregate=True)
        node = candidates.get(ids[0])
        if node is None:
            self.problems.append(Problem("unknown-candidate", f"selection "
                                         f"{selection.get('@id')!r} names unknown candidate "
                                         f"{ids[0]!r}", field="CandidateIds"))
            return None
        exts = _exts(node)
        name = _str(_one(node, "BallotName"))
        mate = _str(_one(candidates[ids[1]], "BallotName")) if len(ids) > 1 and \
            ids[1] in candidates else None
        party = self.parties.get(_str(_one(node, "PartyId")))
        return Candidate(exts.get("electoral-id") or slug(name) or ids[0], name,
                         party.id if party else None, mate, exts.get("electoral-home-state"),
                         _bool(_one(node, "IsIncumbent")), write_in,
                         exts.get("electoral-aggregate") == "true")

    def _counts(self, selection: Node, candidate: str,
                votes: dict[tuple[str, str, VoteType], int | None],
                exclusions: list[Exclusion]) -> None:
        """Add the selection's ``VoteCounts`` to ``votes``; a count suppressed for privacy
        (``IsSuppressedForPrivacy``) is unknown (``None``, never 0, whatever its ``Count`` says),
        as MEDSL's ``*`` is, and makes the figure it is part of unknown."""
        for node in _all(selection, "VoteCounts"):
            where = _str(_one(node, "GpUnitId"))
            unit = self.gpu.get(where)
            kind = _vote_type(_str(_one(node, "Type")), _str(_one(node, "OtherType")))
            suppressed = _bool(_one(node, "IsSuppressedForPrivacy"))
            count = None if suppressed else self.number(_one(node, "Count"), "Count",
                                                        f"{candidate} in {where}")
            if unit is None or kind is None:
                self.problems.append(Problem(
                    "bad-count", f"a count of {candidate!r} names unknown "
                    f"{'unit ' + repr(where) if unit is None else 'type'}",
                    field="GpUnitId" if unit is None else "Type"))
                continue
            if _one(node, "Round") is not None:
                exclusions.append(Exclusion(0, "a ranked-choice round count", count,
                                            f"{candidate} in {unit}", kind="rcv_round",
                                            file=self.source))
                continue
            if count is None and not suppressed:
                continue
            key = (unit, candidate, kind)
            known = votes.get(key, 0)
            votes[key] = None if known is None or count is None else known + count
            if (votes[key] or 0) > LARGEST:
                self.problems.append(Problem("bad-count", f"{candidate} in {where}: the counts "
                                             f"add up to more than {LARGEST:,}", field="Count"))
                votes[key] = None


def _rounds_only(contest: Node) -> bool:
    """Every count of the contest is a ranked-choice round's (and it has some)."""
    counts = [n for sel in _all(contest, "ContestSelection") for n in _all(sel, "VoteCounts")]
    return bool(counts) and all(_one(n, "Round") is not None for n in counts)


def _vote_type(kind: str, other: str) -> VoteType | None:
    """A CountItemType as a vote type; ``other`` with an ``OtherType`` that names one of
    electoral's own types (what ``to_document`` writes for them) is that type."""
    if kind == "other":
        return next((t for t in VoteType if t.value == other), None)
    return VOTE_TYPES.get(kind)


def _bool(value: Any) -> bool:
    return value is True or str(value).strip().lower() == "true"


def _state_fips(po: str) -> str:
    return STATE_FIPS[po]


def from_document(document: Node, source: str, options: ReadOptions) -> list[Returns]:
    """The returns of a report in its JSON shape (as parsed from JSON, or converted from XML).

    Raises:
        ValidationError: as ``read_nist_xml``; ``malformed-file`` when a value has a type the
            schema does not give it (a list where an object belongs, a null, …).
    """
    try:
        return _Reader(document, source, options).returns()
    except (AttributeError, TypeError, KeyError, IndexError) as exc:
        raise ValidationError([Problem("malformed-file", "the report does not have NIST "
                                       f"1500-100 v2's structure ({type(exc).__name__}: {exc})")]) from None


def probe_json(name: str, head: str) -> bool:
    """A v2 report, or one the reader refuses naming it (v1 in JSON, a Civic Information API
    response)."""
    return head.startswith("{") and (
        f'"{PREFIX}ElectionReport"' in head or f'"{CIVIC_API}' in head
        or re.search(r'"(?:GpUnit|Election|Party|Person|Office)Collection"\s*:', head) is not None)


def probe_xml(name: str, head: str) -> bool:
    """Any ``ElectionReport`` root, v2 or not, or a VIP feed: the reader says which it found."""
    return head.startswith("<") and re.search(
        r"<(?:\w+:)?(?:ElectionReport|vip_object|VipObject)[\s>]", head) is not None


PROBES[Format.NIST_JSON] = probe_json
PROBES[Format.NIST_XML] = probe_xml
