"""Breaking a tie for first (a winner) or last (a loser) place, in each of RCTab's modes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from electoral.errors import Problem, ValidationError
from electoral.rcv.javarandom import JavaRandom, hash_set_copy_order, java_sort_key
from electoral.rcv.rules import Tiebreak

BY_PREVIOUS = "previous rounds' counts"
BY_RANDOM = "random draw"
BY_ORDER = "candidate order"
BY_PERMUTATION = "generated permutation"


def break_tie(tied: Sequence[int], names: Sequence[str], mode: Tiebreak,
              permutation: Sequence[str], previous: Sequence[Mapping[int, Decimal]],
              random: JavaRandom | None, selecting_winner: bool, round_number: int,
              votes: Decimal) -> tuple[int, str]:
    """The candidate (index into ``names``) chosen from ``tied``, and how it was chosen (one of
    the ``BY_*`` phrases).

    ``previous`` holds the earlier rounds' tallies, oldest first; ``permutation`` the tie-break
    order of names (declared, or generated). Modes that need an operator raise a ValidationError:
    a count run from the command line cannot stop and ask.

    Raises:
        ValidationError: ``tie-needs-operator`` when the mode leaves the tie to an operator
            (stopCountingAndAsk, or a name missing from the tie-break order), ``bad-rule`` when a
            random mode has no randomSeed.
    """
    ordered = sorted(tied, key=lambda c: java_sort_key(names[c]))
    if mode in (Tiebreak.CANDIDATE_ORDER, Tiebreak.GENERATE_PERMUTATION):
        search = list(permutation) if selecting_winner else list(reversed(permutation))
        how = BY_ORDER if mode == Tiebreak.CANDIDATE_ORDER else BY_PERMUTATION
        for name in search:
            if name in {names[c] for c in ordered}:
                return names.index(name), how
        raise _needs_operator(ordered, names, round_number, votes, "is not in the tie-break order")
    if mode == Tiebreak.RANDOM:
        return _random(ordered, random), BY_RANDOM
    if mode == Tiebreak.ASK:
        raise _needs_operator(ordered, names, round_number, votes, "must be settled by an operator")
    return _previous_rounds(ordered, names, mode, previous, random, selecting_winner,
                            round_number, votes)


def _random(ordered: Sequence[int], random: JavaRandom | None) -> int:
    if random is None:
        raise ValidationError([Problem("bad-rule", "a random tie-break needs a randomSeed",
                                       field="randomSeed")])
    return ordered[int(random.next_double() * len(ordered))]


def _previous_rounds(ordered: list[int], names: Sequence[str], mode: Tiebreak,
                     previous: Sequence[Mapping[int, Decimal]], random: JavaRandom | None,
                     selecting_winner: bool, round_number: int,
                     votes: Decimal) -> tuple[int, str]:
    contenders = ordered
    for tally in reversed(previous):
        in_order = [names.index(n) for n in hash_set_copy_order([names[c] for c in contenders])]
        counts = {c: tally.get(c, Decimal(0)) for c in in_order}
        best = max(counts.values()) if selecting_winner else min(counts.values())
        contenders = [c for c in in_order if counts[c] == best]
        if len(contenders) == 1:
            return contenders[0], BY_PREVIOUS
    if mode == Tiebreak.PREVIOUS_THEN_RANDOM:
        return _random(contenders, random), BY_RANDOM
    raise _needs_operator(contenders, names, round_number, votes, "must be settled by an operator")


def _needs_operator(tied: Sequence[int], names: Sequence[str], round_number: int, votes: Decimal,
                    why: str) -> ValidationError:
    who = ", ".join(names[c] for c in tied)
    return ValidationError([Problem(
        "tie-needs-operator", f"round {round_number}: the tie between {who} ({votes} votes each) "
        f"{why}; choose another tiebreakMode (e.g. random with a randomSeed) or settle it by law",
        field="tiebreakMode")])
