"""House apportionment by the method of equal proportions (Huntington–Hill, 2 U.S.C. §2a).

Every state first gets one seat. Each further seat goes to the state with the highest priority
value ``P / sqrt(n (n + 1))``, where ``P`` is its apportionment population and ``n`` the seats it
already holds. Priority values are irrational, so they are compared exactly, as their squares
``P² / (n (n + 1))`` (``Fraction``); two exactly equal priorities go to the state whose USPS code
sorts first. Nothing here is rounded except the priority values shown to people.

Electors follow: House seats + 2 senators per state, and 3 for the District of Columbia (23rd
Amendment). An election uses the census in force: 2004/2008 → 2000, 2012–2020 → 2010,
2024/2028 → 2020.
"""

from __future__ import annotations

import csv
import heapq
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import cache
from importlib import resources
from math import isqrt

from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.model import STATE_NAMES
from electoral.numbers import round_half_away

HOUSE_SIZE = 435
DC = "DC"
DC_ELECTORS = 3  # 23rd Amendment: no more than the least populous state, which always has 3
STATES = tuple(sorted(po for po in STATE_NAMES if po != DC))  # the 50 states apportioned


@dataclass(frozen=True, slots=True)
class Assignment:
    """One seat handed out by priority: the ``seat``-th of the House, the state's ``nth``."""

    seat: int
    state: str
    nth: int
    priority_squared: Fraction  # P² / ((nth - 1) nth), exact

    @property
    def priority(self) -> Decimal:
        """The priority value ``P / sqrt((nth - 1) nth)``, to the cent, as the Census prints it."""
        return priority_value(self.priority_squared)


@dataclass(frozen=True, slots=True)
class Contender:
    """A state next in line once the House is full, and how many more people it needed to
    take the last seat assigned instead."""

    seat: int  # the seat number it would have taken in a larger House (436, 437, ...)
    state: str
    nth: int
    priority_squared: Fraction
    shortfall: int  # additional residents that would have won it the last seat

    @property
    def priority(self) -> Decimal:
        """The priority value this seat would have had, to the cent (see ``priority_value``)."""
        return priority_value(self.priority_squared)


@dataclass(frozen=True, slots=True)
class Apportionment:
    """Seats per state for one House size, every seat assigned by priority, and who came next."""

    populations: Mapping[str, int]
    house_size: int
    seats: Mapping[str, int]
    assignments: tuple[Assignment, ...]  # seats after the one-per-state minimum, in order
    next_in_line: tuple[Contender, ...]

    @property
    def last(self) -> Assignment:
        """The last seat assigned: the 435th in the real House.

        Raises:
            IndexError: when the House has no seat beyond each state's first (``seats`` equal to
                the number of states).
        """
        return self.assignments[-1]

    def electors(self) -> dict[str, int]:
        """Electors per state (House seats + 2), with the District of Columbia's 3 unless DC is
        itself apportioned as a state in this what-if."""
        electors = {state: seats + 2 for state, seats in self.seats.items()}
        electors.setdefault(DC, DC_ELECTORS)
        return dict(sorted(electors.items()))


def apportion(populations: Mapping[str, int], seats: int = HOUSE_SIZE,
              next_in_line: int = 5) -> Apportionment:
    """Apportion ``seats`` among the states in ``populations`` (USPS code → apportionment
    population, in persons) by equal proportions (Huntington–Hill, 2 U.S.C. §2a): one seat each,
    then every further seat by highest priority value, compared exactly. ``next_in_line`` more
    seats are computed to name the states that would have come next.

    Raises:
        ValidationError: no states, a population that is not a positive ``int``, or fewer seats
            than states (the one-seat minimum of U.S. Const. art. I §2).
    """
    _check(populations, seats)
    held = dict.fromkeys(populations, 1)
    queue = [(-_priority_squared(pop, 1), state) for state, pop in populations.items()]
    heapq.heapify(queue)
    picks: list[Assignment] = []
    for seat in range(len(populations) + 1, seats + next_in_line + 1):
        minus_priority, state = heapq.heappop(queue)
        nth = held[state] + 1
        picks.append(Assignment(seat, state, nth, -minus_priority))
        held[state] = nth
        heapq.heappush(queue, (-_priority_squared(populations[state], nth), state))
    assigned, beyond = picks[: seats - len(populations)], picks[seats - len(populations):]
    final = dict.fromkeys(populations, 1)
    for pick in assigned:
        final[pick.state] += 1
    last = assigned[-1] if assigned else None
    contenders = tuple(
        Contender(p.seat, p.state, p.nth, p.priority_squared,
                  _shortfall(populations[p.state], p.nth, last))
        for p in beyond)
    return Apportionment(dict(populations), seats, dict(sorted(final.items())), tuple(assigned),
                         contenders)


def priority_value(priority_squared: Fraction, places: int = 2) -> Decimal:
    """``sqrt(priority_squared)`` to ``places`` decimals (cents, as the Census Bureau's priority
    list prints them), from a 40-digit square root rounded once, half away from zero; for display
    only, since seats are decided on the exact squares."""
    with localcontext() as ctx:
        ctx.prec = 40
        root = (Decimal(priority_squared.numerator) / Decimal(priority_squared.denominator)).sqrt()
    return round_half_away(root, places)


def _priority_squared(population: int, held: int) -> Fraction:
    """The squared priority value of a state's ``held + 1``-th seat."""
    return Fraction(population * population, held * (held + 1))


def _shortfall(population: int, nth: int, last: Assignment | None) -> int:
    """The fewest extra people with which the ``nth`` seat's priority exceeds the last seat's."""
    if last is None:
        return 0
    # Smallest y with y² / ((nth-1) nth) > last²  ⇔  y² > last² · (nth-1) nth.
    bound = last.priority_squared * (nth - 1) * nth
    y = isqrt(bound.numerator // bound.denominator)
    while Fraction(y * y) <= bound:
        y += 1
    return max(y - population, 0)


def _check(populations: Mapping[str, int], seats: int) -> None:
    problems = []
    if not populations:
        problems.append(Problem("no-states", "no state populations to apportion"))
    for state, pop in populations.items():
        if type(pop) is not int or pop <= 0:
            problems.append(Problem("bad-population", f"{state}: population must be a positive "
                                    f"whole number, not {pop!r}", field="population"))
    if seats < len(populations):
        problems.append(Problem(
            "too-few-seats", f"{seats} seats cannot give each of the {len(populations)} states "
            "its constitutional minimum of one; ask for at least as many seats as states",
            field="seats"))
    if problems:
        raise ValidationError(problems)


# -- populations: the shipped censuses and what-if files --------------------------------------

CENSUSES = (2000, 2010, 2020)


@dataclass(frozen=True, slots=True)
class CensusRow:
    census: int
    state: str
    population: int
    representatives: int


@cache
def census_table() -> tuple[CensusRow, ...]:
    """The official apportionment populations (persons) and seats of each state per census, from
    the package's ``data/apportionment.csv`` (U.S. Census Bureau, Apportionment Results, Table 1,
    for the 2000, 2010 and 2020 censuses)."""
    text = resources.files("electoral").joinpath("data/apportionment.csv").read_text("utf-8")
    return tuple(CensusRow(int(r["census"]), r["state_po"], int(r["apportionment_population"]),
                           int(r["representatives"])) for r in csv.DictReader(io.StringIO(text)))


def census_populations(census: int) -> dict[str, int]:
    """The 50 states' apportionment populations (USPS code → persons) of ``census``.

    Raises:
        NotFoundError: ``census`` is not one of the shipped ``CENSUSES``.
    """
    rows = {r.state: r.population for r in census_table() if r.census == census}
    if not rows:
        raise NotFoundError(f"no apportionment population for census {census}; "
                            f"shipped: {', '.join(map(str, CENSUSES))}")
    return rows


def official_seats(census: int) -> dict[str, int]:
    """The House seats each state was apportioned after ``census`` (Census Table 1), for checking
    a computed apportionment against the official one.

    Raises:
        NotFoundError: ``census`` is not one of the shipped ``CENSUSES``.
    """
    census_populations(census)  # the same clear error for an unknown census
    return {r.state: r.representatives for r in census_table() if r.census == census}


def census_for(year: int) -> int:
    """The census whose apportionment is in force for the presidential election of ``year``: the
    last census before the election year, since a census's apportionment governs from the Congress
    elected in the year ending in 2 (2 U.S.C. §2a(b)) and a state's electors equal its senators and
    representatives (U.S. Const. art. II §1): 2004/2008 → 2000, 2012–2020 → 2010, 2024/2028 → 2020.

    Raises:
        NotFoundError: ``year`` is not a presidential election year, or its census is not shipped.
    """
    if year % 4 or year < 1792:
        raise NotFoundError(f"{year} is not a presidential election year (every fourth year, "
                            "e.g. 2004, 2024)")
    census = (year - 1) // 10 * 10
    shipped = sorted(electors_table())
    if census not in shipped:
        raise NotFoundError(
            f"no apportionment shipped for {year}: it uses the {census} census; elections "
            f"{shipped[0] + 2}–{shipped[-1] + 8} are covered")
    return census


@cache
def electors_table() -> dict[int, dict[str, int]]:
    """Electors per state (DC included) per census: 2000–2020 from the package's
    ``data/electors.csv`` (derived from the Census tables: House seats + 2 per state, U.S. Const.
    art. II §1; 3 for DC, 23rd Amendment), 1970–1990 (elections 1972–2000) from
    ``data/electors_1972_2000.csv``, written from the National Archives' distribution of
    electoral votes (each census 538; the 1976–2000 colleges they give match the Archives'
    results, ``tests/tabulate/test_electors_real.py``)."""
    table: dict[int, dict[str, int]] = {}
    for name in ("data/electors_1972_2000.csv", "data/electors.csv"):
        text = resources.files("electoral").joinpath(name).read_text("utf-8")
        for row in csv.DictReader(io.StringIO(text)):
            table.setdefault(int(row["census"]), {})[row["state_po"]] = int(row["electors"])
    return table


def electors_for(year: int) -> dict[str, int]:
    """Electors per state and DC (USPS code → electors) for the presidential election of
    ``year``: 538 in all (U.S. Const. art. II §1 and the 23rd Amendment; 2 U.S.C. §2a fixes 435
    representatives).

    Raises:
        NotFoundError: ``year`` is not a presidential election year covered by a shipped census.
    """
    return dict(electors_table()[census_for(year)])


Requested = tuple[Apportionment, int | None, dict[str, int] | None]


def apportion_for(census: int | None = None, populations: Mapping[str, int] | None = None,
                  seats: int = HOUSE_SIZE) -> Requested:
    """The apportionment a user asked for: a shipped census (default 2020) or what-if
    populations (USPS code → persons, as ``io.populations.read_populations`` reads them); with
    the official seats when the census and House size are the real ones.
    Returns (apportionment, census used or ``None``, official seats or ``None``).

    Raises:
        ValidationError: both a census and populations given, or ``seats`` is invalid (see
            ``apportion``).
        NotFoundError: ``census`` is not shipped.
    """
    if census is not None and populations is not None:
        raise ValidationError([Problem("usage", "give either a census or a populations file, "
                                       "not both", field="populations")])
    if populations is not None:
        return apportion(populations, seats), None, None
    census = census or CENSUSES[-1]
    result = apportion(census_populations(census), seats)
    return result, census, official_seats(census) if seats == HOUSE_SIZE else None
