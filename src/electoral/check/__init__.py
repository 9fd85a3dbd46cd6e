"""Recompute every figure a published table states and list each disagreement.

One module per kind of published table (``electoral.published.TableKind``): ``infobox``,
``results``, ``units``, ``districts``, ``rounds``, ``polls``. Each check is one function registered
with ``@rule(kind)``; its docstring is the rule it enforces, and ``list_checks()`` lists them all.
``check_article`` runs every check registered for each table's kind.

A stated figure is compared with the exact value at the precision it was stated. Where it is wrong
but equals what one gets from other *already rounded* figures of the same row (a margin as the
difference of two rounded shares, "other" as 100 minus them), it is a ``rounding`` discrepancy; any
other disagreement is an ``error``. The worst finding decides the outcome: only errors make
``electoral check`` fail.
"""

from __future__ import annotations

from collections.abc import Iterable

# Imported for their @rule registrations.
from electoral.check import districts, infobox, polls, results, rounds, units  # noqa: F401
from electoral.check.base import REGISTRY, Check, Context, Discrepancy, Kind
from electoral.published import Article, TableKind

__all__ = ["Check", "Discrepancy", "Kind", "check_article", "has_errors", "list_checks", "worst"]

_SEVERITY = (Kind.ERROR, Kind.ROUNDING)  # worst first


def list_checks(table: TableKind | None = None) -> tuple[Check, ...]:
    """Every registered check (name, table kind, rule text), in the order they run: by table kind
    as ``TableKind`` lists them, then as each module defines them; only those of ``table`` kind
    when given."""
    order = list(TableKind)
    return tuple(sorted((c for c in REGISTRY if table is None or c.table == table),
                        key=lambda c: order.index(c.table)))


def check_article(article: Article) -> list[Discrepancy]:
    """Every disagreement between what ``article`` states and what its raw counts give.

    Table by table in the article's order; within a table, top to bottom by row (findings on one row
    in the order the checks are listed). An empty list means every stated figure is right.

    Raises:
        NotFoundError: when no votes of the article's returns roll up to a unit table's level.
        KeyError: when a unit table names a unit the article's returns do not have.
    """
    found: list[Discrepancy] = []
    for table in article.tables:
        in_table: list[Discrepancy] = []
        for check in list_checks(table.kind):
            in_table.extend(check.run(Context(article, table, check.name)))
        found.extend(sorted(in_table, key=lambda d: d.line))
    return found


def worst(found: Iterable[Discrepancy]) -> Kind | None:
    """The most severe kind among ``found`` (``Kind.ERROR`` over ``Kind.ROUNDING``), or ``None``
    when there is nothing."""
    kinds = {d.kind for d in found}
    return next((k for k in _SEVERITY if k in kinds), None)


def has_errors(found: Iterable[Discrepancy]) -> bool:
    """Whether any finding is an ``error``: the condition on which ``electoral check`` exits 1."""
    return worst(found) == Kind.ERROR
