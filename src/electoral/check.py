"""Recompute every figure a published table states and list each disagreement.

A stated figure is compared with the exact value at the precision it was stated. Where it is wrong
but equals what one gets from other *already rounded* figures of the same row (a margin as the
difference of two rounded shares, "other" as 100 minus them), it is a ``rounding`` discrepancy; any
other disagreement is an ``error``. Only errors make ``electoral check`` fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from electoral.model import Returns, UnitKind
from electoral.numbers import percent
from electoral.published import Article, Figure, PublishedRow, PublishedTable, TableKind
from electoral.tabulate.rollup import roll_up


class Kind(StrEnum):
    ERROR = "error"
    ROUNDING = "rounding"


@dataclass(frozen=True, slots=True)
class Discrepancy:
    kind: Kind
    source: str
    table: str
    row: str
    column: str
    stated: str
    computed: str
    message: str
    line: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"kind": str(self.kind), "source": self.source, "table": self.table, "row": self.row,
                "column": self.column, "stated": self.stated, "computed": self.computed,
                "message": self.message, "line": self.line}


@dataclass(frozen=True, slots=True)
class _Context:
    article: Article
    table: PublishedTable

    def found(self, row: PublishedRow, column: str, stated: Figure | str, computed: object,
              message: str, kind: Kind = Kind.ERROR) -> Discrepancy:
        text = stated.text if isinstance(stated, Figure) else stated
        return Discrepancy(kind, self.article.source, self.table.title, row.label, column, text,
                           _text(computed), message, row.line)


def check_article(article: Article) -> list[Discrepancy]:
    """Every disagreement between what ``article`` states and what its raw counts give."""
    found: list[Discrepancy] = []
    checks = {TableKind.RESULTS: _results, TableKind.UNITS: _units, TableKind.INFOBOX: _infobox,
              TableKind.ROUNDS: _rounds, TableKind.DISTRICTS: _districts, TableKind.POLLS: _polls}
    for table in article.tables:
        found.extend(checks[table.kind](_Context(article, table)))
    return found


def has_errors(found: Iterable[Discrepancy]) -> bool:
    return any(d.kind == Kind.ERROR for d in found)


def _text(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value}%"
    return str(value)


def _pct_check(ctx: _Context, row: PublishedRow, column: str, stated: Figure | None, part: int,
               whole: int, derived: tuple[Decimal, str] | None = None) -> Iterator[Discrepancy]:
    """A stated share against the exact one at the stated precision."""
    if stated is None:
        return
    exact = percent(part, whole, stated.places)
    if stated.value == exact:
        return
    if derived is not None and stated.value == derived[0]:
        yield ctx.found(row, column, stated, exact, f"{stated.text} is {derived[1]}, from rounded "
                        f"figures; from the counts ({part:,} of {whole:,}) it is {exact}%",
                        Kind.ROUNDING)
        return
    yield ctx.found(row, column, stated, exact,
                    f"{part:,} of {whole:,} is {exact}%, not {stated.text}"
                    f"{_hint(stated, exact, part, whole)}")


def _hint(stated: Figure, exact: Decimal, part: int, whole: int) -> str:
    """Say what a last-digit slip most likely is, so a reader can tell slips from blunders."""
    unit = Decimal(1).scaleb(-stated.places)
    if abs(stated.value - exact) != unit:
        return ""
    truncated = Decimal(100 * part * 10**stated.places // whole).scaleb(-stated.places)
    if stated.value == truncated:
        return " (the exact share cut off, not rounded)"
    return " (one unit off in the last digit)"


def _count_check(ctx: _Context, row: PublishedRow, column: str, stated: Figure | None,
                 computed: int, what: str) -> Iterator[Discrepancy]:
    if stated is not None and stated.value != computed:
        yield ctx.found(row, column, stated, computed, f"{what} is {computed:,}, not {stated.text}")


# ---- statewide results and infobox ------------------------------------------------------------

def _statewide(article: Article) -> dict[str, int]:
    returns = article.returns
    state = returns.election.state
    return {c.candidate: c.votes for c in returns.counts if c.unit == state}


def _results(ctx: _Context) -> Iterator[Discrepancy]:
    votes = _statewide(ctx.article)
    total = sum(votes.values())
    electoral_votes = 0
    for row in ctx.table.rows:
        if row.label == "Turnout":
            continue
        if row.label == "Total":
            yield from _count_check(ctx, row, "Votes", row.cell(0), total,
                                    "the sum of the candidates' votes")
            ev = row.cell(2)
            if ev is not None and ev.value != electoral_votes:
                yield ctx.found(row, "Electoral votes", ev, electoral_votes,
                                f"the candidates' electoral votes add up to {electoral_votes}")
            continue
        yield from _pct_check(ctx, row, "Percentage", row.cell(1), votes.get(row.label, 0), total)
        ev = row.cell(2)
        electoral_votes += int(ev.value) if ev is not None else 0


def _infobox(ctx: _Context) -> Iterator[Discrepancy]:
    votes = _statewide(ctx.article)
    total = sum(votes.values())
    results = {r.label: r for t in ctx.article.tables if t.kind == TableKind.RESULTS for r in t.rows}
    for row in ctx.table.rows:
        candidate = _candidate_named(ctx.article.returns, row.label)
        if candidate is None or candidate not in votes:
            continue
        yield from _count_check(ctx, row, "Popular vote", row.cell(0), votes[candidate],
                                "the results table's count")
        yield from _pct_check(ctx, row, "Percentage", row.cell(1), votes[candidate], total)
        table_ev = results.get(candidate)
        stated_ev, listed_ev = row.cell(2), table_ev.cell(2) if table_ev else None
        if stated_ev is not None and listed_ev is not None and stated_ev.value != listed_ev.value:
            yield ctx.found(row, "Electoral votes", stated_ev, int(listed_ev.value),
                            "the infobox and the results table disagree")


def _candidate_named(returns: Returns, name: str) -> str | None:
    return next((c.id for c in returns.candidates if c.name == name), None)


# ---- unit tables --------------------------------------------------------------------------------

def _units(ctx: _Context) -> Iterator[Discrepancy]:
    returns = ctx.article.returns
    tabulation = roll_up(returns, UnitKind(ctx.table.level or "county"))
    first, second = ctx.table.candidates[:2]
    by_name = {row.unit.name: row for row in tabulation.rows}
    sums = [0, 0, 0]
    for stated in ctx.table.rows:
        if stated.label.lower().startswith("total"):
            continue
        row = by_name[stated.label]
        counts = (row.of(first), row.of(second), row.total - row.of(first) - row.of(second))
        sums = [s + c for s, c in zip(sums, counts, strict=True)]
        yield from _unit_row(ctx, stated, counts)
    for stated in ctx.table.rows:
        if stated.label.lower().startswith("total"):
            yield from _unit_row(ctx, stated, tuple(sums), totals=True)  # type: ignore[arg-type]
            yield from _against_statewide(ctx, stated, first, second, sum(sums))


def _unit_row(ctx: _Context, stated: PublishedRow, counts: tuple[int, int, int],
              totals: bool = False) -> Iterator[Discrepancy]:
    columns = ctx.table.columns
    first, second, other = counts
    total = first + second + other
    what = "the sum of the units" if totals else "the count"
    if totals:
        for index, value in zip((0, 2, 4), counts, strict=True):
            yield from _count_check(ctx, stated, columns[index], stated.cell(index), value, what)
    elif stated.cell(8) is not None:
        yield from _count_check(ctx, stated, columns[8], stated.cell(8), total,
                                "the sum of the row's votes")
    if totals:
        yield from _count_check(ctx, stated, columns[8], stated.cell(8), total, what)
    shares = [stated.cell(1), stated.cell(3)]
    for index, value in ((1, first), (3, second)):
        yield from _pct_check(ctx, stated, columns[index], stated.cell(index), value, total)
    yield from _pct_check(ctx, stated, columns[5], stated.cell(5), other, total,
                          _derived(shares, "100% − {a} − {b}", lambda a, b: 100 - a - b))
    yield from _count_check(ctx, stated, columns[6], stated.cell(6), first - second,
                            "the first column's votes minus the second's")
    yield from _pct_check(ctx, stated, columns[7], stated.cell(7), first - second, total,
                          _derived(shares, "{a} − {b}", lambda a, b: a - b))


def _derived(shares: list[Figure | None], formula: str,
             rule: Callable[[Decimal, Decimal], Decimal]) -> tuple[Decimal, str] | None:
    """What a figure would be if computed from the row's rounded shares, and how."""
    if shares[0] is None or shares[1] is None:
        return None
    a, b = shares[0], shares[1]
    return rule(a.value, b.value), formula.format(a=a.text, b=b.text)


def _against_statewide(ctx: _Context, stated: PublishedRow, first: str, second: str,
                       total: int) -> Iterator[Discrepancy]:
    votes = _statewide(ctx.article)
    if not votes:
        return
    statewide_total = sum(votes.values())
    if total != statewide_total:
        yield ctx.found(stated, ctx.table.columns[8], f"{total:,}", statewide_total,
                        f"the units add up to {total:,} votes but the statewide results table "
                        f"gives {statewide_total:,} ({total - statewide_total:+,})")
    for index, candidate in ((0, first), (2, second)):
        figure = stated.cell(index)
        if figure is not None and candidate in votes and figure.value != votes[candidate]:
            yield ctx.found(stated, ctx.table.columns[index], figure, votes[candidate],
                            "the statewide results table gives another count")


# ---- congressional districts (shares only) and ranked-choice rounds ----------------------------

def _districts(ctx: _Context) -> Iterator[Discrepancy]:
    for row in ctx.table.rows:
        shares = [c for c in row.cells if c is not None]
        slack = sum(Decimal(5).scaleb(-c.places - 1) for c in shares)
        if sum(c.value for c in shares) > 100 + slack:
            yield ctx.found(row, "all", " + ".join(c.text for c in shares), "≤ 100%",
                            "the shares add up to more than 100%")


def _polls(ctx: _Context) -> Iterator[Discrepancy]:
    """A poll's shares, "other / undecided" included, add up to 100% within their rounding."""
    for row in ctx.table.rows:
        shares = [c for c in row.cells[2:] if c is not None]
        total = sum((c.value for c in shares), Decimal(0))
        slack = sum(Decimal(5).scaleb(-c.places - 1) for c in shares)
        if shares and abs(total - 100) > slack:
            yield ctx.found(row, "all options", " + ".join(c.text for c in shares),
                            Decimal(100), f"the options add up to {total}%")


def _rounds(ctx: _Context) -> Iterator[Discrepancy]:
    from electoral.check_rounds import check_rounds
    yield from check_rounds(ctx)
