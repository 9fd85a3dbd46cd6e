"""Checks of a published ranked-choice round table: each round's shares, transfers and active ballots.

The table's layout is the articles': round 1 (votes, %), then for every later round a transfer column
followed by (votes, %). A candidate's figures stop at the round they are eliminated in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from electoral.numbers import percent
from electoral.published import Figure, PublishedRow

if TYPE_CHECKING:
    from electoral.check import Discrepancy, _Context


@dataclass(frozen=True, slots=True)
class _Line:
    """One candidate's published figures, round by round (index 0 is round 1)."""

    row: PublishedRow
    votes: list[Figure | None]
    shares: list[Figure | None]
    transfers: list[Figure | None]


def published_rounds(rows: tuple[PublishedRow, ...], rounds: int) -> list[_Line]:
    lines = []
    for row in rows:
        if row.label == "Active ballots":
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
    """The last round (1-based) for which any candidate has a vote figure."""
    return max((i + 1 for line in lines for i, v in enumerate(line.votes) if v is not None),
               default=0)


def check_rounds(ctx: _Context) -> Iterator[Discrepancy]:
    announced = sum(1 for c in ctx.table.columns if c.endswith(" votes"))
    lines = published_rounds(ctx.table.rows, announced)
    rounds = last_round(lines)
    active = [sum(int(v.value) for line in lines if (v := line.votes[r]) is not None)
              for r in range(rounds)]
    for line in lines:
        yield from _candidate(ctx, line, active, rounds)
    yield from _active_row(ctx, active)
    if rounds < announced:
        first = ctx.table.rows[0]
        yield ctx.found(first, f"Round {rounds + 1}", "(blank)", f"{announced} rounds",
                        f"the table announces {announced} rounds but gives figures only up to "
                        f"round {rounds}: the final round(s) are missing")


def _candidate(ctx: _Context, line: _Line, active: list[int], rounds: int) -> Iterator[Discrepancy]:
    row = line.row
    for r in range(rounds):
        votes, share = line.votes[r], line.shares[r]
        if votes is not None:
            yield from _share(ctx, row, r, share, int(votes.value), active[r])
        if r == 0:
            continue
        before, transfer = line.votes[r - 1], line.transfers[r]
        if before is None:
            continue
        change = (int(votes.value) if votes is not None else 0) - int(before.value)
        stated = int(transfer.value) if transfer is not None else 0
        if votes is None and transfer is None:
            continue
        if stated != change:
            text = transfer.text if transfer is not None else "(blank)"
            yield ctx.found(row, f"Round {r + 1} transfer", text, f"{change:+d}",
                            f"votes go from {before.text} to "
                            f"{votes.text if votes else 'eliminated (0)'}: a change of {change:+d}")


def _share(ctx: _Context, row: PublishedRow, r: int, share: Figure | None, votes: int,
           active: int) -> Iterator[Discrepancy]:
    if share is None:
        return
    exact = percent(votes, active, share.places)
    if share.value != exact:
        yield ctx.found(row, f"Round {r + 1} %", share, exact,
                        f"{votes} of round {r + 1}'s {active} active ballots is {exact}%, "
                        f"not {share.text}")


def _active_row(ctx: _Context, active: list[int]) -> Iterator[Discrepancy]:
    row = next((r for r in ctx.table.rows if r.label == "Active ballots"), None)
    if row is None:
        return
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
