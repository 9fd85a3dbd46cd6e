"""Checks of a statewide results table: candidate shares, the Total row's votes and electoral votes."""

from __future__ import annotations

from collections.abc import Iterator

from electoral.check.base import Context, Discrepancy, count_finding, rule, share_finding, statewide_votes
from electoral.published import PublishedRow, TableKind


def _candidate_rows(ctx: Context) -> Iterator[PublishedRow]:
    return (r for r in ctx.table.rows if r.label not in ("Turnout", "Total"))


def _total_rows(ctx: Context) -> Iterator[PublishedRow]:
    return (r for r in ctx.table.rows if r.label == "Total")


@rule(TableKind.RESULTS)
def results_total_votes(ctx: Context) -> Iterator[Discrepancy]:
    """The Total row's votes are the sum of every candidate's statewide votes in the raw counts."""
    total = sum(statewide_votes(ctx.article).values())
    for row in _total_rows(ctx):
        yield from count_finding(ctx, row, "Votes", row.cell(0), total,
                                 "the sum of the candidates' votes")


@rule(TableKind.RESULTS)
def results_total_electoral_votes(ctx: Context) -> Iterator[Discrepancy]:
    """The Total row's electoral votes are the sum of the electoral votes stated for the candidates
    listed above it."""
    stated = 0
    for row in ctx.table.rows:
        ev = row.cell(2)
        if row.label == "Total":
            if ev is not None and ev.value != stated:
                yield ctx.found(row, "Electoral votes", ev, stated,
                                f"the candidates' electoral votes add up to {stated}")
        elif row.label != "Turnout":
            stated += int(ev.value) if ev is not None else 0


@rule(TableKind.RESULTS)
def results_shares(ctx: Context) -> Iterator[Discrepancy]:
    """A candidate's percentage is their statewide votes over all candidates' statewide votes,
    rounded once, half away from zero, at the precision stated."""
    votes = statewide_votes(ctx.article)
    total = sum(votes.values())
    for row in _candidate_rows(ctx):
        yield from share_finding(ctx, row, "Percentage", row.cell(1), votes.get(row.label, 0), total)
