"""Checks of an article's infobox: each candidate's popular vote, share and electoral votes."""

from __future__ import annotations

from collections.abc import Iterator

from electoral.check.base import Context, Discrepancy, count_finding, rule, share_finding, statewide_votes
from electoral.model import Returns
from electoral.published import PublishedRow, TableKind


def _candidates(ctx: Context, votes: dict[str, int]) -> Iterator[tuple[PublishedRow, str]]:
    """The infobox rows that name a candidate with statewide votes, with that candidate's id."""
    for row in ctx.table.rows:
        candidate = _candidate_named(ctx.article.returns, row.label)
        if candidate is not None and candidate in votes:
            yield row, candidate


def _candidate_named(returns: Returns, name: str) -> str | None:
    return next((c.id for c in returns.candidates if c.name == name), None)


@rule(TableKind.INFOBOX)
def infobox_votes(ctx: Context) -> Iterator[Discrepancy]:
    """A candidate's popular vote is their statewide votes in the raw counts."""
    votes = statewide_votes(ctx.article)
    for row, candidate in _candidates(ctx, votes):
        yield from count_finding(ctx, row, "Popular vote", row.cell(0), votes[candidate],
                                 "the results table's count")


@rule(TableKind.INFOBOX)
def infobox_shares(ctx: Context) -> Iterator[Discrepancy]:
    """A candidate's percentage is their statewide votes over all candidates' statewide votes,
    rounded once, half away from zero, at the precision stated."""
    votes = statewide_votes(ctx.article)
    total = sum(votes.values())
    for row, candidate in _candidates(ctx, votes):
        yield from share_finding(ctx, row, "Percentage", row.cell(1), votes[candidate], total)


@rule(TableKind.INFOBOX)
def infobox_electoral_votes(ctx: Context) -> Iterator[Discrepancy]:
    """A candidate's electoral votes are the ones the article's results table gives them."""
    results = {r.label: r for t in ctx.article.tables if t.kind == TableKind.RESULTS for r in t.rows}
    for row, candidate in _candidates(ctx, statewide_votes(ctx.article)):
        listed = results.get(candidate)
        stated_ev, listed_ev = row.cell(2), listed.cell(2) if listed else None
        if stated_ev is not None and listed_ev is not None and stated_ev.value != listed_ev.value:
            yield ctx.found(row, "Electoral votes", stated_ev, int(listed_ev.value),
                            "the infobox and the results table disagree")
