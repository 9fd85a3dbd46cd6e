"""Checks of a congressional-district table, which states shares only."""

from __future__ import annotations

from collections.abc import Iterator

from electoral.check.base import Context, Discrepancy, rule, within_rounding
from electoral.published import TableKind


@rule(TableKind.DISTRICTS)
def district_shares_at_most_100(ctx: Context) -> Iterator[Discrepancy]:
    """A district's stated shares add up to no more than 100%, give or take half a unit in the last
    stated place of each (the table need not list every candidate)."""
    for row in ctx.table.rows:
        shares = [c for c in row.cells if c is not None]
        if sum(c.value for c in shares) > 100 + within_rounding(shares):
            yield ctx.found(row, "all", " + ".join(c.text for c in shares), "≤ 100%",
                            "the shares add up to more than 100%")
