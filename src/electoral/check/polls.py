"""Checks of an opinion-poll table: sample size and margin of error, then one share per option."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from electoral.check.base import Context, Discrepancy, rule, within_rounding
from electoral.published import TableKind


@rule(TableKind.POLLS)
def poll_shares_add_to_100(ctx: Context) -> Iterator[Discrepancy]:
    """A poll's shares, "other / undecided" included, add up to 100%, give or take half a unit in
    the last stated place of each."""
    for row in ctx.table.rows:
        shares = [c for c in row.cells[2:] if c is not None]
        total = sum((c.value for c in shares), Decimal(0))
        if shares and abs(total - 100) > within_rounding(shares):
            yield ctx.found(row, "all options", " + ".join(c.text for c in shares),
                            Decimal(100), f"the options add up to {total}%")
