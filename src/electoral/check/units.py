"""Checks of a unit table (counties, councils of government, towns): per unit the two leading
candidates' votes and shares, everyone else's ("other"), the margin and the total, then a totals row.

Columns, in the articles' order: first votes, first %, second votes, second %, other votes, other %,
margin votes, margin %, total.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from electoral.check.base import (
    Context,
    Derived,
    Discrepancy,
    count_finding,
    rule,
    share_finding,
    statewide_votes,
    within_rounding,
)
from electoral.model import UnitKind
from electoral.published import Figure, PublishedRow, TableKind
from electoral.tabulate.rollup import roll_up

FIRST, FIRST_PCT, SECOND, SECOND_PCT, OTHER, OTHER_PCT, MARGIN, MARGIN_PCT, TOTAL = range(9)


@dataclass(frozen=True, slots=True)
class _Line:
    """A stated row and the raw counts for it: (first, second, other)."""

    row: PublishedRow
    counts: tuple[int, int, int]
    totals: bool  # the table's totals row, whose counts are the sum of the unit rows

    @property
    def total(self) -> int:
        return sum(self.counts)


def _lines(ctx: Context) -> list[_Line]:
    """Every stated row with its computed counts; the totals row(s) last, as the sum of the units."""
    tabulation = roll_up(ctx.article.returns, UnitKind(ctx.table.level or "county"))
    first, second = ctx.table.candidates[:2]
    by_name = {row.unit.name: row for row in tabulation.rows}
    units, totals, sums = [], [], [0, 0, 0]
    for stated in ctx.table.rows:
        if stated.label.lower().startswith("total"):
            totals.append(stated)
            continue
        row = by_name[stated.label]
        counts = (row.of(first), row.of(second), row.total - row.of(first) - row.of(second))
        sums = [s + c for s, c in zip(sums, counts, strict=True)]
        units.append(_Line(stated, counts, False))
    return units + [_Line(row, (sums[0], sums[1], sums[2]), True) for row in totals]


@rule(TableKind.UNITS)
def unit_counts(ctx: Context) -> Iterator[Discrepancy]:
    """A unit's total is the sum of its votes; the totals row's counts (first, second, other, total)
    are the sums of the unit rows above it."""
    columns = ctx.table.columns
    for line in _lines(ctx):
        stated = line.row
        if line.totals:
            for index, value in zip((FIRST, SECOND, OTHER), line.counts, strict=True):
                yield from count_finding(ctx, stated, columns[index], stated.cell(index), value,
                                         "the sum of the units")
            yield from count_finding(ctx, stated, columns[TOTAL], stated.cell(TOTAL), line.total,
                                     "the sum of the units")
        elif stated.cell(TOTAL) is not None:
            yield from count_finding(ctx, stated, columns[TOTAL], stated.cell(TOTAL), line.total,
                                     "the sum of the row's votes")


@rule(TableKind.UNITS)
def unit_shares(ctx: Context) -> Iterator[Discrepancy]:
    """Each share (first, second, other) is its votes over the row's total, rounded once, half away
    from zero, at the precision stated; an "other" share equal to 100 minus the two stated rounded
    shares is a rounding slip, not an error."""
    columns = ctx.table.columns
    for line in _lines(ctx):
        stated, (first, second, other) = line.row, line.counts
        for index, value in ((FIRST_PCT, first), (SECOND_PCT, second)):
            yield from share_finding(ctx, stated, columns[index], stated.cell(index), value,
                                     line.total)
        yield from share_finding(ctx, stated, columns[OTHER_PCT], stated.cell(OTHER_PCT), other,
                                 line.total,
                                 _derived(stated, "100% − {a} − {b}", lambda a, b: 100 - a - b))


@rule(TableKind.UNITS)
def unit_margins(ctx: Context) -> Iterator[Discrepancy]:
    """The margin is the first column's votes minus the second's, and its share that over the
    row's total, rounded once, half away from zero; a margin share equal to the difference of the
    two stated rounded shares, and within their rounding (half a unit in each one's last place) of
    the exact margin, is a rounding slip, not an error — a sign slip never is."""
    columns = ctx.table.columns
    for line in _lines(ctx):
        stated, (first, second, _other) = line.row, line.counts
        yield from count_finding(ctx, stated, columns[MARGIN], stated.cell(MARGIN), first - second,
                                 "the first column's votes minus the second's")
        yield from share_finding(ctx, stated, columns[MARGIN_PCT], stated.cell(MARGIN_PCT),
                                 first - second, line.total,
                                 _derived(stated, "{a} − {b}", lambda a, b: a - b))


def _derived(stated: PublishedRow, formula: str,
             compute: Callable[[Decimal, Decimal], Decimal]) -> Derived | None:
    """What a figure would be if computed from the row's rounded shares, how, and how far their
    rounding can move it (half a unit in the last place of each, added up)."""
    a, b = stated.cell(FIRST_PCT), stated.cell(SECOND_PCT)
    if a is None or b is None:
        return None
    return Derived(compute(a.value, b.value), formula.format(a=a.text, b=b.text),
                   within_rounding([a, b]))


@rule(TableKind.UNITS)
def units_match_statewide(ctx: Context) -> Iterator[Discrepancy]:
    """The units add up to the statewide results: the totals row's total and the two leading
    candidates' votes equal the statewide counts."""
    votes = statewide_votes(ctx.article)
    if not votes:
        return
    first, second = ctx.table.candidates[:2]
    statewide_total = sum(votes.values())
    for line in (line for line in _lines(ctx) if line.totals):
        stated = line.row
        if line.total != statewide_total:
            yield ctx.found(stated, ctx.table.columns[TOTAL], f"{line.total:,}", statewide_total,
                            f"the units add up to {line.total:,} votes but the statewide results "
                            f"table gives {statewide_total:,} ({line.total - statewide_total:+,})")
        for index, candidate in ((FIRST, first), (SECOND, second)):
            figure: Figure | None = stated.cell(index)
            if figure is not None and candidate in votes and figure.value != votes[candidate]:
                yield ctx.found(stated, ctx.table.columns[index], figure, votes[candidate],
                                "the statewide results table gives another count")
