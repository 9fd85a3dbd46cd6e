"""Checks of a published ranked-choice round table: each round's shares, transfers and active ballots.

The table's layout is the articles': round 1 (votes, %), then for every later round a transfer column
followed by (votes, %). A candidate's figures stop at the round they are eliminated in. A round's
active ballots are the votes its remaining candidates hold between them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from electoral.check.base import Context, Discrepancy, rule
from electoral.numbers import percent
from electoral.published import Figure, PublishedRow, TableKind

ACTIVE = "Active ballots"


@dataclass(frozen=True, slots=True)
class _Line:
    """One candidate's published figures, round by round (index 0 is round 1)."""

    row: PublishedRow
    votes: list[Figure | None]
    shares: list[Figure | None]
    transfers: list[Figure | None]


@dataclass(frozen=True, slots=True)
class _Rounds:
    """A round table as read: the rounds its header announces, the last one with figures, each
    candidate's line, and each round's active ballots (the sum of the candidates' votes)."""

    announced: int
    rounds: int
    lines: list[_Line]
    active: list[int]


def published_rounds(rows: tuple[PublishedRow, ...], rounds: int) -> list[_Line]:
    """Each candidate row's figures for ``rounds`` rounds (the Active ballots row left out)."""
    lines = []
    for row in rows:
        if row.label == ACTIVE:
            continue
        votes: list[Figure | None] = [row.cell(0)]
        shares: list[Figure | None] = [row.cell(1)]
        transfers: list[Figure | None] = [None]
        for n in range(2, rounds + 1):
            base = 2 + 3 * (n - 2)
            transfers.append(row.cell(base))
            votes.append(row.cell(base + 1))
            shares.append(row.cell(base + 2))
        lines.append(_Line(row, votes, shares, transfers))
    return lines


def last_round(lines: list[_Line]) -> int:
    """The last round (1-based) for which any candidate has a vote figure; 0 if none has."""
    return max((i + 1 for line in lines for i, v in enumerate(line.votes) if v is not None),
               default=0)


def _read(ctx: Context) -> _Rounds:
    announced = sum(1 for c in ctx.table.columns if c.endswith(" votes"))
    lines = published_rounds(ctx.table.rows, announced)
    rounds = last_round(lines)
    active = [sum(int(v.value) for line in lines if (v := line.votes[r]) is not None)
              for r in range(rounds)]
    return _Rounds(announced, rounds, lines, active)


@rule(TableKind.ROUNDS)
def round_shares(ctx: Context) -> Iterator[Discrepancy]:
    """A candidate's share in a round is their votes over that round's active ballots, rounded once,
    half away from zero, at the precision stated."""
    table = _read(ctx)
    for line in table.lines:
        for r in range(table.rounds):
            votes, share = line.votes[r], line.shares[r]
            if votes is None or share is None:
                continue
            exact = percent(int(votes.value), table.active[r], share.places)
            if share.value != exact:
                yield ctx.found(line.row, f"Round {r + 1} %", share, exact,
                                f"{int(votes.value)} of round {r + 1}'s {table.active[r]} active "
                                f"ballots is {exact}%, not {share.text}")


@rule(TableKind.ROUNDS)
def round_transfers(ctx: Context) -> Iterator[Discrepancy]:
    """A candidate's transfer in a round is their votes in it minus their votes in the round before
    (an eliminated candidate has 0; a blank transfer is 0)."""
    table = _read(ctx)
    for line in table.lines:
        for r in range(1, table.rounds):
            votes, before, transfer = line.votes[r], line.votes[r - 1], line.transfers[r]
            if before is None or (votes is None and transfer is None):
                continue
            change = (int(votes.value) if votes is not None else 0) - int(before.value)
            stated = int(transfer.value) if transfer is not None else 0
            if stated != change:
                text = transfer.text if transfer is not None else "(blank)"
                yield ctx.found(line.row, f"Round {r + 1} transfer", text, f"{change:+d}",
                                f"votes go from {before.text} to "
                                f"{votes.text if votes else 'eliminated (0)'}: a change of {change:+d}")


@rule(TableKind.ROUNDS)
def active_ballots(ctx: Context) -> Iterator[Discrepancy]:
    """The Active ballots row gives, for each round, the votes the round's candidates hold between
    them; a row shifted by one round is named as such rather than as one error per round."""
    row = next((r for r in ctx.table.rows if r.label == ACTIVE), None)
    if row is None:
        return
    active = _read(ctx).active
    stated = [row.cell(0), *(row.cell(i) for i in range(2, len(row.cells), 2))]
    values = [int(f.value) for f in stated if f is not None]
    mismatched = [r for r, v in enumerate(values) if r < len(active) and v != active[r]]
    if not mismatched:
        return
    first = mismatched[0]
    shifted = all(values[r] == active[r + 1] for r in mismatched if r + 1 < len(active))
    reason = (f"the row is shifted one round: it gives round {first + 2}'s count ({active[first + 1]}) "
              f"under round {first + 1}, so every later round is off by one"
              if shifted and first + 1 < len(active) else
              f"round {first + 1}'s candidates have {active[first]} votes between them")
    yield ctx.found(row, f"Round {first + 1}", f"{values[first]:,}", active[first],
                    f"active ballots stated as {values[first]:,} but {reason}")
    if not shifted:
        for r in mismatched[1:]:
            yield ctx.found(row, f"Round {r + 1}", f"{values[r]:,}", active[r],
                            f"round {r + 1}'s candidates have {active[r]} votes between them")


@rule(TableKind.ROUNDS)
def rounds_complete(ctx: Context) -> Iterator[Discrepancy]:
    """Every round the table's header announces has figures: missing final rounds hide the winner."""
    table = _read(ctx)
    if table.rounds < table.announced:
        yield ctx.found(ctx.table.rows[0], f"Round {table.rounds + 1}", "(blank)",
                        f"{table.announced} rounds",
                        f"the table announces {table.announced} rounds but gives figures only up "
                        f"to round {table.rounds}: the final round(s) are missing")
