"""A unit's record across every presidential election in the store: who it voted for, by how much,
how far it swung, how it leaned against its state and the nation, whether it went with the winner
of the presidency (its bellwether record), and "the last time" each party carried it.

Margins are exact fractions, Democratic share minus Republican share of all votes cast for
president (positive: Democratic). The nation's margin is known for a year only when all 51
presidential elections of that year are in the store; so is the winner of the presidency, counted
from the electors (``electoral.tabulate.electors``), never from the popular vote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from electoral import parties
from electoral.analyze.compare import Comparison, compare, winning_party
from electoral.errors import ElectoralError, NotFoundError
from electoral.geography import county_fips, county_names, current_code, unit_fips
from electoral.model import STATE_BY_NAME, STATE_NAMES, Returns, UnitKind
from electoral.tabulate.coverage import coverage
from electoral.tabulate.rollup import Row, Tabulation, roll_up

DEMOCRATIC, REPUBLICAN = parties.DEMOCRATIC.name, parties.REPUBLICAN.name
FIPS = re.compile(r"^\d{4,5}$")


@dataclass(frozen=True, slots=True)
class Place:
    """The unit a history is about: a state (``MO``) or a county (``29019``)."""

    id: str
    name: str
    kind: UnitKind
    state: str


@dataclass(frozen=True, slots=True)
class Year:
    """One election of the unit's record."""

    year: int
    election: str
    winner: str | None  # party name; None on a tie
    votes: Mapping[str, int]  # party name → votes (aggregate pseudo-candidates left out)
    total: int
    margin: Fraction  # (Democratic − Republican) / total
    state_margin: Fraction
    nation_margin: Fraction | None  # None unless all 51 states of the year are stored
    president: str | None  # the party that won the presidency; None if unknown
    swing: Fraction | None = None  # margin − the previous stored election's margin
    since: int | None = None  # the last earlier stored year the same party carried the unit
    # The trend: how the lean against the state (and the nation) moved since the previous
    # stored election (positive: toward the Democrats).
    trend: Fraction | None = None
    national_trend: Fraction | None = None
    # What the state's returns lack ("3 of 5 counties reporting; missing: ..."), "" when
    # complete: the state's winner of such a year is not declared (``tabulate.coverage``).
    incomplete: str = ""

    @property
    def lean(self) -> Fraction:
        """How much more Democratic than its state the unit voted (negative: more Republican)."""
        return self.margin - self.state_margin

    @property
    def national_lean(self) -> Fraction | None:
        return None if self.nation_margin is None else self.margin - self.nation_margin

    @property
    def with_winner(self) -> bool | None:
        """Did the unit vote for the party that won the presidency (None if unknown)?"""
        if self.president is None or self.winner is None:
            return None
        return self.winner == self.president


@dataclass(frozen=True, slots=True)
class History:
    place: Place
    years: tuple[Year, ...]
    missing: tuple[str, ...]  # stored elections of the state without returns for the unit

    @property
    def flips(self) -> tuple[tuple[int, str, str], ...]:
        """``(year, from party, to party)`` for every change of winner between stored elections."""
        out = []
        for before, after in zip(self.years, self.years[1:], strict=False):
            if before.winner and after.winner and before.winner != after.winner:
                out.append((after.year, before.winner, after.winner))
        return tuple(out)

    @property
    def bellwether(self) -> tuple[int, int]:
        """``(times with the winner of the presidency, elections where that is known)``."""
        known = [y.with_winner for y in self.years if y.with_winner is not None]
        return sum(known), len(known)

    @property
    def streak(self) -> int:
        """How many of the latest elections in a row went to the winner of the presidency."""
        count = 0
        for year in reversed(self.years):
            if year.with_winner is not True:
                break
            count += 1
        return count

    def last_time(self, party: str) -> int | None:
        """The last stored year the unit voted for ``party`` (a party name)."""
        won = [y.year for y in self.years if y.winner == party]
        return won[-1] if won else None


def find_place(query: str) -> Place:
    """A state (``MO``, ``Missouri``) or a county (``29019``, ``Boone County, MO``).

    Raises:
        NotFoundError: ``query`` names no state and no county (the message shows the three forms).
    """
    text = query.strip()
    po = text.upper() if text.upper() in STATE_NAMES else STATE_BY_NAME.get(text.lower())
    if po:
        return Place(po, STATE_NAMES[po], UnitKind.STATE, po)
    if FIPS.match(text):
        fips = text.zfill(5)
        state = _state_of(fips)
        return Place(fips, county_names().get(fips, fips), UnitKind.COUNTY, state)
    name, _, state_text = text.rpartition(",")
    state_text = state_text.strip()
    state = state_text.upper() if state_text.upper() in STATE_NAMES else \
        STATE_BY_NAME.get(state_text.lower()) or ""
    found = county_fips(state, name.strip()) if state and name.strip() else None
    if found is None:
        raise NotFoundError(f"no state or county {query!r}; write a state (MO), a county FIPS "
                            "code (29019) or a county and its state (\"Boone County, MO\")")
    return Place(found, county_names().get(found, name.strip()), UnitKind.COUNTY, state)


def _state_of(fips: str) -> str:
    from electoral.model import STATE_FIPS

    for po, code in STATE_FIPS.items():
        if code == fips[:2]:
            return po
    raise NotFoundError(f"{fips} is not a county FIPS code: no state has the code {fips[:2]}")


def history(place: Place, elections: Iterable[Returns],
            nations: Mapping[int, Sequence[Returns]]) -> History:
    """The record of a state or county across ``elections``: the stored presidential elections
    of its state, oldest first. ``nations`` maps a year to its 51 states' returns, for the years
    where all are stored (the nation's margin and the presidency's winner need every state).

    Raises:
        NotFoundError: ``elections`` is empty, or none of them has returns for the place.
    """
    years: list[Year] = []
    missing: list[str] = []
    seen = False
    for returns in elections:
        seen = True
        row = _row_of(returns, place)
        if row is None:
            missing.append(returns.election.id)
            continue
        state_row = roll_up(returns, UnitKind.STATE).total
        states = nations.get(returns.election.year)
        nation, president = national(states) if states else (None, None)
        year = _year(returns, row, state_row, nation, president)
        short = coverage(returns).line()
        if short:
            year = replace(year, incomplete=short,
                           winner=None if place.kind is UnitKind.STATE else year.winner)
        years.append(year)
    if not seen:
        raise NotFoundError(f"no presidential election of {STATE_NAMES[place.state]} is stored; "
                            "import returns first (`electoral import FILE`)")
    if not years:
        raise NotFoundError(f"no stored election of {STATE_NAMES[place.state]} has returns for "
                            f"{place.name} ({place.id}): {', '.join(missing)}")
    return History(place, _linked(years), tuple(missing))


def _row_of(returns: Returns, place: Place) -> tuple[Tabulation, Row] | None:
    level = UnitKind.STATE if place.kind is UnitKind.STATE else UnitKind.COUNTY
    try:
        table = roll_up(returns, level)
    except NotFoundError:
        return None
    if level is UnitKind.STATE:
        return table, table.total
    # the county as it was in that year: Oglala Lakota (46102) is Shannon County (46113) in 2012,
    # and a source may file it under its former code in any year
    year = returns.election.year
    wanted = current_code(place.id, year)
    for row in table.rows:
        if place.id == row.unit.id or wanted == unit_fips(place.state, row.unit, year):
            return table, row
    return None


def _year(returns: Returns, found: tuple[Tabulation, Row], state_row: Row,
          nation: Mapping[str, int] | None, president: str | None) -> Year:
    table, row = found
    votes = party_votes(returns, row.votes)
    state_votes = party_votes(returns, state_row.votes)
    return Year(returns.election.year, returns.election.id, winning_party(table, row), votes,
                row.total, margin(votes, row.total), margin(state_votes, state_row.total),
                None if nation is None else margin(nation, sum(nation.values())), president)


def _linked(years: Sequence[Year]) -> tuple[Year, ...]:
    """Each year with its swing from, and "since" against, the earlier ones."""
    out: list[Year] = []
    for i, year in enumerate(years):
        earlier = [y.year for y in years[:i] if y.winner == year.winner and year.winner]
        before = years[i - 1] if i else None
        swing = year.margin - before.margin if before else None
        trend = year.lean - before.lean if before else None
        national = (year.national_lean - before.national_lean if before and
                    year.national_lean is not None and before.national_lean is not None else None)
        out.append(Year(year.year, year.election, year.winner, year.votes, year.total,
                        year.margin, year.state_margin, year.nation_margin, year.president,
                        swing, earlier[-1] if earlier else None, trend, national,
                        year.incomplete))
    return tuple(out)


def party_votes(returns: Returns, votes: Mapping[str, int]) -> dict[str, int]:
    """Votes by party name (a candidate without a party counts under its own label); the
    "other" columns count under "Other"."""
    out: dict[str, int] = {}
    for candidate in returns.candidates:
        n = votes.get(candidate.id, 0)
        if not n:
            continue
        key = "Other" if candidate.aggregate else (
            returns.party_name(candidate.party) or candidate.label)
        out[key] = out.get(key, 0) + n
    return out


def margin(votes: Mapping[str, int], total: int) -> Fraction:
    if total == 0:
        return Fraction(0)
    return Fraction(votes.get(DEMOCRATIC, 0) - votes.get(REPUBLICAN, 0), total)


def national_ids(year: int) -> list[str]:
    """The ids of the 51 presidential elections of ``year`` that ``national`` needs."""
    return [f"{year}-{po}-president" for po in sorted(STATE_NAMES)]


def national(loaded: Sequence[Returns]) -> tuple[dict[str, int], str | None]:
    """The nation's votes by party from every state's presidential returns of one year, and the
    party that won the presidency: for 1976–2024 the historical fact (``parties.elected_party``,
    from the National Archives), since stored returns may be a source's early count (MEDSL's
    2000 county file puts Gore 202 votes ahead in Florida) and must not re-decide who became
    president; for other years counted from the electors (``None`` when they cannot be)."""
    from electoral.tabulate.electors import count_college, state_votes

    year = loaded[0].election.year
    totals: dict[str, int] = {}
    for returns in loaded:
        state = roll_up(returns, UnitKind.STATE).total
        for party, n in party_votes(returns, state.votes).items():
            totals[party] = totals.get(party, 0) + n
    known = parties.elected_party(year)
    if known is not None:
        entry = parties.BY_ID.get(known)
        return totals, entry.party.name if entry else known
    try:
        college = count_college([state_votes(r) for r in loaded], year)
    except ElectoralError:
        return totals, None
    winner = college.nominees.get(college.winner or "")
    return totals, (winner.party or None) if winner else None


def flips_between(earlier: Returns, later: Returns,
                  level: UnitKind = UnitKind.COUNTY) -> Comparison:
    """Flips and swing of the units from the ``earlier`` to the ``later`` election.

    Raises:
        NotFoundError: either election has no units at ``level``.
    """
    return compare(roll_up(later, level), roll_up(earlier, level))


@dataclass(frozen=True, slots=True)
class Flips:
    """The flips of a state's stored elections: ``pairs`` of consecutive elections that both have
    units at the level, as ``(earlier year, later year, comparison)``, and the years ``skipped``
    because their returns do not reach that level (a statewide-only file), each with why."""

    pairs: tuple[tuple[int, int, Comparison], ...]
    skipped: tuple[tuple[int, str], ...] = ()

    def __iter__(self) -> Iterator[tuple[int, int, Comparison]]:
        return iter(self.pairs)


def every_flip(elections: Sequence[Returns], level: UnitKind = UnitKind.COUNTY) -> Flips:
    """The flips between each pair of consecutive ``elections`` (given oldest first) that have
    units at ``level``; an election whose votes do not roll up to ``level`` (a statewide-only
    year among county ones) is skipped and said, never compared nor an error."""
    tables: list[tuple[int, Tabulation]] = []
    skipped: list[tuple[int, str]] = []
    for returns in elections:
        try:
            tables.append((returns.election.year, roll_up(returns, level)))
        except NotFoundError as error:
            skipped.append((returns.election.year, str(error).strip()))
    pairs = tuple((a_year, b_year, compare(b_table, a_table))
                  for (a_year, a_table), (b_year, b_table) in zip(tables, tables[1:], strict=False))
    return Flips(pairs, tuple(skipped))
