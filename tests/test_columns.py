"""The columnar form every reader gives: counts as a CountTable are stored, checked and rolled up
exactly as the same counts held as Count objects."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from electoral.columns import CountTable, ReturnsTable
from electoral.errors import ValidationError
from electoral.io.stage import INTEGRITY, stage
from electoral.model import Count, Returns, UnitKind, VoteType
from electoral.store import Store
from electoral.tabulate.rollup import _totals, roll_up
from tests.io.strategies import returns as any_returns


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_returns())
def test_columns_roll_up_like_objects(returns: Returns) -> None:
    table = CountTable.of(returns.counts)
    assert table.counts() == returns.counts
    totals = table.totals()
    assert dict(zip(zip(totals.table.column("unit").to_pylist(),
                        totals.table.column("candidate").to_pylist(), strict=True),
                    totals.table.column("votes_sum").to_pylist(), strict=True)) == \
        _totals(returns.counts)
    skeleton = dataclasses.replace(returns, counts=())
    for level in {u.kind for u in returns.units}:
        try:
            expected = roll_up(returns, level)
        except Exception as exc:  # no votes at that level: both paths say so
            with pytest.raises(type(exc)):
                roll_up(skeleton, level, counts=table)
            continue
        got = roll_up(skeleton, level, counts=table)
        assert [(r.unit, dict(r.votes), r.total) for r in got.rows] == \
            [(r.unit, dict(r.votes), r.total) for r in expected.rows]
        assert dict(got.total.votes) == dict(expected.total.votes)


def _election(returns: Returns) -> ReturnsTable:
    return ReturnsTable(dataclasses.replace(returns, counts=()), CountTable.of(returns.counts))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_returns())
def test_saved_columns_load_as_objects(tmp_path_factory: pytest.TempPathFactory,
                                       returns: Returns) -> None:
    path = tmp_path_factory.mktemp("columns") / "c.duckdb"
    with Store(path) as store:
        (record,) = store.save(*stage([_election(returns)], rules=INTEGRITY), source="s.csv", sha256="x",
                               format="test")
        assert record.rows == len(returns.counts)
        loaded = store.load(returns.election.id)
    key = lambda c: (c.unit, c.candidate, c.vote_type)  # noqa: E731
    assert sorted(loaded.counts, key=key) == sorted(returns.counts, key=key)
    assert loaded.units == returns.units and loaded.candidates == returns.candidates


def test_bad_columns_are_refused_and_nothing_changes(db: Path) -> None:
    from electoral.model import Candidate, Election, Unit

    good = Returns(Election(2024, "MO"), (Candidate("a", "A"),),
                   (Unit("MO", "Missouri", UnitKind.STATE),), (Count("MO", "a", 5),))
    with Store(db) as store:
        store.save(good, source="good.csv", sha256="x", format="csv")
        bad = CountTable.of([Count("MO", "a", 1), Count("MO", "a", 2), Count("XX", "b", 3,
                                                                               VoteType.MAIL)])
        with pytest.raises(ValidationError) as caught:
            store.save(*stage([ReturnsTable(dataclasses.replace(good, counts=()), bad)]),
                       source="bad.csv", sha256="y", format="csv")
        assert {p.code for p in caught.value.problems} == {
            "unknown-unit", "unknown-candidate", "duplicate-row"}
        assert store.load("2024-MO-president") == dataclasses.replace(good, source="good.csv")
