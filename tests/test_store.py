"""The store: an import is one transaction, a re-import replaces stored units only when told to,
every import is recorded."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import electoral.store
from electoral.api import import_path
from electoral.columns import ReturnsTable
from electoral.errors import NotFoundError, StoreError, ValidationError
from electoral.io.stage import stage
from electoral.model import Candidate, Count, Election, Exclusion, Returns, Unit, UnitKind
from electoral.store import Store

HEADER = "election,unit,unit_kind,parent,candidate,party,votes\n"
GOOD = HEADER + ("2004-CT-president,09001,county,CT,John Kerry,Democratic,205902\n"
                 "2004-CT-president,09001,county,CT,George W. Bush,Republican,189605\n")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_import_is_recorded_and_loads_back(tmp_path: Path, db: Path) -> None:
    path = write(tmp_path, "ct.csv", GOOD)
    with Store(db) as store:
        imported = import_path(store, path)
        (record,) = imported.records
        assert imported.stored and imported.elections[0].counts == 2
        assert record.sha256 == hashlib.sha256(GOOD.encode()).hexdigest()
        assert (record.source, record.rows, record.election_id) == ("ct.csv", 2, "2004-CT-president")
        returns = store.load("2004-CT-president")
    assert sorted(c.votes for c in returns.counts) == [189605, 205902]
    assert returns.source == "ct.csv"


def test_a_bad_file_changes_nothing(tmp_path: Path, db: Path) -> None:
    with Store(db) as store:
        import_path(store, write(tmp_path, "ct.csv", GOOD))
        before = store.load("2004-CT-president")
        bad = GOOD.replace("189605", "-1")
        with pytest.raises(ValidationError) as caught:
            import_path(store, write(tmp_path, "bad.csv", bad))
        assert caught.value.problems[0].source == "bad.csv"
        assert store.load("2004-CT-president") == before
        assert len(store.imports()) == 1


def test_reimport_of_stored_units_needs_replace(tmp_path: Path, db: Path) -> None:
    """Issue 10 changed this: a re-import used to replace the election whole; another file with
    the same units is now refused unless --replace, which replaces them and says so."""
    with Store(db) as store:
        import_path(store, write(tmp_path, "ct.csv", GOOD))
        other = write(tmp_path, "ct2.csv", GOOD.replace("205902", "205903"))
        with pytest.raises(ValidationError, match=r"ct\.csv") as caught:
            import_path(store, other)
        assert caught.value.problems[0].code == "stored-units"
        assert sorted(c.votes for c in store.load("2004-CT-president").counts) == [189605, 205902]
        imported = import_path(store, other, replace=True)
        assert [(r.units, r.source) for r in imported.elections[0].replaced] == [(("09001",), "ct.csv")]
        returns = store.load("2004-CT-president")
        assert sorted(c.votes for c in returns.counts) == [189605, 205903]
        assert [r.source for r in store.imports()] == ["ct.csv", "ct2.csv"]
        assert len(store.elections()) == 1


def state_returns(state: str, name: str, votes: int) -> Returns:
    return Returns(Election(2004, state), (Candidate("a", "A"),),
                   (Unit(state, name, UnitKind.STATE),), (Count(state, "a", votes),))


def test_an_invalid_election_is_refused_before_anything_is_written(db: Path) -> None:
    good = state_returns("CT", "Connecticut", 5)
    broken = Returns(Election(2004, "MA"), (Candidate("a", "A"),),
                     (Unit("MA", "Massachusetts", UnitKind.STATE),), (Count("XX", "a", 5),))
    with Store(db) as store:
        with pytest.raises(ValidationError):
            store.save(*stage([ReturnsTable.of(good), ReturnsTable.of(broken)]),
                       source="two.csv", sha256="0", format="csv")
        assert store.elections() == []


def test_a_failure_midway_rolls_back_every_election(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails inside the transaction, after the earlier import's rows are deleted and
    the new elections' first tables are written, must leave the store as it was."""
    with Store(db) as store:
        store.save(state_returns("CT", "Connecticut", 5), source="one.csv", sha256="1", format="csv")
        before = store.load("2004-CT-president")
        written: list[str] = []
        insert = electoral.store._insert

        def failing_insert(connection: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
            if name == "counts":
                raise duckdb.IOException("disk full (injected by the test)")
            written.append(name)
            insert(connection, name, table)

        monkeypatch.setattr(electoral.store, "_insert", failing_insert)
        with pytest.raises(StoreError, match="nothing was changed"):
            store.save(state_returns("CT", "Connecticut", 7), state_returns("MA", "Massachusetts", 9),
                       source="two.csv", sha256="2", format="csv")
        assert {"imports", "elections", "units"} <= set(written)  # the failure came midway
        monkeypatch.undo()
        assert store.load("2004-CT-president") == before
        assert [e.id for e in store.elections()] == ["2004-CT-president"]
        assert [r.source for r in store.imports()] == ["one.csv"]
        assert not store.has("2004-MA-president")


def test_store_survives_reopening(tmp_path: Path, db: Path) -> None:
    with Store(db) as store:
        import_path(store, write(tmp_path, "ct.csv", GOOD))
    with Store(db) as store:
        assert [e.id for e in store.elections()] == ["2004-CT-president"]


def test_missing_election_says_what_to_do(db: Path) -> None:
    with Store(db) as store, pytest.raises(NotFoundError, match="electoral import"):
        store.load("2004-CT-president")


def test_env_var_chooses_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELECTORAL_DB", str(tmp_path / "env.duckdb"))
    with Store() as store:
        assert store.path == tmp_path / "env.duckdb"


def test_reimport_that_loses_a_level_says_so(tmp_path: Path, db: Path) -> None:
    county = write(tmp_path, "county.csv", GOOD)
    state = write(tmp_path, "state.csv", HEADER + "2004-CT-president,CT,state,,John Kerry,"
                  "Democratic,857488\n")
    with Store(db) as store:
        import_path(store, county)
        with pytest.raises(ValidationError, match="county.csv"):  # the state overlaps its counties
            import_path(store, state)
        imported = import_path(store, state, replace=True)
    notes = [n["detail"] for n in imported.elections[0].notes]
    assert any("county units" in note and "county.csv" in note for note in notes)


def test_what_a_source_said_beside_its_votes_loads_back(db: Path) -> None:
    returns = Returns(Election(2000, "NY"), (Candidate("gore-al", "Al Gore"),),
                      (Unit("NY", "New York", UnitKind.STATE),), (Count("NY", "gore-al", 7),),
                      exclusions=(Exclusion(4, "not a vote for anyone", 138_216, "BLANK VOTE"),
                                  Exclusion(9, "another office", None, "SENATE", rows=12)),
                      notes=("two rows were added together",), electors=("Ann", "Bo"),
                      fusion={"gore-al": {"democrat": 5, "liberal": 2}}, reported_total=138_223,
                      unofficial=True)
    with Store(db) as store:
        store.save(returns, source="ny.csv", sha256="0", format="csv")
        loaded = store.load("2000-NY-president")
    assert (loaded.exclusions, loaded.notes, loaded.electors, loaded.fusion, loaded.reported_total,
            loaded.unofficial) == (returns.exclusions, returns.notes, returns.electors,
                                   returns.fusion, returns.reported_total, True)


def test_the_stage_s_account_of_a_left_out_row_loads_back_whole(db: Path) -> None:
    """Kind, unit, file, candidate and detail (docs/import-json.md ``left_out``) survive the store."""
    left = (Exclusion(7, "total row", 615, "Times Counted", 1, "ballots_cast",
                      (("county", "Kent"), ("precinct", "Alder 1")), "kent.xml", None,
                      "615 >= 590 (310 + 280)"),
            Exclusion(12, "county row beside its precincts", 90, "", 1, "county_total",
                      (("county", "Kent"),), "kent.csv", "Ada Q. Marsh", "90 = 70 + 20"))
    returns = Returns(Election(2020, "DE"), (Candidate("marsh", "Ada Q. Marsh"),),
                      (Unit("DE", "Delaware", UnitKind.STATE),), (Count("DE", "marsh", 7),),
                      exclusions=left)
    with Store(db) as store:
        store.save(returns, source="kent.csv", sha256="0", format="csv")
        loaded = store.load("2020-DE-president")
    assert loaded.exclusions == left


def test_exclusions_stored_before_their_kind_existed_still_load() -> None:
    from electoral.store import _annotations

    old = {"exclusions": [{"line": 4, "reason": "not a vote for anyone", "votes": 138216,
                           "label": "BLANK VOTE", "rows": 1}]}
    (loaded,) = _annotations(old)["exclusions"]
    assert loaded == Exclusion(4, "not a vote for anyone", 138_216, "BLANK VOTE")
    assert (loaded.kind, loaded.unit, loaded.file, loaded.candidate, loaded.detail) == \
        ("", (), "", None, "")
