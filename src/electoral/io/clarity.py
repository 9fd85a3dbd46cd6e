"""Clarity (Scytl) election-night ``detail.xml``: the export counties and states publish.

    ElectionResult > ElectionName, ElectionDate, Region, (Election)VoterTurnout > Counties|Precincts
                   > Contest[text] > Choice[text, party, totalVotes] > VoteType[name, votes]
                                                                     > County|Precinct[name, votes]
                   > Contest > VoteType "Undervotes"/"Overvotes" > County|Precinct

A state's file (``Region`` is a state code) reports by county, a county's file (``Region`` is the
county) by precinct. Each contest becomes one ``Returns`` (``2014-AR-u-s-senate``); a county's file
needs the state from ``--election`` (or the FIPS table) since it never names it. Counties are keyed
by FIPS, precincts by ``{county}/{slug}``. Per vote type votes are kept as vote types; the file's
own totals (a choice's ``totalVotes``, each vote type's ``votes``) are checked against the units'
sum, and a disagreement is an error naming the line. Under- and overvotes are exclusions; turnout
gives ballots cast and registered voters.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO
from xml.parsers import expat

from electoral.errors import Problem, ValidationError
from electoral.geography import county_fips, county_names
from electoral.io import PROBES, Format, ReadOptions, register
from electoral.io.medsl import MAJOR, NOT_VOTES, vote_type, wanted
from electoral.model import (
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

PARTY_CODES = {"REP": "REPUBLICAN", "DEM": "DEMOCRAT", "LIB": "LIBERTARIAN", "LBT": "LIBERTARIAN"}
VOTE_TYPES = {"election day": VoteType.ELECTION_DAY, "election": VoteType.ELECTION_DAY,
              "early vote": VoteType.EARLY, "early voting": VoteType.EARLY,
              "absentee": VoteType.ABSENTEE, "absentee by mail": VoteType.MAIL,
              "mail": VoteType.MAIL, "provisional": VoteType.PROVISIONAL,
              "total": VoteType.TOTAL, "total votes": VoteType.TOTAL}
AREAS = ("County", "Precinct")


@dataclass(slots=True)
class _File:
    root: ET.Element
    lines: dict[int, int]
    problems: list[Problem] = field(default_factory=list)

    def line(self, element: ET.Element) -> int | None:
        return self.lines.get(id(element))

    def number(self, element: ET.Element, attribute: str) -> int | None:
        text = element.get(attribute)
        if text is not None and text.strip().isdigit():
            return int(text)
        self.problems.append(Problem("bad-votes", f"{attribute}={text!r} is not a vote count",
                                     line=self.line(element), field=attribute))
        return None


def _parse(stream: TextIO) -> _File:
    """The XML tree, with the line each element starts on (expat knows it; ElementTree not)."""
    parser = expat.ParserCreate()
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        lines[id(builder.start(tag, attrs))] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(stream.read(), True)
        root = builder.close()
    except expat.ExpatError as exc:
        raise ValidationError([Problem("malformed-file", f"not XML: {exc}",
                                       line=exc.lineno)]) from None
    if root.tag != "ElectionResult":
        raise ValidationError([Problem("not-clarity", f"the root element is {root.tag}, not a "
                                       "Clarity ElectionResult", line=1)])
    return _File(root, lines)


@register(Format.CLARITY)
def read_clarity(stream: TextIO, source: str, options: ReadOptions) -> list[Returns]:
    """Every contest of a Clarity detail.xml, one ``Returns`` each (counts per vote type;
    under- and overvotes, and totals above their parts, are exclusions).

    Raises:
        ValidationError: the file is not this format or has bad rows, every problem located by
            line and field (the file name is added by ``io.read_tables``).
        NotFoundError: ``options.election`` names an election the file does not have.
    """
    doc = _parse(stream)
    want = wanted(options)
    state, county = _region(doc, want)
    year = _year(doc)
    contests = doc.root.findall("Contest")
    out = []
    for contest in contests:
        office = slug(contest.get("text", "")) or f"contest-{contest.get('key', '')}"
        if want is not None and len(contests) > 1 and office != want.office:
            continue
        election = Election(year, state, want.office if want else office, _date(doc),
                            (doc.root.findtext("ElectionName") or "").strip())
        out.append(_contest(doc, contest, election, county, source))
    if not out and not doc.problems:
        offices = ", ".join(slug(c.get("text", "")) for c in contests)
        doc.problems.append(Problem("no-contest", f"no contest {want.office if want else ''} "
                                    f"in this file (contests: {offices})", field="Contest"))
    if doc.problems:
        raise ValidationError(doc.problems)
    return out


def _region(doc: _File, want: Election | None) -> tuple[str, Unit | None]:
    """The state, and the county when the file is one county's."""
    region = (doc.root.findtext("Region") or "").strip()
    if region.upper() in STATE_NAMES:
        return region.upper(), None
    state = want.state if want else ""
    if not state:
        raise ValidationError([Problem(
            "no-state", f"Region {region!r} is a county: pass --election YEAR-ST-office to say "
            "its state", field="Region")])
    fips = county_fips(state, region)
    uid = fips or f"{state}-county-{slug(region)}"
    return state, Unit(uid, county_names().get(fips or "", region), UnitKind.COUNTY,
                       parent=state, fips=fips)


def _year(doc: _File) -> int:
    day = _date(doc)
    if day is None:
        raise ValidationError([Problem("bad-date", "ElectionDate is missing or not M/D/YYYY",
                                       field="ElectionDate")])
    return day.year


def _date(doc: _File) -> dt.date | None:
    text = (doc.root.findtext("ElectionDate") or "").strip()
    try:
        return dt.datetime.strptime(text, "%m/%d/%Y").date()
    except ValueError:
        return None


@dataclass(slots=True)
class _Contest:
    election: Election
    units: dict[str, Unit]
    votes: dict[tuple[str, str, VoteType], int] = field(default_factory=dict)
    exclusions: list[Exclusion] = field(default_factory=list)


def _contest(doc: _File, contest: ET.Element, election: Election, county: Unit | None,
             source: str) -> Returns:
    st = election.state
    state = Unit(st, STATE_NAMES[st], UnitKind.STATE, fips=STATE_FIPS[st])
    target = _Contest(election, {st: state} | ({county.id: county} if county else {}))
    for area in _areas(doc):
        _area_unit(target, area, county)
    candidates, parties = [], {}
    for choice in contest.findall("Choice"):
        name = (choice.get("text") or "").strip()
        party = _party(choice.get("party", ""))
        if party is not None:
            parties[party.id] = party
        candidate = Candidate(slug(name) or f"choice-{choice.get('key', '')}", name,
                              party.id if party else None,
                              aggregate=name.upper() in ("WRITE-IN", "WRITE-INS", "SCATTERING"))
        candidates.append(candidate)
        _choice(doc, target, choice, candidate.id, county)
    for kind in contest.findall("VoteType"):  # under- and overvotes, straight under the contest
        for area in _children(kind):
            votes = doc.number(area, "votes")
            reason = NOT_VOTES.get(kind.get("name", "").upper(), f"{kind.get('name')} votes")
            target.exclusions.append(Exclusion(doc.line(area) or 0, reason, votes,
                                               f"{area.get('name')}: {kind.get('name')}"))
    counts = tuple(Count(u, c, n, t) for (u, c, t), n in target.votes.items())
    return Returns(election, tuple(candidates), tuple(target.units.values()), counts,
                   tuple(parties.values()), _facts(doc, target, county), source,
                   exclusions=tuple(target.exclusions))


def _areas(doc: _File) -> Iterator[ET.Element]:
    for turnout in ("ElectionVoterTurnout", "VoterTurnout"):
        for holder in doc.root.findall(turnout):
            for group in holder:
                yield from (e for e in group if e.tag in AREAS)


def _children(element: ET.Element) -> list[ET.Element]:
    return [e for e in element if e.tag in AREAS]


def _area_unit(target: _Contest, area: ET.Element, county: Unit | None) -> Unit:
    name = (area.get("name") or "").strip()
    st = target.election.state
    if area.tag == "County":
        fips = county_fips(st, name)
        uid = fips or f"{st}-county-{slug(name)}"
        unit = Unit(uid, county_names().get(fips or "", name), UnitKind.COUNTY, parent=st,
                    fips=fips)
    else:
        parent = county.id if county else st
        unit = Unit(f"{parent}/{slug(name) or 'unnamed'}", name, UnitKind.PRECINCT, parent=parent)
    return target.units.setdefault(unit.id, unit)


def _party(code: str) -> Party | None:
    code = code.strip().upper()
    if not code:
        return None
    return MAJOR.get(PARTY_CODES.get(code, code)) or Party(slug(code), code)


def _choice(doc: _File, target: _Contest, choice: ET.Element, candidate: str,
            county: Unit | None) -> None:
    """A choice's votes per unit and vote type, checked against the file's own totals."""
    total = doc.number(choice, "totalVotes")
    summed = 0
    for kind_element in choice.findall("VoteType"):
        name = kind_element.get("name", "")
        kind = VOTE_TYPES.get(name.strip().lower()) or vote_type(name)
        stated = doc.number(kind_element, "votes")
        added = 0
        for area in _children(kind_element):
            votes = doc.number(area, "votes")
            if votes is None:
                continue
            unit = _area_unit(target, area, county)
            key = (unit.id, candidate, kind)
            target.votes[key] = target.votes.get(key, 0) + votes
            added += votes
        _unplaced(doc, target, kind_element, "votes", stated, added, f"{candidate} {name}")
        summed += added
    _unplaced(doc, target, choice, "totalVotes", total, summed, candidate)


def _unplaced(doc: _File, target: _Contest, element: ET.Element, attribute: str,
              stated: int | None, placed: int, label: str) -> None:
    """A total above the sum of its parts is votes of no unit: an exclusion with its reason. One
    below it contradicts the parts: an error."""
    if stated is None or stated == placed:
        return
    if stated > placed:
        target.exclusions.append(Exclusion(
            doc.line(element) or 0, f"{attribute} exceeds its parts: votes reported for no unit",
            stated - placed, label))
        return
    doc.problems.append(Problem("inconsistent-total", f"{attribute}={stated} but its parts add "
                                f"up to {placed}", line=doc.line(element), field=attribute))


def _facts(doc: _File, target: _Contest, county: Unit | None) -> tuple[UnitFacts, ...]:
    out = []
    for area in _areas(doc):
        unit = _area_unit(target, area, county)
        cast = doc.number(area, "ballotsCast") if area.get("ballotsCast") is not None else None
        voters = doc.number(area, "totalVoters") if area.get("totalVoters") is not None else None
        # A county's precinct file writes totalVoters="0" where it does not know them.
        registered = voters if voters or not cast else None
        if cast is not None or registered is not None:
            out.append(UnitFacts(unit.id, cast, registered))
    return tuple(out)


def probe_clarity(name: str, head: str) -> bool:
    return "<ElectionResult>" in head and ("<ElectionName>" in head or "<Region>" in head)


PROBES[Format.CLARITY] = probe_clarity
