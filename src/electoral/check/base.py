"""What every check shares: a finding (``Discrepancy``), its severity (``Kind``), the registry of
checks and the ``rule`` decorator that fills it, and the comparisons of a stated figure with the
exact one.

A stated figure is compared with the exact value at the precision it was stated. Where it is wrong
but equals what one gets from other *already rounded* figures of the same row (a margin as the
difference of two rounded shares, "other" as 100 minus them) *and* lies within what that rounding
can explain of the exact value (half a unit in the last place of each rounded figure it was derived
from, added up), it is a ``rounding`` discrepancy; any other disagreement is an ``error`` — a sign
slip or two swapped columns is never rounding, however the figure was derived.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from electoral.numbers import percent
from electoral.published import Article, Figure, PublishedRow, PublishedTable, TableKind


class Kind(StrEnum):
    """A finding's severity, worst first: only an ``error`` makes ``electoral check`` fail."""

    ERROR = "error"
    ROUNDING = "rounding"


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One stated figure that disagrees with the raw counts: where it is (``source``, ``line``,
    ``table``, ``row``, ``column``), the figure as ``stated`` and as ``computed`` (both as text), why,
    and the name of the ``check`` whose rule it breaks."""

    kind: Kind
    source: str
    table: str
    row: str
    column: str
    stated: str
    computed: str
    message: str
    line: int = 0
    check: str = ""

    def as_dict(self) -> dict[str, object]:
        """The JSON form of ``electoral check --format json``: every field, ``kind`` as its text."""
        return {"kind": str(self.kind), "source": self.source, "table": self.table, "row": self.row,
                "column": self.column, "stated": self.stated, "computed": self.computed,
                "message": self.message, "line": self.line, "check": self.check}


@dataclass(frozen=True, slots=True)
class Context:
    """The table one check is run on, the article it belongs to, and the check's name."""

    article: Article
    table: PublishedTable
    check: str

    def found(self, row: PublishedRow, column: str, stated: Figure | str, computed: object,
              message: str, kind: Kind = Kind.ERROR) -> Discrepancy:
        """A finding at ``row`` / ``column`` of this table; ``computed`` is shown as
        ``_text`` renders it (counts with thousands separators, shares with a ``%``)."""
        text = stated.text if isinstance(stated, Figure) else stated
        return Discrepancy(kind, self.article.source, self.table.title, row.label, column, text,
                           _text(computed), message, row.line, self.check)


Rule = Callable[[Context], Iterator[Discrepancy]]


@dataclass(frozen=True, slots=True)
class Check:
    """One registered check: its ``name`` (kebab-case), the ``table`` kind it reads, its ``rule``
    (the function's docstring, which states the rule) and the function that applies it."""

    name: str
    table: TableKind
    rule: str
    run: Rule


REGISTRY: list[Check] = []


def rule(table: TableKind) -> Callable[[Rule], Rule]:
    """Register the decorated function as a check of ``table`` tables, named after the function.

    Raises:
        TypeError: when the function has no docstring (the docstring is the rule ``--list``
            shows) or a check of that name is already registered.
    """
    def register(run: Rule) -> Rule:
        name = run.__name__.strip("_").replace("_", "-")
        if not run.__doc__:
            raise TypeError(f"check {name} has no docstring: a check's docstring states its rule")
        if any(c.name == name for c in REGISTRY):
            raise TypeError(f"two checks are named {name}")
        REGISTRY.append(Check(name, table, inspect.cleandoc(run.__doc__), run))
        return run
    return register


def _text(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value}%"
    return str(value)


def statewide_votes(article: Article) -> dict[str, int]:
    """Votes per candidate id in the state's own unit of ``article.returns`` (empty if none)."""
    returns = article.returns
    state = returns.election.state
    return {c.candidate: c.votes for c in returns.counts
            if c.unit == state and c.votes is not None}  # an article withholds no count


@dataclass(frozen=True, slots=True)
class Derived:
    """A figure as computed from other rounded figures of its row: its ``value``, ``how`` (the
    formula with the figures, for the message) and ``slack``, the most that rounding those figures
    can move it from the exact value (percentage points)."""

    value: Decimal
    how: str
    slack: Decimal


def share_finding(ctx: Context, row: PublishedRow, column: str, stated: Figure | None, part: int,
                  whole: int, derived: Derived | None = None) -> Iterator[Discrepancy]:
    """A stated share against ``percent(part, whole)`` at the stated precision.

    ``derived`` is what the figure would be if computed from the row's rounded figures; a stated
    figure equal to it and within ``derived.slack`` of the exact share ``100·part/whole`` is a
    ``rounding`` finding. Any other mismatch is an ``error`` — including a figure that equals the
    derived one but lies farther from the exact share than rounding can explain (a sign slip, two
    swapped columns).
    """
    if stated is None:
        return
    exact = percent(part, whole, stated.places)
    if stated.value == exact:
        return
    if derived is not None and stated.value == derived.value:
        off = abs(Fraction(stated.value) - Fraction(100 * part, whole or 1))
        if off <= Fraction(derived.slack):
            yield ctx.found(row, column, stated, exact, f"{stated.text} is {derived.how}, from "
                            f"rounded figures; from the counts ({part:,} of {whole:,}) it is "
                            f"{exact}%", Kind.ROUNDING)
            return
        yield ctx.found(row, column, stated, exact,
                        f"{part:,} of {whole:,} is {exact}%, not {stated.text}: {stated.text} is "
                        f"{derived.how}, but rounding those figures can move it at most "
                        f"{derived.slack.normalize()} points, not {_points(off)}")
        return
    yield ctx.found(row, column, stated, exact,
                    f"{part:,} of {whole:,} is {exact}%, not {stated.text}"
                    f"{_hint(stated, exact, part, whole)}")


def _points(value: Fraction) -> str:
    """A distance in percentage points, to two decimals, for a message."""
    return f"{Decimal(value.numerator) / Decimal(value.denominator):.2f}"


def _hint(stated: Figure, exact: Decimal, part: int, whole: int) -> str:
    """Say what a last-digit slip most likely is, so a reader can tell slips from blunders."""
    unit = Decimal(1).scaleb(-stated.places)
    if abs(stated.value - exact) != unit:
        return ""
    truncated = Decimal(100 * part * 10**stated.places // whole).scaleb(-stated.places)
    if stated.value == truncated:
        return " (the exact share cut off, not rounded)"
    return " (one unit off in the last digit)"


def count_finding(ctx: Context, row: PublishedRow, column: str, stated: Figure | None,
                  computed: int, what: str) -> Iterator[Discrepancy]:
    """A stated count against ``computed`` (``what`` names where the computed count comes from)."""
    if stated is not None and stated.value != computed:
        yield ctx.found(row, column, stated, computed, f"{what} is {computed:,}, not {stated.text}")


def within_rounding(shares: list[Figure]) -> Decimal:
    """How far a sum of rounded shares may stray from the exact sum: half a unit in the last
    stated place of each."""
    return sum((Decimal(5).scaleb(-c.places - 1) for c in shares), Decimal(0))
