"""Compare two results tables of the same level: which units flipped, and how far each swung.

Both elections must be of the same state (or both national): units are matched by FIPS where both
sides have one, else by name, and two states' counties share many names (Douglas, Rock and
Washington are counties of both Wisconsin and Minnesota), so a cross-state comparison would report
flips that never happened.

Margins are party against party, exact fractions until they are rendered, in one sign convention
everywhere (``swing_parties``): Democratic minus Republican wherever the later election has both,
so a positive swing is always toward the Democrats, whoever leads; otherwise the later election's
two leading parties in alphabetical order. Every output names the two parties it subtracts.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from electoral import parties as canonical
from electoral.errors import Problem, ValidationError
from electoral.geography import normal_name
from electoral.model import Unit
from electoral.tabulate.rollup import Row, Tabulation


@dataclass(frozen=True, slots=True)
class UnitChange:
    """One unit matched across two elections: its winning party and party margin in each."""

    unit: Unit  # as in the later election
    earlier_winner: str | None  # party name, None on a tie or no votes
    later_winner: str | None
    earlier_margin: Fraction  # (first party − second party) / total, in the earlier election
    later_margin: Fraction

    @property
    def swing(self) -> Fraction:
        """Change in margin toward the first of ``Comparison.parties`` (negative: toward the
        second); with Democrats and Republicans on the ballot, positive is toward the Democrats."""
        return self.later_margin - self.earlier_margin

    @property
    def flipped(self) -> bool:
        """Whether both elections have a winner and the winning party changed."""
        return (self.earlier_winner is not None and self.later_winner is not None
                and self.earlier_winner != self.later_winner)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Every matched unit's change from ``earlier`` to ``later``, and the later units unmatched."""

    later: Tabulation
    earlier: Tabulation
    parties: tuple[str, str]  # the margin is the first party's share minus the second's
    changes: tuple[UnitChange, ...]
    unmatched: tuple[str, ...]  # later units with no counterpart in the earlier election

    @property
    def flips(self) -> tuple[UnitChange, ...]:
        """The changes whose winning party changed, in the later table's row order."""
        return tuple(c for c in self.changes if c.flipped)


def compare(later: Tabulation, earlier: Tabulation) -> Comparison:
    """Flips and swing from ``earlier`` to ``later`` (same level, e.g. two county tables).
    Margins are exact fractions of each unit's total (−1..1), party against party, in the one
    sign convention of ``swing_parties``. Units are matched by FIPS, else by normalised name
    (``electoral.geography.normal_name``), within one state.

    Raises:
        ValidationError: the two elections are of different states (``code`` "compare-states").
        KeyError: a leading candidate id of ``later`` is not among its returns' candidates.
    """
    later_state = later.returns.election.state
    earlier_state = earlier.returns.election.state
    if later_state != earlier_state:
        raise ValidationError([Problem(
            "compare-states",
            f"{later.returns.election.id} and {earlier.returns.election.id} are elections of "
            f"different states ({later_state}, {earlier_state}): their units cannot be matched "
            f"(many county names recur across states); compare with an earlier "
            f"{later_state} election", field="compare")])
    parties = swing_parties(later)
    earlier_rows = {_key(row.unit): row for row in earlier.rows}
    earlier_by_name = {normal_name(row.unit.name): row for row in earlier.rows}
    changes, unmatched = [], []
    for row in later.rows:
        before = earlier_rows.get(_key(row.unit)) or earlier_by_name.get(normal_name(row.unit.name))
        if before is None:
            unmatched.append(row.unit.name)
            continue
        changes.append(UnitChange(
            row.unit, winning_party(earlier, before), winning_party(later, row),
            party_margin(earlier, before, parties), party_margin(later, row, parties)))
    return Comparison(later, earlier, parties, tuple(changes), tuple(unmatched))


def swing_parties(later: Tabulation) -> tuple[str, str]:
    """The two parties every margin and swing subtracts, first minus second: ("Democratic",
    "Republican") when ``later`` has candidates of both (so the sign never depends on who
    leads), else the parties of its two leading candidates in alphabetical order.

    Raises:
        KeyError: a leading candidate id of ``later`` is not among its returns' candidates.
    """
    present = {party_of(later, c.id) for c in later.columns if not c.aggregate}
    major = (canonical.DEMOCRATIC.name, canonical.REPUBLICAN.name)
    if all(p in present for p in major):
        return major
    first, second = sorted((party_of(later, later.leading[0]), party_of(later, later.leading[1])))
    return first, second


def _key(unit: Unit) -> str:
    return unit.fips or normal_name(unit.name)


def party_of(tabulation: Tabulation, candidate_id: str) -> str:
    """The party name of ``candidate_id`` in ``tabulation``'s returns, or the candidate's label
    when it has no party.

    Raises:
        KeyError: no candidate has that id.
    """
    returns = tabulation.returns
    return returns.party_name(returns.candidate(candidate_id).party) or returns.candidate(
        candidate_id).label


def winning_party(tabulation: Tabulation, row: Row) -> str | None:
    """The party of the unit's leading real candidate (a "various candidates" column never wins)."""
    real = {c.id for c in tabulation.columns if not c.aggregate}
    ranked = sorted(((v, cid) for cid, v in row.votes.items() if cid in real), reverse=True)
    if not ranked or ranked[0][0] == 0 or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
        return None
    return party_of(tabulation, ranked[0][1])


def party_margin(tabulation: Tabulation, row: Row, parties: tuple[str, str]) -> Fraction:
    """``(votes of parties[0] − votes of parties[1]) / row.total``, exact (−1..1), summing every
    real candidate of each party; 0 for an empty unit."""
    if row.total == 0:
        return Fraction(0)
    votes = {parties[0]: 0, parties[1]: 0}
    for candidate in tabulation.columns:
        if candidate.aggregate:
            continue
        party = party_of(tabulation, candidate.id)
        if party in votes:
            votes[party] += row.of(candidate.id)
    return Fraction(votes[parties[0]] - votes[parties[1]], row.total)
