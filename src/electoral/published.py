"""Figures as a source publishes them: the tables of an article, each number with the precision it
was stated at, so that ``electoral.check`` can recompute every one from the raw counts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from electoral.model import Returns


class TableKind(StrEnum):
    INFOBOX = "infobox"
    RESULTS = "results"  # statewide votes per candidate
    UNITS = "units"  # per county / council of government: two leading, other, margin, total
    DISTRICTS = "districts"  # per congressional district: shares only
    ROUNDS = "rounds"  # ranked-choice rounds
    POLLS = "polls"  # opinion polls of one match-up: sample size, margin of error, shares


@dataclass(frozen=True, slots=True)
class Figure:
    """A number as published: ``text`` verbatim, its ``value``, the decimal ``places`` stated."""

    text: str
    value: Decimal
    places: int
    percent: bool = False
    explicit_sign: bool = False


@dataclass(frozen=True, slots=True)
class PublishedRow:
    label: str
    line: int
    cells: tuple[Figure | None, ...]  # aligned with the table's columns; None where blank
    note: str = ""

    def cell(self, index: int) -> Figure | None:
        return self.cells[index] if index < len(self.cells) else None


@dataclass(frozen=True, slots=True)
class PublishedTable:
    kind: TableKind
    title: str
    line: int
    columns: tuple[str, ...]
    rows: tuple[PublishedRow, ...]
    level: str | None = None
    candidates: tuple[str, ...] = ()  # candidate ids of the named columns, in order


@dataclass(frozen=True, slots=True)
class Article:
    """One article's raw counts (``returns``) and everything it states (``tables``)."""

    returns: Returns
    tables: tuple[PublishedTable, ...]
    electors: tuple[str, ...]
    source: str
