"""The Electoral College: electors allocated from each state's returns, as cast, and the count.

Allocation follows each state's rule: winner-take-all on the statewide plurality, except Maine
(since 1972) and Nebraska (since 1992), which give two at-large electors to the statewide winner
and one to the winner of each congressional district. District winners come from district-level
returns when the import has them, else from the shipped table ``data/district_electors.csv`` (with
its source). Pledged electors and the votes actually cast are kept apart: the shipped record of
faithless and abstaining electors (1976–2024, ``data/faithless_electors.csv``) turns one into the
other.

A national candidate is a ticket: the Democratic and Republican nominees are known by their party
(so a mislabelled name in one state's file still counts for its ticket), anyone else by the
candidate id. A majority of all electors wins; without one, the 12th Amendment's contingent election
follows (the House, one vote per state delegation, among the top three; the Senate, for vice
president, between the top two). Scenarios (flips, a uniform swing) and the outcome analyses are in
``electoral.tabulate.scenarios``.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from functools import cache
from importlib import resources

from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.model import STATE_NAMES, Candidate, Returns, Unit, UnitKind, slug
from electoral.numbers import percent
from electoral.parties import DEMOCRATIC, REPUBLICAN
from electoral.tabulate.apportion import electors_for
from electoral.tabulate.rollup import roll_up

MAJOR_PARTIES = (DEMOCRATIC.id, REPUBLICAN.id)
# The congressional district method: Maine since the 1972 election (Me. Rev. Stat. tit. 21-A §802),
# Nebraska since 1992 (Neb. Rev. Stat. §32-1038).
DISTRICT_METHOD_SINCE = {"ME": 1972, "NE": 1992}
AT_LARGE = 2  # the two electors every state has for its senators (U.S. Const. art. II §1)
HOUSE_DELEGATIONS = 50  # the House votes by state delegation in a contingent election
SENATORS = 100


@dataclass(frozen=True, slots=True)
class Nominee:
    """A national candidate (a ticket), known by ``key``: a major party's id, or a candidate id
    (``person:<slug>`` for someone who received electoral votes without being on the ballot)."""

    key: str
    name: str
    party: str = ""
    running_mate: str | None = None
    party_id: str | None = None


@dataclass(frozen=True, slots=True)
class Contest:
    """One block of electors decided by one popular vote: a whole state (``OH``), the at-large pair
    of a district-method state (``ME``), or one congressional district (``ME-02``)."""

    id: str
    state: str
    electors: int
    votes: Mapping[str, Fraction]  # nominee key → votes; empty when only the winner is known
    total: int
    winner: str | None  # nominee key; None on an exact tie
    runner_up: str | None
    source: str = "returns"
    flipped: bool = False

    @property
    def margin(self) -> Fraction | None:
        """Winner's votes minus the runner-up's, exact (fractional only under a swing)."""
        if not self.votes or self.winner is None:
            return None if not self.votes else Fraction(0)
        return self.votes.get(self.winner, Fraction(0)) - self.votes.get(self.runner_up or "", 0)

    @property
    def margin_votes(self) -> int | None:
        """``margin`` in whole votes, rounded once, half away from zero; ``None`` when unknown."""
        return None if self.margin is None else _round(self.margin)

    @property
    def margin_percent(self) -> Decimal | None:
        """``margin`` as a percentage of the contest's total votes, from the exact fraction,
        rounded once, half away from zero, to 2 decimals; ``None`` when unknown or empty."""
        if self.margin is None or not self.total:
            return None
        return percent(self.margin.numerator, self.margin.denominator * self.total)

    def lead(self, first: str, second: str) -> Fraction | None:
        """``first``'s votes minus ``second``'s as a share of the total (None when unknown)."""
        if not self.votes or not self.total:
            return None
        lead = self.votes.get(first, Fraction(0)) - self.votes.get(second, Fraction(0))
        return lead / self.total


@dataclass(frozen=True, slots=True)
class StateVotes:
    """A state's popular vote by nominee, statewide and (when imported) per congressional
    district."""

    state: str
    votes: Mapping[str, Fraction | int]  # Fractions only under a swing
    total: int
    nominees: tuple[Nominee, ...]
    districts: Mapping[int, tuple[Mapping[str, Fraction | int], int]] = field(default_factory=dict)
    slate: tuple[str, ...] = ()  # elector names, when the source lists them


@dataclass(frozen=True, slots=True)
class ElectorVote:
    """One elector who did not vote as pledged: a faithless vote, or an abstention (no name)."""

    year: int
    state: str
    elector: str
    pledged: str  # nominee key (a major party)
    pledged_president: str
    president: str  # the person voted for; "" for an abstention
    vice_president: str
    note: str
    source: str


@dataclass(frozen=True, slots=True)
class Contingent:
    """No majority: the House picks the president among the top three (a majority of the state
    delegations), the Senate the vice president between the top two (a majority of senators)."""

    president_among: tuple[str, ...]  # nominee keys
    vice_president_among: tuple[str, ...]  # running mates' names, or "running mate of X"
    house_needed: int = HOUSE_DELEGATIONS // 2 + 1
    senate_needed: int = SENATORS // 2 + 1


@dataclass(frozen=True, slots=True)
class College:
    """The national count for one election (or one scenario of it)."""

    year: int
    total: int
    needed: int
    nominees: Mapping[str, Nominee]
    contests: tuple[Contest, ...]
    pledged: Mapping[str, int]
    cast: Mapping[str, int]
    abstentions: int
    elector_votes: tuple[ElectorVote, ...]  # the faithless record applied (none in a scenario)
    winner: str | None
    contingent: Contingent | None
    slates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    scenario: str = ""  # a description of the flips and swing applied, "" for the actual result

    def name(self, key: str | None) -> str:
        """The display name of nominee ``key`` (the key itself if unknown; "" for ``None``)."""
        if key is None:
            return ""
        return self.nominees[key].name if key in self.nominees else key

    def ranking(self) -> list[str]:
        """Nominee keys by votes cast, then pledged, most first."""
        keys = set(self.cast) | set(self.pledged)
        return sorted(keys, key=lambda k: (-self.cast.get(k, 0), -self.pledged.get(k, 0),
                                           self.name(k)))

    def state(self, state: str) -> tuple[Contest, ...]:
        """The contests of ``state`` (USPS code): one, or at-large plus districts for ME and NE."""
        return tuple(c for c in self.contests if c.state == state)


# -- reading a state's returns -------------------------------------------------------------------


def display_name(label: str) -> str:
    """A file's label as a name: ``BUSH, GEORGE W.`` → ``George W. Bush``; others unchanged
    unless all upper case (``MCCAIN, JOHN`` → ``John McCain``)."""
    if "," in label:
        surname, _, given = label.partition(",")
        given, suffix = _suffix(given.strip())
        label = " ".join(part for part in (given, surname.strip(), suffix) if part)
    if label.isupper():
        label = re.sub(r"\bMc(\w)", lambda m: "Mc" + m[1].upper(), label.title())
        label = re.sub(r"\b(Jr|Sr)\b\.?", r"\1.", label)
    return label


def _suffix(given: str) -> tuple[str, str]:
    words = given.split()
    if words and words[-1].rstrip(".").upper() in ("JR", "SR", "II", "III", "IV"):
        return " ".join(words[:-1]), words[-1]
    return given, ""


def state_votes(returns: Returns) -> StateVotes:
    """The statewide (and district) popular vote of one state's presidential returns, by candidate
    id; ``unify`` turns the ids into national tickets."""
    state = returns.election.state
    table = roll_up(returns, UnitKind.STATE)
    real = [c for c in returns.candidates if not c.aggregate]
    votes = {c.id: table.total.of(c.id) for c in real}
    # a source naming parties only (stored before its reader named the nominees) still gives
    # every ticket a name: "Republican nominee", never a blank
    nominees = tuple(Nominee(c.id, c.name or (f"{returns.party_name(c.party)} nominee" if c.party
                                              else c.label),
                             returns.party_name(c.party), c.running_mate, c.party)
                     for c in real)
    return StateVotes(state, votes, table.total.total, nominees, _district_votes(returns, real),
                      returns.electors)


def _district_votes(returns: Returns,
                    real: list[Candidate]) -> dict[int, tuple[Mapping[str, int], int]]:
    if not any(u.kind == UnitKind.DISTRICT for u in returns.units):
        return {}
    try:
        table = roll_up(returns, UnitKind.DISTRICT)
    except NotFoundError:
        return {}
    return {_district_number(row.unit): ({c.id: row.of(c.id) for c in real}, row.total)
            for row in table.rows}


def unify(states: Iterable[StateVotes]) -> list[StateVotes]:
    """Re-key every state's votes by national ticket: a candidate who ran for the Democratic or
    Republican party in any state is that party's ticket everywhere (whatever line a state's file
    gives), anyone else keeps the candidate id. Idempotent."""
    states = list(states)
    weight: dict[str, Counter[str]] = {}
    for sv in states:
        for n in sv.nominees:
            if n.party_id in MAJOR_PARTIES:
                weight.setdefault(n.key, Counter())[n.party_id] += int(sv.votes.get(n.key, 0))
    ticket = {cid: parties.most_common(1)[0][0] for cid, parties in weight.items()}
    return [_rekey(sv, ticket) for sv in states]


def _rekey(sv: StateVotes, ticket: Mapping[str, str]) -> StateVotes:
    def key(n: Nominee) -> str:
        return n.party_id if n.party_id in MAJOR_PARTIES else ticket.get(n.key, n.key)

    keys = {n.key: key(n) for n in sv.nominees}

    def sums(votes: Mapping[str, Fraction | int]) -> dict[str, Fraction | int]:
        out: dict[str, Fraction | int] = {}
        for cid, v in votes.items():
            out[keys.get(cid, cid)] = out.get(keys.get(cid, cid), 0) + v
        return out

    nominees = tuple(Nominee(keys[n.key], n.name, n.party, n.running_mate,
                             keys[n.key] if keys[n.key] in MAJOR_PARTIES else n.party_id)
                     for n in sv.nominees)
    districts = {d: (sums(v), t) for d, (v, t) in sv.districts.items()}
    return replace(sv, votes=sums(sv.votes), nominees=nominees, districts=districts)


def _district_number(unit: Unit) -> int:
    for text in (unit.id, unit.name):
        match = re.search(r"(\d+)\D*$", text)
        if match:
            return int(match[1])
    raise ValidationError([Problem("district-number", f"cannot tell which congressional district "
                                   f"unit {unit.id!r} ({unit.name}) is", field="unit")])


# -- allocation ----------------------------------------------------------------------------------


def uses_district_method(state: str, year: int) -> bool:
    """Whether ``state`` gave its electors by congressional district in ``year`` (Maine from 1972,
    Nebraska from 1992: ``DISTRICT_METHOD_SINCE``)."""
    since = DISTRICT_METHOD_SINCE.get(state)
    return since is not None and year >= since


def decide(contest_id: str, state: str, electors: int, votes: Mapping[str, Fraction | int],
           total: int, source: str = "returns") -> Contest:
    """A contest decided by plurality; an exact tie for first leaves no winner."""
    exact = {k: Fraction(v) for k, v in votes.items()}
    ranked = sorted(exact, key=lambda k: (-exact[k], k))
    winner = ranked[0] if ranked and exact[ranked[0]] > 0 else None
    if winner is not None and len(ranked) > 1 and exact[ranked[1]] == exact[winner]:
        winner = None
    runner_up = ranked[1] if len(ranked) > 1 else None
    return Contest(contest_id, state, electors, exact, total, winner, runner_up, source)


def allocate_electors(votes: StateVotes, electors: int, year: int) -> tuple[Contest, ...]:
    """The contests of one state: the whole state (winner-take-all), or for Maine and Nebraska
    two at-large electors plus one per congressional district (``DISTRICT_METHOD_SINCE``).
    ``electors`` is the state's total (House seats + 2, U.S. Const. art. II §1).

    Raises:
        ValidationError: the returns' districts are not exactly 1..(electors − 2).
        NotFoundError: a district-method state without district returns, for a year the shipped
            district table does not cover.
    """
    if not uses_district_method(votes.state, year):
        return (decide(votes.state, votes.state, electors, votes.votes, votes.total),)
    at_large = decide(votes.state, votes.state, AT_LARGE, votes.votes, votes.total)
    count = electors - AT_LARGE
    if votes.districts:
        if sorted(votes.districts) != list(range(1, count + 1)):
            raise ValidationError([Problem(
                "districts", f"{votes.state} {year} has {count} congressional districts; the "
                f"returns have district(s) {sorted(votes.districts)}", field="district")])
        districts = [decide(district_id(votes.state, n), votes.state, 1, *votes.districts[n])
                     for n in range(1, count + 1)]
    else:
        districts = _table_districts(votes, count, year, at_large)
    return (at_large, *districts)


def district_id(state: str, number: int) -> str:
    """The contest id of congressional district ``number`` of ``state``: ``NE-02``."""
    return f"{state}-{number:02d}"


def _table_districts(votes: StateVotes, count: int, year: int,
                     at_large: Contest) -> list[Contest]:
    rows = [r for r in district_table() if r.year == year and r.state == votes.state]
    if len(rows) != count:
        raise NotFoundError(
            f"no district results for {votes.state} {year}: it awards {count} electors by "
            "congressional district; import district-level returns (units of kind 'district')")
    contests = []
    for row in sorted(rows, key=lambda r: r.district):
        # The table names a party; the state's own key for that ticket is the party (after
        # ``unify``) or the id of the candidate who ran for it (a single state's returns).
        winner = next((n.key for n in votes.nominees
                       if n.key == row.party or n.party_id == row.party), row.party)
        others = [k for k in (at_large.winner, at_large.runner_up) if k and k != winner]
        contests.append(Contest(district_id(votes.state, row.district), votes.state, 1, {}, 0,
                                winner, others[0] if others else None, row.source))
    return contests


# -- the national count --------------------------------------------------------------------------


def count_college(states: Iterable[StateVotes], year: int, *, contests: Iterable[Contest] = (),
                  scenario: str = "") -> College:
    """The national count: pledged electors from each state's contests, then the votes cast.
    ``contests`` replaces the allocation (a scenario); the faithless record is applied only to the
    actual result, since a scenario's electors are hypothetical. A majority of all electors
    (270 of 538) wins (12th Amendment); without one, the contingent election is recorded.

    Raises:
        ValidationError: a state given twice or one that casts no electoral votes, or a faithless
            record that does not match the returns' winners.
        NotFoundError: a state or DC missing, or no apportionment for ``year``.
    """
    states = unify(states)
    electors = electors_for(year)
    _check_states(states, electors, year)
    decided = tuple(contests) or tuple(
        c for sv in sorted(states, key=lambda s: s.state)
        for c in allocate_electors(sv, electors[sv.state], year))
    nominees = _nominees(states)
    pledged: Counter[str] = Counter()
    for contest in decided:
        if contest.winner is not None:
            pledged[contest.winner] += contest.electors
    record = () if scenario else faithless_for(year)
    cast, abstentions = _cast(pledged, record, decided, nominees)
    total = sum(electors.values())
    needed = total // 2 + 1
    leader = max(cast, key=lambda k: cast[k], default=None)
    winner = leader if leader is not None and cast[leader] >= needed else None
    college = College(year, total, needed, nominees, decided, dict(pledged), dict(cast),
                      abstentions, record, winner, None,
                      {sv.state: sv.slate for sv in states if sv.slate}, scenario)
    if winner is None:
        college = _with_contingent(college)
    return college


def _check_states(states: list[StateVotes], electors: Mapping[str, int], year: int) -> None:
    have = Counter(sv.state for sv in states)
    problems = [Problem("duplicate-state", f"{s} appears {n} times for {year}", field="state")
                for s, n in have.items() if n > 1]
    problems += [Problem("unknown-state", f"{s} casts no electoral votes", field="state")
                 for s in have if s not in electors]
    if problems:
        raise ValidationError(problems)
    missing = sorted(set(electors) - set(have))
    if missing:
        raise NotFoundError(
            f"{year}: no presidential returns for {', '.join(missing)}; the national count needs "
            "all 50 states and DC (import e.g. the MEDSL state file with `electoral import`)")


def _nominees(states: list[StateVotes]) -> dict[str, Nominee]:
    """One nominee per key: the label most states use, as a display name."""
    labels: dict[str, Counter[str]] = {}
    first: dict[str, Nominee] = {}
    for sv in states:
        for nominee in sv.nominees:
            votes = int(sv.votes.get(nominee.key, 0))
            labels.setdefault(nominee.key, Counter())[nominee.name] += votes
            if nominee.key not in first or (nominee.running_mate and
                                            not first[nominee.key].running_mate):
                first[nominee.key] = nominee
    return {key: Nominee(key, display_name(labels[key].most_common(1)[0][0]), n.party,
                         n.running_mate) for key, n in first.items()}


def _cast(pledged: Counter[str], record: tuple[ElectorVote, ...], contests: tuple[Contest, ...],
          nominees: dict[str, Nominee]) -> tuple[Counter[str], int]:
    cast = Counter(pledged)
    abstentions = 0
    problems = []
    for vote in record:
        held = sum(c.electors for c in contests
                   if c.state == vote.state and c.winner == vote.pledged)
        if not held:
            problems.append(Problem(
                "faithless-record", f"the {vote.year} record has a {vote.state} elector pledged "
                f"to the {vote.pledged} ticket, but that ticket won no {vote.state} electors in "
                "these returns", field="state"))
            continue
        cast[vote.pledged] -= 1
        if vote.president:
            key = person_key(vote.president)
            nominees.setdefault(key, Nominee(key, vote.president))
            cast[key] += 1
        else:
            abstentions += 1
    if problems:
        raise ValidationError(problems)
    return +cast, abstentions


def person_key(name: str) -> str:
    """The nominee key of someone known only by name (an elector's write-in): ``person:<slug>``."""
    return f"person:{slug(name)}"


def _with_contingent(college: College) -> College:
    ranked = [k for k in college.ranking() if college.cast.get(k, 0) > 0]
    among = tuple(ranked[:3])
    mates = tuple(college.nominees[k].running_mate or f"the running mate of {college.name(k)}"
                  for k in ranked[:2])
    return College(college.year, college.total, college.needed, college.nominees, college.contests,
                   college.pledged, college.cast, college.abstentions, college.elector_votes,
                   None, Contingent(among, mates), college.slates, college.scenario)


# -- the shipped tables --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DistrictWinner:
    year: int
    state: str
    district: int
    party: str
    winner: str
    source: str


def _package_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("electoral").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def district_table() -> tuple[DistrictWinner, ...]:
    """Every shipped congressional-district elector winner of Maine and Nebraska, each with its
    source, from the package's ``data/district_electors.csv``."""
    return tuple(DistrictWinner(int(r["year"]), r["state"], int(r["district"]), r["party"],
                                r["winner"], r["source"])
                 for r in _package_csv("district_electors.csv"))


@cache
def faithless_record() -> tuple[ElectorVote, ...]:
    """Every elector 1976–2024 who voted otherwise than pledged, or abstained."""
    return tuple(ElectorVote(int(r["year"]), r["state"], r["elector"], r["pledged_party"],
                             r["pledged_president"], r["president_vote"], r["vice_president_vote"],
                             r["note"], r["source"])
                 for r in _package_csv("faithless_electors.csv"))


FAITHLESS_YEARS = range(1976, 2025, 4)


def faithless_for(year: int) -> tuple[ElectorVote, ...]:
    """The faithless and abstaining electors of ``year`` (empty outside 1976–2024 or when none)."""
    return tuple(v for v in faithless_record() if v.year == year)


def _round(value: Fraction) -> int:
    """Half away from zero, once."""
    whole, rest = divmod(abs(value), 1)
    rounded = int(whole) + (1 if rest >= Fraction(1, 2) else 0)
    return -rounded if value < 0 else rounded


def state_name(state: str) -> str:
    return STATE_NAMES.get(state, state)


def college_ids(year: int) -> list[str]:
    """The ids of the presidential elections whose electors ``year``'s college counts (51).

    Raises:
        NotFoundError: no apportionment covers ``year``.
    """
    return [f"{year}-{state}-president" for state in sorted(electors_for(year))]


def require_stored(year: int, missing: list[str]) -> None:
    """Refuse a college count while any of its elections is ``missing`` from the store.

    Raises:
        NotFoundError: naming every missing state, and how to import them.
    """
    if missing:
        shown = ", ".join(m.split("-")[1] for m in missing[:12])
        shown += "…" if len(missing) > 12 else ""
        raise NotFoundError(
            f"{year}: {len(missing)} of 51 presidential elections are not in the store ({shown}); "
            "import the state returns first, e.g. `electoral import "
            "../shared/data/state_presidential/1976-2020-president.csv`")
