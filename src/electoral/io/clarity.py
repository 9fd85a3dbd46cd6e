"""Clarity (Scytl) election-night ``detail.xml``: the export counties and states publish.

    ElectionResult > ElectionName, ElectionDate, Region, (Election)VoterTurnout > Counties|Precincts
                   > Contest[text] > Choice[text, party, totalVotes] > VoteType[name, votes]
                                                                     > County|Precinct[name, votes]
                   > Contest > VoteType "Undervotes"/"Overvotes" > County|Precinct

A state's file (``Region`` is a state code) reports by county, a county's file (``Region`` is the
county) by precinct. A county's file never names its state, and a county name is often one of
several states' (Kent is a county of DE, MD, MI, RI and TX), so without ``--election`` it is refused
naming those states; with it, the units are the state, the county and the county's precincts.
Counties are keyed by FIPS, precincts by ``{county}/{slug}``.

A contest's title gives the office: a title that names the presidency ("President of the United
States", "President and Vice President", the English half of a bilingual "President of the United
States/Presidente de los Estados Unidos") is ``president``, so the election is ``2020-DE-president``
from the file's date and state; any other title's office is the slug of its (English) title
(``2014-AR-u-s-senate``). The presidential contest is imported when there is one; ``--contest``
(``ReadOptions.contest``) or ``--election``'s office chooses another; the other contests are
exclusions of the one imported. A file with neither gives every contest as its own election.

A choice's text may carry the party and the incumbent mark ("Cole R. Dunmore (I) (Rep)") while its
``party`` attribute says "NP" (not given): the name is kept without the marks, the party comes from
the mark (``electoral.parties.canonical_party``), and "(I)" sets ``incumbent``. Votes per vote
type are kept under the source's own type names; the file's own totals (a choice's
``totalVotes``, each vote type's ``votes``) are checked against the units' sum, and a disagreement,
above or below, is a ``total_mismatch`` problem naming the line (the file is refused). Under-
and overvotes are exclusions; turnout gives ballots cast and registered voters, and
``precinctsReported`` of ``precinctsParticipating`` each unit's progress (a count in progress is
partial: ``tabulate.coverage``).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TextIO

from electoral.errors import Problem, ValidationError
from electoral.geography import county_fips, county_names
from electoral.io import PROBES, Format, ReadOptions, register
from electoral.io.counts import LARGEST, CountError, parse_count
from electoral.io.limits import parse_xml
from electoral.io.medsl import vote_type, wanted
from electoral.io.names import split_marks
from electoral.io.offices import is_presidency
from electoral.io.pseudo import OTHER_CONTEST, left_out_kind, pseudo_kind
from electoral.model import (
    STATE_BY_NAME,
    STATE_FIPS,
    STATE_NAMES,
    Candidate,
    Count,
    Election,
    Exclusion,
    Note,
    Party,
    Returns,
    Unit,
    UnitFacts,
    UnitKind,
    VoteType,
    slug,
)
from electoral.parties import canonical_party

# Vote-type names as Clarity sites write them, keyed as docs/import-json.md names a type (lower
# case, non-alphanumerics "_", a trailing "_votes" dropped). A name not here that is one of
# ``VoteType``'s values is that type; any other is read as MEDSL's modes are (``vote_type``).
VOTE_TYPES = {"election_day": VoteType.ELECTION_DAY, "election": VoteType.ELECTION_DAY,
              "early_vote": VoteType.EARLY, "early_voting": VoteType.EARLY,
              "absentee": VoteType.ABSENTEE, "mail": VoteType.MAIL,
              "provisional": VoteType.PROVISIONAL, "total": VoteType.TOTAL}
AREAS = ("County", "Precinct")


@dataclass(slots=True)
class _File:
    root: ET.Element
    lines: dict[int, int]
    problems: list[Problem] = field(default_factory=list)

    def line(self, element: ET.Element) -> int | None:
        return self.lines.get(id(element))

    def number(self, element: ET.Element, attribute: str) -> int | None:
        """The count in ``attribute`` (``io.counts``; Clarity withholds none); ``None`` and a
        located problem where it is missing or not a count."""
        text = element.get(attribute)
        try:
            if text is not None:
                return parse_count(text, withheld=False)
            message = "is missing"
        except CountError as exc:
            message = str(exc)
        self.problems.append(Problem("bad-votes", f"{attribute}: {message}",
                                     line=self.line(element), field=attribute))
        return None


def _parse(stream: TextIO) -> _File:
    """The XML tree, with the line each element starts on, within ``io.limits``' bounds."""
    try:
        root, lines = parse_xml(stream.read(), lines=True)
    except ET.ParseError as exc:
        raise ValidationError([Problem("malformed-file", f"not XML: {exc}",
                                       line=exc.position[0])]) from None
    if root.tag != "ElectionResult":
        raise ValidationError([Problem("not-clarity", f"the root element is {root.tag}, not a "
                                       "Clarity ElectionResult", line=1)])
    return _File(root, lines)


@register(Format.CLARITY)
def read_clarity(stream: TextIO, source: str, options: ReadOptions) -> list[Returns]:
    """The wanted contest of a Clarity detail.xml as one ``Returns`` (counts per unit and vote
    type; under- and overvotes, totals above their parts and the rows of the other contests are
    exclusions), or every contest, one ``Returns`` each, when none is wanted (module docstring).

    Raises:
        ValidationError: the file is not this format or has bad rows, every problem located by
            line and field (the file name is added by ``io.read_tables``); a county's file
            without ``--election`` (code ``state_unknown``, naming the states with such a county);
            ``--contest`` naming no contest of the file; two wanted contests of one office.
        NotFoundError: ``options.election`` names an election the file does not have.
    """
    doc = _parse(stream)
    want = wanted(options)
    year = _year(doc)
    contests = doc.root.findall("Contest")
    chosen = _chosen(doc, contests, options.contest, want)
    state, county = _region(doc, want, f"{year}-XX-{office_of(chosen[0]) if chosen else 'office'}")
    others = tuple(replace(_other_contest(doc, c), file=source) for c in contests if c not in chosen)
    out, seen = [], set()
    for contest in chosen:
        election = Election(year, state, want.office if want else office_of(contest), _date(doc),
                            (doc.root.findtext("ElectionName") or "").strip())
        if election.id in seen:
            doc.problems.append(Problem(
                "no-contest", f"two contests are {election.id}: pass --contest with one of their "
                f"titles ({_titles(chosen)})", line=doc.line(contest), field="Contest"))
            continue
        seen.add(election.id)
        returns = _contest(doc, contest, election, county, source)
        out.append(replace(returns, exclusions=returns.exclusions + others))
    if not out and not doc.problems:
        doc.problems.append(Problem("no-contest", f"no contest {want.office if want else ''} "
                                    f"in this file (contests: {_titles(contests)})",
                                    field="Contest"))
    if doc.problems:
        raise ValidationError(doc.problems)
    return out


def office_of(contest: ET.Element) -> str:
    """The office a contest is for: ``president`` where its (English) title names the presidency,
    else the slug of that title (``u-s-senate``), else ``contest-{key}``. Source: the contest
    titles of Clarity's state and county files (module docstring)."""
    title = _english(contest.get("text", ""))
    if is_presidency(title):
        return "president"
    return slug(title) or f"contest-{contest.get('key', '')}"


def _english(title: str) -> str:
    """The first half of a bilingual title ("US Senate/Senado de los Estados Unidos")."""
    first, _, rest = title.partition("/")
    return first.strip() if first.strip() and any(c.isalpha() for c in rest) else title.strip()


def _titles(contests: list[ET.Element]) -> str:
    return "; ".join(repr(c.get("text", "")) for c in contests)


def _chosen(doc: _File, contests: list[ET.Element], contest: str | None,
            want: Election | None) -> list[ET.Element]:
    """The contests to import: ``--contest``'s (by title, either half of a bilingual one, its
    office or key); else those of ``--election``'s office (the only one, whatever its title);
    else the presidential one; else every contest."""
    if contest is not None:
        asked = contest.strip().casefold()
        found = [c for c in contests if asked in {
            c.get("text", "").strip().casefold(), c.get("key", "").casefold(),
            *(part.strip().casefold() for part in c.get("text", "").split("/"))}
            or slug(contest) == office_of(c)]
        if not found:
            doc.problems.append(Problem("no-contest", f"no contest {contest!r} in this file "
                                        f"(contests: {_titles(contests)})", field="Contest"))
        return found
    if want is not None:
        return contests if len(contests) == 1 else [
            c for c in contests if office_of(c) == want.office]
    presidential = [c for c in contests if office_of(c) == "president"]
    return presidential or contests


def _other_contest(doc: _File, contest: ET.Element) -> Exclusion:
    """A contest not imported, set aside whole: its votes (the choices' ``totalVotes``) and
    the number of unit rows it has."""
    choices = contest.findall("Choice")
    rows = sum(len(_children(kind)) for choice in choices for kind in choice.findall("VoteType"))
    totals = [choice.get("totalVotes", "") for choice in choices]
    try:  # a contest not imported: a figure that is not a count makes its votes unknown
        votes: int | None = sum(parse_count(t, withheld=False) or 0 for t in totals)
    except CountError:
        votes = None
    if votes is not None and votes > LARGEST:
        votes = None
    return Exclusion(doc.line(contest) or 0, "another contest, not the one imported", votes,
                     contest.get("text", ""), rows=max(rows, 1), kind=OTHER_CONTEST)


def _region(doc: _File, want: Election | None, example: str) -> tuple[str, Unit | None]:
    """The state, and the county when the file is one county's (``example`` is the election id
    the refusal suggests, its state as XX)."""
    region = (doc.root.findtext("Region") or "").strip()
    if region.upper() in STATE_NAMES:
        return region.upper(), None
    if region.lower() in STATE_BY_NAME:
        return STATE_BY_NAME[region.lower()], None
    states = [st for st in STATE_NAMES if county_fips(st, region)]
    which = (f"{region} is a county of {_listed(states)}" if states else
             f"no state has a county named {region!r}")
    if want is None:
        raise ValidationError([Problem(
            "state_unknown", f"Region {region!r} is a county and the file never names its state "
            f"({which}): pass --election {example}", field="Region")])
    fips = county_fips(want.state, region)
    if fips is None:
        raise ValidationError([Problem(
            "unknown-unit", f"Region {region!r} is not a county of {want.state} ({which}); "
            "check --election", field="Region")])
    return want.state, Unit(fips, county_names()[fips], UnitKind.COUNTY, parent=want.state,
                            fips=fips)


def _listed(states: list[str]) -> str:
    return states[0] if len(states) == 1 else f"{', '.join(states[:-1])} and {states[-1]}"


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
    counts: list[Count] = field(default_factory=list)
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
        candidate, party = _candidate(doc, choice)
        if party is not None:
            parties[party.id] = party
        candidates.append(candidate)
        _choice(doc, target, choice, candidate.id, county)
    for kind in contest.findall("VoteType"):  # under- and overvotes, straight under the contest
        for area in _children(kind):
            target.exclusions.append(_not_votes(doc, target, area, kind.get("name", ""), county))
    facts = _facts(doc, target, contest, county)
    names = {u.id: (u.name if u.kind is not UnitKind.STATE else "statewide")
             for u in target.units.values()}
    partly = [f"{names.get(f.unit, f.unit)} ({f.progress()})" for f in facts if f.partly_counted]
    notes = (Note(f"the file reports a count in progress, not final: {'; '.join(partly)}; no "
                  "winner is declared until every precinct has reported (or --assume-complete)",
                  "note", (doc.line(contest) or 0,), source),) if partly else ()
    return Returns(election, tuple(candidates), tuple(target.units.values()),
                   tuple(target.counts),
                   tuple(parties.values()), facts, source,
                   exclusions=tuple(replace(e, file=source) for e in target.exclusions),
                   notes=notes)


def _not_votes(doc: _File, target: _Contest, area: ET.Element, name: str,
               county: Unit | None) -> Exclusion:
    """A contest's own vote type (Clarity's "Undervotes", "Overvotes") in one unit: votes for no
    candidate, left out with the kind the one vocabulary (``io.pseudo``) gives its name."""
    pseudo = pseudo_kind(name)
    unit = _area_unit(target, area, county)
    names = ((("county", county.name),) if county else ()) + ((str(unit.kind), unit.name),)
    return Exclusion(doc.line(area) or 0, pseudo.reason if pseudo else f"{name} votes",
                     doc.number(area, "votes"), name, kind=left_out_kind(name) or "not_votes",
                     unit=names)


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


def _candidate(doc: _File, choice: ET.Element) -> tuple[Candidate, Party | None]:
    """A choice as a candidate: its text without the trailing party and incumbent marks, the
    party from the ``party`` attribute or else from the mark ("NP" names none), "(I)" as
    ``incumbent``. A mark that names no party ("(Write-In)") stays in the name; a mark and an
    attribute that name two different parties are an error (neither is guessed)."""
    text = (choice.get("text") or "").strip()
    name, mark, incumbent = split_marks(text)
    marked = canonical_party(mark)
    if mark is not None and marked is None:
        name = f"{name} {mark}"
    stated = canonical_party(choice.get("party", ""))
    if stated is not None and marked is not None and stated.id != marked.id:
        doc.problems.append(Problem("party-conflict", f"{text!r} has party={choice.get('party')!r}"
                                    f" but its name says {mark}", line=doc.line(choice),
                                    field="party"))
    party = stated or marked
    return Candidate(slug(name) or f"choice-{choice.get('key', '')}", name,
                     party.id if party else None, incumbent=incumbent,
                     aggregate=name.upper() in ("WRITE-IN", "WRITE-INS", "SCATTERING")), party


def _vote_type(name: str) -> VoteType:
    """A Clarity vote-type name as a ``VoteType`` (``VOTE_TYPES``)."""
    key = re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_").removesuffix("_votes")
    own = next((t for t in VoteType if t.value == key), None)
    return VOTE_TYPES.get(key) or own or vote_type(name)


def _choice(doc: _File, target: _Contest, choice: ET.Element, candidate: str,
            county: Unit | None) -> None:
    """A choice's votes per unit and vote type, checked against the file's own totals."""
    total = doc.number(choice, "totalVotes")
    summed = 0
    readable = True  # a part that is no count (a located problem already) makes no sum to check
    for kind_element in choice.findall("VoteType"):
        name = kind_element.get("name", "")
        kind = _vote_type(name)
        stated = doc.number(kind_element, "votes")
        added = 0
        for area in _children(kind_element):
            votes = doc.number(area, "votes")
            if votes is None:
                readable = False
                continue
            unit = _area_unit(target, area, county)
            # A repeated unit is passed on as it is: the import stage decides what it means.
            target.counts.append(Count(unit.id, candidate, votes, kind, doc.line(area)))
            added += votes
        if readable:
            _check_total(doc, kind_element, "votes", stated, added,
                         f"{choice.get('text', candidate)} {name}")
        summed += added
    if readable:
        _check_total(doc, choice, "totalVotes", total, summed, choice.get("text", candidate))


def _check_total(doc: _File, element: ET.Element, attribute: str, stated: int | None,
                 placed: int, label: str) -> None:
    """A file's own total (a choice's ``totalVotes``, a vote type's ``votes``) that is not the sum
    of its parts is a located problem (kind ``total_mismatch``), above as below: the cases README
    (../shared/cases/returns/README.md, "Problems") says the Clarity reader refuses an inconsistent
    total. Arkansas' 2014 Senate file gives Cotton ``totalVotes=477734`` over vote types adding up
    to 462,123: neither figure can be stored as the certified one, so the file is refused rather
    than stored short and called complete (issue 10, F15)."""
    if stated is None or stated == placed:
        return
    what = "vote types" if attribute == "totalVotes" else "units"
    doc.problems.append(Problem(
        "total_mismatch", f"{label}: {attribute}={stated} but its {what} add up to {placed} "
        f"({'+' if stated > placed else ''}{stated - placed}); the file contradicts itself, so "
        "neither figure is stored", line=doc.line(element), field=attribute))


def _facts(doc: _File, target: _Contest, contest: ET.Element,
           county: Unit | None) -> tuple[UnitFacts, ...]:
    """Ballots cast and registered voters (the turnout areas), and each unit's reporting status:
    ``precinctsReported`` of ``precinctsParticipating`` from the contest's own
    ``ParticipatingCounties`` where it lists the unit, else from the turnout area; the contest's
    own attributes for the whole (the state, or a county's file's county). An election-night file
    with Kent's 4 of 10 precincts is not Kent's result (``UnitFacts.partly_counted``)."""
    out: dict[str, UnitFacts] = {}
    for area in _areas(doc):
        unit = _area_unit(target, area, county)
        cast = doc.number(area, "ballotsCast") if area.get("ballotsCast") is not None else None
        voters = doc.number(area, "totalVoters") if area.get("totalVoters") is not None else None
        # A county's precinct file writes totalVoters="0" where it does not know them.
        registered = voters if voters or not cast else None
        reporting, expected = _progress(doc, area)
        if cast is not None or registered is not None or expected is not None:
            out[unit.id] = UnitFacts(unit.id, cast, registered, reporting=reporting,
                                     expected=expected)
    for holder in contest.findall("ParticipatingCounties"):
        for area in _children(holder):
            reporting, expected = _progress(doc, area)
            if expected is not None:
                unit = _area_unit(target, area, county)
                known = out.get(unit.id, UnitFacts(unit.id))
                out[unit.id] = replace(known, reporting=reporting, expected=expected)
    reporting, expected = _progress(doc, contest)
    whole = county.id if county else target.election.state
    if expected is not None:
        out[whole] = replace(out.get(whole, UnitFacts(whole)), reporting=reporting,
                             expected=expected)
    return tuple(out.values())


def _progress(doc: _File, element: ET.Element) -> tuple[int | None, int | None]:
    """``(precinctsReported, precinctsParticipating)`` of an element, ``(None, None)`` where it
    gives no reporting status; a reported count above the participating one is a problem."""
    if element.get("precinctsParticipating") is None or element.get("precinctsReported") is None:
        return None, None
    expected = doc.number(element, "precinctsParticipating")
    reporting = doc.number(element, "precinctsReported")
    if reporting is not None and expected is not None and reporting > expected:
        doc.problems.append(Problem(
            "bad-votes", f"precinctsReported={reporting} is above precinctsParticipating="
            f"{expected}", line=doc.line(element), field="precinctsReported"))
    return reporting, expected


def probe_clarity(name: str, head: str) -> bool:
    return "<ElectionResult>" in head and ("<ElectionName>" in head or "<Region>" in head)


PROBES[Format.CLARITY] = probe_clarity
