"""What a ranked-choice count produces: one immutable ``Round`` per round and the whole
``RcvTabulation``, the shared vocabulary of the round engine (``count``), its numpy fast path
(``fast``), the entry points (``engine``) and the writers (``rctab_report``, ``cdf_export``,
``tables``). Importing it loads neither numpy nor numba.

Votes are ``Decimal`` with the scale RCTab prints (``Rules.decimals`` places, truncated where RCTab
truncates); ballot counts are whole numbers held as ``Decimal`` so the two add up exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from electoral.errors import Problem, ValidationError
from electoral.rcv.javarandom import hash_order
from electoral.rcv.rules import UNDECLARED_WRITE_IN, Rules, Status

if TYPE_CHECKING:
    import numpy as np

ZERO = Decimal(0)
Snapshot = tuple[int, tuple[tuple[str, Decimal], ...]]
ONE = Decimal(1)
UNCOUNTED = "uncounted"
EXHAUSTED = "exhausted"
RESIDUAL = "residual surplus"
PRECINCT = "precinct"
BATCH = "batch"


class TabulationError(ValidationError):
    """The count cannot go on (a tie nobody may break, nobody left to eliminate...)."""

    def __init__(self, message: str, code: str = "tabulation-failed"):
        super().__init__([Problem(code, message)])


@dataclass(frozen=True, slots=True)
class Decision:
    """A candidate elected or eliminated in a round; ``tiebreak`` when a tie-break decided it,
    ``how`` then says how (``tiebreak.BY_*``: previous rounds' counts, random draw...)."""

    candidate: str
    tiebreak: bool = False
    how: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Tally:
    """What a round shows for one scope (the whole contest, or one precinct or batch)."""

    votes: Mapping[str, Decimal]  # continuing candidates, plus earlier winners when multi-seat
    inactive: Mapping[Status, Decimal]
    active: Decimal  # ballots with a continuing candidate (and final-round surplus)
    locked_in: Decimal  # votes held by earlier winners (multi-seat)
    transfers: Mapping[str, Mapping[str, Decimal]]  # from -> to -> value, made in this round

    @property
    def active_and_locked(self) -> Decimal:
        return self.active + self.locked_in

    @property
    def inactive_total(self) -> Decimal:
        return sum((v for s, v in self.inactive.items() if s != Status.FINAL_SURPLUS), ZERO)


@dataclass(frozen=True, slots=True)
class Round:
    """One round: the tally, the threshold (votes, ``Decimal``), who was elected or eliminated,
    the residual surplus, and the same tally per precinct or batch slice."""

    number: int
    tally: Tally
    threshold: Decimal
    elected: tuple[Decision, ...]
    eliminated: tuple[Decision, ...]
    residual_surplus: Decimal
    slices: Mapping[tuple[str, str], Tally]  # (precinct|batch, id) -> tally


@dataclass(frozen=True, slots=True)
class RcvTabulation:
    """A whole ranked-choice count: its rules, its rounds, and the winners in the order elected."""

    rules: Rules
    rounds: tuple[Round, ...]
    winners: tuple[str, ...]  # in the order elected
    slice_ids: Mapping[str, tuple[str, ...]]
    # when asked for (audit=True): per round, each ballot row's candidate (index into
    # rules.names) or, below zero, why it is inactive: -1 - list(Status).index(status)
    trail: tuple[np.ndarray, ...] = field(default=(), compare=False)
    # with the trail (general engine): per ballot row, each round it was re-read in, and what it
    # then held: (candidate, value) for each winner keeping part of it and for its candidate
    snapshots: tuple[tuple[Snapshot, ...], ...] = field(default=(), compare=False)

    @property
    def first_round_order(self) -> tuple[str, ...]:
        """Candidates in the order RCTab lists them in its reports."""
        # RCTab: round 1's tally is a HashMap filled from the HashSet of all names, continuing
        # ones only; its rows are that map's order, stably sorted by votes, write-ins last
        first = self.rounds[0].tally.votes
        names = hash_order(n for n in hash_order(self.rules.names) if n in first)
        return tuple(sorted(names, key=lambda n: (n == UNDECLARED_WRITE_IN, -first[n])))
