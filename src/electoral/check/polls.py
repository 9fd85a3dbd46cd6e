"""Checks of an opinion-poll table: the shares add up; the margin of error fits the sample size."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from electoral.analyze.polls import share_margin_of_error
from electoral.check.base import Context, Discrepancy, Kind, rule, within_rounding
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


@rule(TableKind.POLLS)
def poll_margin_of_error(ctx: Context) -> Iterator[Discrepancy]:
    """A poll's published margin of error is at least that of a simple random sample of its size at
    a 50% share, 1.96·√(2500/n) points, rounded to the stated places: no design has a design effect
    below 1, so a smaller figure claims precision the sample does not have (Kish, *Survey Sampling*,
    1965). Stated as that figure cut off rather than rounded, it is a ``rounding`` finding."""
    for row in ctx.table.rows:
        sample, stated = row.cell(0), row.cell(1)
        if sample is None or stated is None or sample.value <= 0:
            continue
        exact = share_margin_of_error(50, float(sample.value))
        unit = Decimal(1).scaleb(-stated.places)
        least = Decimal(repr(exact)).quantize(unit, ROUND_HALF_UP)
        if stated.value >= least:
            continue
        cut = Decimal(repr(exact)).quantize(unit, ROUND_DOWN)
        kind = Kind.ROUNDING if stated.value == cut else Kind.ERROR
        how = "cut off, not rounded" if kind is Kind.ROUNDING else "smaller than the sample allows"
        yield ctx.found(row, "Margin of error", stated, least,
                        f"a sample of {sample.text} has a margin of error of at least ±{exact:.2f} "
                        f"points (simple random sample, 95%, 50% share): ±{stated.text} is {how}", kind)
