"""The import stage: every reader's output passes the same rules, once, before the store."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from electoral.api import import_path
from electoral.columns import SCHEMA, CountTable, ReturnsTable
from electoral.errors import Problem, StoreError, ValidationError
from electoral.io.stage import RULES, Finding, stage
from electoral.model import Candidate, Count, Election, Exclusion, Party, Returns, Unit, UnitKind
from electoral.store import Store

STATE = Unit("MO", "Missouri", UnitKind.STATE)
# Its party is already canonical (electoral.parties): the stage makes every party label so.
GOOD = Returns(Election(2024, "MO"), (Candidate("a", "A", "democratic"), Candidate("b", "B")),
               (STATE, Unit("29001", "Adair", UnitKind.COUNTY, "MO")),
               (Count("29001", "a", 5), Count("29001", "b", 7)),
               (Party("democratic", "Democratic"),))


def _codes(table: ReturnsTable) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        stage([table], "f.csv")
    assert all(p.source == "f.csv" for p in caught.value.problems)
    return sorted(p.code for p in caught.value.problems)


def _counts(*rows: tuple[str, str, str, int]) -> CountTable:
    unit, candidate, vote_type, votes = zip(*rows, strict=True)
    return CountTable(pa.table({"unit": list(unit), "candidate": list(candidate),
                                "vote_type": list(vote_type),
                                "votes": pa.array(list(votes), pa.int64()),
                                "line": pa.nulls(len(unit), pa.int64())}, schema=SCHEMA))


def test_good_returns_pass_unchanged() -> None:
    (table,) = stage([ReturnsTable.of(GOOD)])
    assert table.materialized() == GOOD


def test_ids_and_references() -> None:
    twice = dataclasses.replace(GOOD, units=(*GOOD.units, STATE),
                                candidates=(*GOOD.candidates, Candidate("b", "Bee", "gop")))
    orphan = Unit("29003", "Andrew", UnitKind.COUNTY, "XX", groups=("YY",))
    lost = dataclasses.replace(GOOD, units=(*GOOD.units, orphan))
    assert _codes(ReturnsTable.of(twice)) == ["duplicate-candidate", "duplicate-unit",
                                              "unknown-party"]
    assert _codes(ReturnsTable.of(lost)) == ["unknown-unit", "unknown-unit"]


def test_counts_are_checked_as_columns() -> None:
    skeleton = dataclasses.replace(GOOD, counts=())
    bad = _counts(("29001", "a", "total", 1), ("29001", "a", "total", 2), ("XX", "a", "mail", 3),
                  ("29001", "zz", "total", 4), ("29001", "b", "by-pigeon", 5),
                  ("29001", "b", "mail", -6))
    assert _codes(ReturnsTable(skeleton, bad)) == [
        "bad-votes", "duplicate-row", "unknown-candidate", "unknown-unit", "unknown-vote-type"]


def test_every_election_is_checked_before_any_is_returned() -> None:
    broken = ReturnsTable(dataclasses.replace(GOOD, election=Election(2024, "KS"), counts=()),
                          _counts(("XX", "a", "total", 1)))
    with pytest.raises(ValidationError) as caught:
        stage([ReturnsTable.of(GOOD), broken])
    assert [p.message for p in caught.value.problems] == [
        "a count of 2024-KS-president names unknown unit 'XX'"]


def test_a_rule_adds_notes_and_exclusions_and_may_rewrite() -> None:
    def drop_b(table: ReturnsTable) -> Finding:
        counts = table.counts.table
        kept = counts.filter(pc.not_equal(counts.column("candidate"), "b"))
        return Finding(notes=("b set aside",), exclusions=(Exclusion(3, "not a candidate", 7),),
                       table=ReturnsTable(table.returns, CountTable(kept)))

    def sees_rewrite(table: ReturnsTable) -> Finding:
        assert len(table.counts) == 1
        return Finding()

    (table,) = stage([ReturnsTable.of(GOOD)], rules=(*RULES, drop_b, sees_rewrite))
    assert table.returns.notes == ("b set aside",)
    assert table.returns.exclusions == (Exclusion(3, "not a candidate", 7),)
    assert table.counts.counts() == (Count("29001", "a", 5),)


def test_problems_from_several_rules_are_reported_together() -> None:
    def fussy(table: ReturnsTable) -> Finding:
        return Finding((Problem("fussy", "no"),))

    with pytest.raises(ValidationError) as caught:
        stage([ReturnsTable.of(GOOD)], rules=(fussy, fussy))
    assert [p.code for p in caught.value.problems] == ["fussy", "fussy"]


def test_import_runs_the_stage_on_every_format(tmp_path: Path, db: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule added to ``RULES`` holds for every import, whatever the reader."""
    def no_kerry(table: ReturnsTable) -> Finding:
        return Finding(tuple(Problem("kerry", f"{c.name} in {table.election_id}", line=2)
                             for c in table.returns.candidates if c.name == "John Kerry"))

    monkeypatch.setattr("electoral.io.stage.RULES", (*RULES, no_kerry))
    path = tmp_path / "ct.csv"
    path.write_text("election,unit,unit_kind,parent,candidate,party,votes\n"
                    "2004-CT-president,CT,state,,John Kerry,Democratic,1\n")
    with Store(db) as store:
        with pytest.raises(ValidationError) as caught:
            import_path(store, path)
        assert store.elections() == []
    assert [(p.code, p.source, p.line) for p in caught.value.problems] == [("kerry", "ct.csv", 2)]


def test_a_failure_inside_the_transaction_rolls_back_every_election(db: Path) -> None:
    """The store keeps its own constraints: an election that reaches it unchecked and breaks
    one (a unit id twice) fails inside the transaction, and the election written before it in
    the same import is rolled back."""
    doubled = dataclasses.replace(GOOD, election=Election(2024, "KS"),
                                  units=(*GOOD.units, STATE))
    with Store(db) as store:
        store.save(GOOD, source="first.csv", sha256="0", format="csv")
        with pytest.raises(StoreError, match="nothing was changed"):
            store.save(dataclasses.replace(GOOD, counts=(Count("29001", "a", 9),)), doubled,
                       source="two.csv", sha256="1", format="csv")
        assert [e.id for e in store.elections()] == ["2024-MO-president"]
        assert store.load("2024-MO-president").counts == GOOD.counts
        assert [r.source for r in store.imports()] == ["first.csv"]
