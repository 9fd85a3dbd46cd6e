"""A contest as an audit sees it: reported votes, ballots cast, winners, and winner–loser pairs.

Every reported winner is paired with every reported loser (Lindeman and Stark 2012, "A gentle
introduction to risk-limiting audits", IEEE Security & Privacy 10(5), §"Multiple winners"); an
audit of the contest is an audit of each pair, and the contest's sample size is the largest of its
pairs'. A pair's diluted margin is ``(v_w − v_l) / ballots``, with ``ballots`` every ballot cast in
the contest (undervotes and overvotes included).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from electoral.errors import Problem, ValidationError


@dataclass(frozen=True, slots=True)
class Pair:
    """One reported winner and one reported loser with their reported votes."""

    winner: str
    loser: str
    winner_votes: int
    loser_votes: int

    @property
    def tied(self) -> bool:
        return self.winner_votes <= self.loser_votes


@dataclass(frozen=True, slots=True)
class Contest:
    """Reported votes (candidate → votes, in the order given), the contest's ballots and how many
    candidates win (the ``winners`` with the most votes)."""

    votes: tuple[tuple[str, int], ...]
    ballots: int
    winners: int = 1
    name: str = "contest"

    def ranked(self) -> list[tuple[str, int]]:
        """Candidates, most votes first (ties keep the order given)."""
        return sorted(self.votes, key=lambda item: -item[1])

    def pairs(self) -> list[Pair]:
        """Every (reported winner, reported loser) pair. A loser tied with the last winner makes a
        tied pair: the reported outcome then rests on a tie, which only a full hand count settles."""
        ranked = self.ranked()
        won, lost = ranked[:self.winners], ranked[self.winners:]
        return [Pair(w, l_, wv, lv) for w, wv in won for l_, lv in lost]

    def margin(self) -> Fraction:
        """The smallest diluted margin over pairs, ``(v_w − v_l) / ballots``, exact."""
        return min(Fraction(p.winner_votes - p.loser_votes, self.ballots) for p in self.pairs())

    def tied(self) -> bool:
        return any(p.tied for p in self.pairs())

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "votes": dict(self.votes), "ballots": self.ballots,
                "winners": self.winners}


def make_contest(votes: Mapping[str, int], ballots: int, winners: int = 1,
                 name: str = "contest") -> Contest:
    """A checked ``Contest``.

    Raises:
        ValidationError: every problem found: fewer than two candidates, a negative or non-integer
            vote count, votes adding up to more than ``ballots``, or ``winners`` not in
            1…candidates − 1.
    """
    problems = []
    if len(votes) < 2:
        problems.append(Problem("too_few_candidates", "an audit needs at least two candidates",
                                field="tally"))
    for candidate, count in votes.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            problems.append(Problem("bad_votes", f"{candidate}: votes {count!r} must be a whole "
                                    "number ≥ 0", field="tally"))
    if not problems and sum(votes.values()) > ballots:
        problems.append(Problem("votes_over_ballots", f"the votes add up to {sum(votes.values())}, "
                                f"more than the {ballots} ballots cast", field="ballots"))
    if not 1 <= winners < max(len(votes), 2):
        problems.append(Problem("bad_winners", f"{winners} winners of {len(votes)} candidates",
                                field="winners"))
    if problems:
        raise ValidationError(problems)
    return Contest(tuple(votes.items()), ballots, winners, name)


def parse_counts(text: str, field: str = "tally") -> dict[str, int]:
    """``NAME=COUNT,...`` as a mapping, in the order given.

    Raises:
        ValidationError: every malformed item (no ``=``, an empty name, a count that is not a whole
            number ≥ 0, a repeated name), naming ``field``.
    """
    found: dict[str, int] = {}
    problems = []
    for item in (part for part in text.split(",") if part.strip()):
        name, equals, count = item.rpartition("=")
        name, count = name.strip(), count.strip()
        if not equals or not name:
            problems.append(Problem("bad_item", f"{item.strip()!r} is not NAME=COUNT", field=field))
        elif not count.isascii() or not count.isdigit():
            problems.append(Problem("bad_count", f"{name}: {count!r} is not a whole number ≥ 0",
                                    field=field))
        elif name in found:
            problems.append(Problem("repeated_name", f"{name} is given twice", field=field))
        else:
            found[name] = int(count)
    if not found and not problems:
        problems.append(Problem("empty", "no NAME=COUNT items", field=field))
    if problems:
        raise ValidationError(problems)
    return found


def check_sample(contest: Contest, rounds: Sequence[Mapping[str, int]]) -> None:
    """Raises ValidationError when a sampled round names a candidate the contest does not have."""
    known = dict(contest.votes)
    problems = [Problem("unknown_candidate", f"round {number}: {name} is not a candidate of the "
                        f"contest ({', '.join(known)})", field="sample")
                for number, seen in enumerate(rounds, start=1) for name in seen if name not in known]
    if problems:
        raise ValidationError(problems)
