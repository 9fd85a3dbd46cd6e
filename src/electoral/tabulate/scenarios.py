"""What-ifs and close calls on the Electoral College: flips, a uniform swing, the tipping point, the
closest contests, and the fewest votes that would have changed the outcome.

A swing of ``D+2`` moves the Democratic-minus-Republican margin 2 points toward the Democrat in
every state and district with returns: 1% of the votes cast passes from the Republican to the
Democrat (a side cannot fall below zero). Every contest is then re-decided from those votes,
exactly (``Fraction``). A district known only from the shipped winners table has no votes to swing
and keeps its winner. ``--flip`` then gives the named states' electors (every one of them, for
Maine and Nebraska) to the statewide runner-up, or one district's elector (``NE-02``) to its
runner-up.

"Votes to change the outcome" counts voters switching from the winner to the runner-up (the
fewest that make the runner-up lead), chosen over the winner's contests by an exact knapsack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from electoral.errors import Problem, ValidationError
from electoral.model import STATE_NAMES
from electoral.parties import DEMOCRATIC, REPUBLICAN
from electoral.tabulate.apportion import electors_for
from electoral.tabulate.electors import (
    College,
    Contest,
    StateVotes,
    allocate_electors,
    count_college,
    unify,
)

SWING = re.compile(r"^\s*(?P<side>[DRdr])\s*\+\s*(?P<points>\d+(?:\.\d+)?)\s*$")
FLIP = re.compile(r"^(?P<state>[A-Z]{2})(?:-?(?P<district>\d{1,2}))?$")


@dataclass(frozen=True, slots=True)
class Scenario:
    """A what-if: contests whose electors go to their runner-up, and a uniform swing."""

    flips: tuple[str, ...] = ()  # state codes, or district contests such as NE-02
    swing: Fraction = Fraction(0)  # points of margin toward the Democrat (negative: Republican)

    @property
    def actual(self) -> bool:
        """Whether nothing is changed: the scenario is the actual result."""
        return not self.flips and not self.swing

    def describe(self) -> str:
        """The scenario in words (``uniform swing D+2; flipped OH``); "" for the actual result."""
        parts = []
        if self.swing:
            side = "D" if self.swing > 0 else "R"
            parts.append(f"uniform swing {side}+{_points(abs(self.swing))}")
        if self.flips:
            parts.append(f"flipped {', '.join(self.flips)}")
        return "; ".join(parts)


def parse_swing(text: str | None) -> Fraction:
    """``D+2`` → 2, ``R+1.5`` → -1.5 (points of margin toward the Democrat); none → 0.

    Raises:
        ValidationError: the text is not a side and a number of points, or exceeds 100 points.
    """
    if text is None or not text.strip():
        return Fraction(0)
    match = SWING.match(text)
    if not match:
        raise ValidationError([Problem("bad-swing", f"swing {text!r} is not a number of points for "
                                       "a side; write D+2 or R+1.5", field="swing")])
    try:
        points = Fraction(Decimal(match["points"]))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise ValidationError([Problem("bad-swing", f"swing {text!r} is not a number",
                                       field="swing")]) from None
    if points > 100:
        raise ValidationError([Problem("bad-swing", f"swing {text!r} exceeds 100 points of margin",
                                       field="swing")])
    return points if match["side"].upper() == "D" else -points


def parse_flips(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"OH,FL"`` or ``["OH", "NE-02"]`` → contest ids, checked against the state codes, each
    once, in the order given.

    Raises:
        ValidationError: every item that is neither a state code nor a state's district.
    """
    if text is None:
        return ()
    items = text.split(",") if isinstance(text, str) else [p for t in text for p in t.split(",")]
    flips, problems = [], []
    for item in (i.strip().upper() for i in items if i.strip()):
        match = FLIP.match(item)
        if not match or match["state"] not in STATE_NAMES:
            problems.append(Problem("bad-flip", f"{item!r} is not a state code (OH) or a district "
                                    "(NE-02)", field="flip"))
            continue
        district = match["district"]
        flips.append(f"{match['state']}-{int(district):02d}" if district else item)
    if problems:
        raise ValidationError(problems)
    return tuple(dict.fromkeys(flips))


def run_scenario(states: Iterable[StateVotes], year: int, scenario: Scenario) -> College:
    """The national count after ``scenario`` (the actual count when it is empty).

    Raises:
        ValidationError: a flipped contest that does not exist in ``year`` (districts exist only
            in Maine and Nebraska), or the states are invalid (see ``count_college``).
        NotFoundError: a state missing, or no apportionment for ``year``.
    """
    states = unify(states)
    if scenario.actual:
        return count_college(states, year)
    electors = electors_for(year)
    swung = [swing_state(sv, scenario.swing) for sv in states]
    contests = [c for sv in sorted(swung, key=lambda s: s.state)
                for c in allocate_electors(sv, electors[sv.state], year)]
    return count_college(swung, year, contests=_flip(contests, scenario.flips),
                         scenario=scenario.describe())


def swing_state(votes: StateVotes, swing: Fraction) -> StateVotes:
    """``votes`` after a uniform ``swing`` (points of margin toward the Democrat): ``swing / 2``
    percent of each contest's total passes between the two major parties, exactly (``Fraction``),
    neither falling below zero; statewide and per district."""
    if not swing:
        return votes
    districts = {n: (_swing(v, t, swing), t) for n, (v, t) in votes.districts.items()}
    return replace(votes, votes=_swing(votes.votes, votes.total, swing), districts=districts)


def _swing(votes: Mapping[str, Fraction | int], total: int,
           swing: Fraction) -> dict[str, Fraction | int]:
    moved = swing * total / 200  # half the margin's points, as votes
    out: dict[str, Fraction | int] = {k: Fraction(v) for k, v in votes.items()}
    if DEMOCRATIC.id in out or REPUBLICAN.id in out:
        out[DEMOCRATIC.id] = max(out.get(DEMOCRATIC.id, Fraction(0)) + moved, Fraction(0))
        out[REPUBLICAN.id] = max(out.get(REPUBLICAN.id, Fraction(0)) - moved, Fraction(0))
    return out


def _flip(contests: list[Contest], flips: tuple[str, ...]) -> list[Contest]:
    ids = {c.id for c in contests}
    unknown = [f for f in flips if f not in ids]
    if unknown:
        raise ValidationError([Problem("bad-flip", f"{f} is not a contest this year (district "
                                       "contests exist only in Maine and Nebraska)", field="flip")
                               for f in unknown])
    statewide = {c.state: c for c in contests if c.id == c.state}
    out = []
    for contest in contests:
        if contest.state in flips:
            to = statewide[contest.state].runner_up
            old = contest.winner if contest.winner != to else statewide[contest.state].winner
            contest = replace(contest, winner=to, runner_up=old, flipped=True)
        elif contest.id in flips:
            contest = replace(contest, winner=contest.runner_up, runner_up=contest.winner,
                              flipped=True)
        out.append(contest)
    return out


# -- close calls ---------------------------------------------------------------------------------


def leaders(college: College) -> tuple[str, str] | None:
    """The pledged majority winner and the runner-up, or None without a majority."""
    ranked = sorted(college.pledged, key=lambda k: -college.pledged[k])
    if not ranked or college.pledged[ranked[0]] < college.needed:
        return None
    return ranked[0], ranked[1] if len(ranked) > 1 else ""


def tipping_points(college: College) -> tuple[str, ...]:
    """The contest that gives the winner the decisive elector, when the winner's contests are
    ordered from the largest margin to the smallest (margins over the national runner-up).

    A district known only by its winner (no district returns) has no margin. It is ranked once as
    the winner's safest contest and once as the closest: one id when both agree, both ids when the
    answer depends on that district (import district returns to settle it)."""
    pair = leaders(college)
    if pair is None:
        return ()
    winner, runner_up = pair
    leads = {c.id: c.lead(winner, runner_up) for c in college.contests if c.winner == winner}
    found = []
    for unknown_first in (True, False):
        won = sorted((c for c in college.contests if c.winner == winner),
                     key=lambda c: ((leads[c.id] is None) != unknown_first,
                                    -(leads[c.id] or 0), c.id))
        running = 0
        for contest in won:
            running += contest.electors
            if running >= college.needed:
                found.append(contest.id)
                break
    return tuple(dict.fromkeys(found))


def tipping_point(college: College) -> str | None:
    """The tipping point when it is certain (see ``tipping_points``), else None."""
    points = tipping_points(college)
    return points[0] if len(points) == 1 else None


def closest(college: College, count: int = 5) -> list[Contest]:
    """The contests with the smallest winning margins as a share of the contest's votes (those
    with returns and a total, not flipped by hand): "closest" is how near the race was, and a
    large state's 1-point race (PA 2020) is closer than a small state's 10-point one (AK),
    though its margin in votes is larger. Ties in share go by votes, then id."""
    known = [c for c in college.contests
             if c.margin is not None and c.winner is not None and not c.flipped and c.total]
    return sorted(known, key=lambda c: (Fraction(c.margin or 0) / c.total, c.margin,
                                        c.id))[:count]


def switch_to_flip(contest: Contest, winner: str, to: str) -> int | None:
    """The fewest voters switching from ``winner`` to ``to`` that make ``to`` lead ``contest``."""
    if not contest.votes or contest.winner != winner or contest.flipped:
        return None
    lead = contest.votes.get(winner, Fraction(0)) - contest.votes.get(to, Fraction(0))
    needed = int(lead // 2) + 1
    for other, votes in contest.votes.items():  # ``to`` must also pass everyone else
        if other not in (winner, to):
            needed = max(needed, int(votes - contest.votes.get(to, Fraction(0))) + 1)
    return needed


@dataclass(frozen=True, slots=True)
class Change:
    """The fewest switched votes that would have changed the outcome, and where."""

    goal: str  # "deny-majority" or "elect-runner-up"
    votes: int
    contests: tuple[str, ...]
    electors: int


def votes_to_change(college: College) -> list[Change]:
    """Deny the winner a majority (a contingent election); elect the runner-up outright."""
    pair = leaders(college)
    if pair is None or not pair[1]:
        return []
    winner, runner_up = pair
    items = [(c.id, c.electors, cost) for c in college.contests
             if (cost := switch_to_flip(c, winner, runner_up)) is not None]
    goals = {"deny-majority": college.pledged[winner] - (college.needed - 1),
             "elect-runner-up": college.needed - college.pledged.get(runner_up, 0)}
    changes = []
    for goal, target in goals.items():
        best = _knapsack(items, target)
        if best is not None:
            cost, chosen = best
            changes.append(Change(goal, cost, chosen,
                                  sum(e for i, e, _ in items if i in chosen)))
    return changes


def _knapsack(items: list[tuple[str, int, int]], target: int) -> tuple[int, tuple[str, ...]] | None:
    """The cheapest set of items whose weights reach ``target`` (exact dynamic programming)."""
    if target <= 0:
        return 0, ()
    best: list[tuple[int, tuple[str, ...]] | None] = [None] * (target + 1)
    best[0] = (0, ())
    for ident, weight, cost in items:
        for reached in range(target, -1, -1):
            here = best[reached]
            if here is None:
                continue
            to = min(target, reached + weight)
            candidate = (here[0] + cost, here[1] + (ident,))
            if best[to] is None or candidate[0] < best[to][0]:  # type: ignore[index]
                best[to] = candidate
    found = best[target]
    return None if found is None else (found[0], tuple(sorted(found[1])))


def _points(value: Fraction) -> str:
    text = f"{Decimal(value.numerator) / Decimal(value.denominator):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True, slots=True)
class CollegeAnalysis:
    """A national count with its close calls: what ``electoral college`` reports."""

    college: College
    tipping_points: tuple[str, ...]  # one id, or two when an unreturned district decides it
    closest: tuple[Contest, ...]
    changes: tuple[Change, ...]

    @property
    def tipping_point(self) -> str | None:
        """The tipping point when it is certain (one id), else ``None``."""
        return self.tipping_points[0] if len(self.tipping_points) == 1 else None


def analyse(states: Iterable[StateVotes], year: int,
            scenario: Scenario = Scenario()) -> CollegeAnalysis:  # noqa: B008 - frozen, immutable
    """The national count of ``year`` under ``scenario`` with its tipping point(s), the five
    closest contests and the fewest switched votes that change the outcome.

    Raises:
        ValidationError: as ``run_scenario``.
        NotFoundError: a state missing, or no apportionment for ``year``.
    """
    college = run_scenario(states, year, scenario)
    return CollegeAnalysis(college, tipping_points(college), tuple(closest(college)),
                           tuple(votes_to_change(college)))
