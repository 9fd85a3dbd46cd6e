"""Counts as columns: the one form every returns reader gives and the store takes.

Every reader's output is a list of ``ReturnsTable``: an election's ``Returns`` with its ``counts``
left empty, and those counts in a ``CountTable`` (Arrow columns) beside it. The import stage
(``io.stage``) checks that form, ``Store.save`` writes it, ``roll_up(..., counts=table)``
tabulates from it; ``Count`` objects are made only for code that wants them
(``ReturnsTable.materialized``), so a 1.48M-row file never becomes 1.35M Python objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from electoral.model import Count, Returns, VoteType

# ``line``: the file line each count came from (null where unknown, and once stored). Before the
# import stage a key may repeat (a split precinct, a duplicated row, a total row): the stage's
# rules decide, by line, what each repeat is; after it every key is unique.
SCHEMA = pa.schema([("unit", pa.string()), ("candidate", pa.string()),
                    ("vote_type", pa.string()), ("votes", pa.int64()), ("line", pa.int64())])



@dataclass(frozen=True, slots=True)
class CountTable:
    """One election's counts: columns ``unit``, ``candidate``, ``vote_type`` (a ``VoteType``
    value), ``votes`` and ``line`` (the source line, nullable), one row per (unit, candidate, vote
    type) once the import stage has run."""

    table: pa.Table
    # ``totals`` remembered: a table is rolled up to several levels (never compared or shown)
    _totals: Totals | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.table.schema.equals(SCHEMA):
            raise ValueError(f"a count table has the columns {SCHEMA}, not {self.table.schema}")

    @classmethod
    def of(cls, counts: Iterable[Count]) -> CountTable:
        """The table of ``counts``, in their order."""
        counts = list(counts)
        return cls(pa.table({"unit": [c.unit for c in counts],
                             "candidate": [c.candidate for c in counts],
                             "vote_type": [str(c.vote_type) for c in counts],
                             "votes": pa.array([c.votes for c in counts], pa.int64()),
                             "line": pa.array([c.line for c in counts], pa.int64())},
                            schema=SCHEMA))

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def counts(self) -> tuple[Count, ...]:
        kinds = {str(k): k for k in VoteType}
        columns = [self.table.column(i).to_pylist() for i in range(5)]
        return tuple(map(Count, columns[0], columns[1], columns[3],
                         [kinds[k] for k in columns[2]], columns[4]))

    def totals(self) -> Totals:
        """Votes per (unit, candidate): the TOTAL row where one exists, else the sum of the vote
        types, exactly as ``rollup`` reckons them from ``Count`` objects."""
        if self._totals is None:
            object.__setattr__(self, "_totals", self._sum())
        assert self._totals is not None
        return self._totals

    def _sum(self) -> Totals:
        table = self.table.append_column("is_total", pc.equal(self.table.column("vote_type"),
                                                              str(VoteType.TOTAL)))
        summed = table.group_by(["unit", "candidate", "is_total"]).aggregate(
            [("votes", "sum"), ("votes", "count", pc.CountOptions(mode="only_null"))])
        # a key whose counts are all suppressed sums to null: 0 known votes, the cells counted
        summed = summed.set_column(summed.schema.get_field_index("votes_sum"), "votes_sum",
                                   pc.fill_null(summed.column("votes_sum"), 0))
        total = summed.filter(pc.field("is_total"))
        by_type = summed.filter(pc.invert(pc.field("is_total"))).join(
            total.select(["unit", "candidate"]), keys=["unit", "candidate"],
            join_type="left anti")
        columns = ["unit", "candidate", "votes_sum", "votes_count"]
        both = pa.concat_tables([total.select(columns), by_type.select(columns)])
        return Totals(both.rename_columns(["unit", "candidate", "votes_sum", "suppressed"]))


@dataclass(frozen=True, slots=True)
class Totals:
    """Votes per (unit, candidate) as columns ``unit``, ``candidate``, ``votes_sum`` (the known
    votes) and ``suppressed`` (how many withheld counts, ``Count.votes`` ``None``, it leaves out):
    what ``rollup`` adds up into the units of a level."""

    table: pa.Table

    def units(self) -> set[str]:
        return set(pc.unique(self.table.column("unit")).to_pylist())

    def by_target(self, owner: Mapping[str, str | None]) -> dict[str, dict[str, int]]:
        """Known votes per candidate in each target unit, every unit's votes given to
        ``owner[unit]`` (none where that is missing or ``None``)."""
        return self._summed(owner, "votes_sum")

    def suppressed_by_target(self, owner: Mapping[str, str | None]) -> dict[str, dict[str, int]]:
        """As ``by_target``, the number of withheld counts inside each figure (only figures with
        at least one); empty, cheaply, when the election withholds none."""
        if not pc.max(self.table.column("suppressed")).as_py():
            return {}
        return {t: {c: n for c, n in by.items() if n}
                for t, by in self._summed(owner, "suppressed").items()
                if any(by.values())}

    def _summed(self, owner: Mapping[str, str | None], column: str) -> dict[str, dict[str, int]]:
        units = pc.unique(self.table.column("unit"))
        targets = pa.array([owner.get(u) for u in units.to_pylist()], pa.string())
        target = pc.take(targets, pc.index_in(self.table.column("unit"), value_set=units))
        owned = pa.table({"target": target, "candidate": self.table.column("candidate"),
                          "votes": self.table.column(column)}).filter(pc.is_valid(target))
        summed = owned.group_by(["target", "candidate"]).aggregate([("votes", "sum")])
        out: dict[str, dict[str, int]] = {}
        for t, c, n in zip(*(summed.column(i).to_pylist() for i in range(3)), strict=True):
            out.setdefault(t, {})[c] = n
        return out


@dataclass(frozen=True, slots=True)
class ReturnsTable:
    """One election as a reader gives it and the store takes it: ``returns`` holds everything but
    the counts (its ``counts`` is empty), ``counts`` holds them as columns.

    Raises:
        ValueError: ``returns`` still holds ``Count`` objects (they would be stored twice or lost).
    """

    returns: Returns
    counts: CountTable

    def __post_init__(self) -> None:
        if self.returns.counts:
            raise ValueError("a ReturnsTable keeps its counts in the table; build it with "
                             "ReturnsTable.of(returns)")

    @classmethod
    def of(cls, returns: Returns) -> ReturnsTable:
        """``returns`` (counts as ``Count`` objects) in the columnar form."""
        return cls(replace(returns, counts=()), CountTable.of(returns.counts))

    @property
    def election_id(self) -> str:
        return self.returns.election.id

    def materialized(self) -> Returns:
        """The same election with its counts as ``Count`` objects, in table order."""
        return replace(self.returns, counts=self.counts.counts())
