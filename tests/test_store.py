"""The store: an import is one transaction, a re-import replaces stored units only when told to,
every import is recorded."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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


# ---- issue 11: a --db that is not a store, read-only opening, DuckDB's errors -------------------

def foreign_files(tmp_path: Path) -> dict[str, Path]:
    """Files someone may pass as --db by mistake, each a real file of its kind."""
    import sqlite3

    import pyarrow.parquet as pq

    csv = write(tmp_path, "results.csv", GOOD)
    parquet = tmp_path / "results.parquet"
    pq.write_table(pa.table({"votes": [1, 2]}), parquet)
    json_file = write(tmp_path, "results.json", '{"votes": [1, 2]}')
    sqlite = tmp_path / "results.sqlite"
    with sqlite3.connect(sqlite) as connection:
        connection.execute("CREATE TABLE votes (n INTEGER)")
    connection.close()
    empty = write(tmp_path, "results.duckdb", "")
    return {"csv": csv, "parquet": parquet, "json": json_file, "sqlite": sqlite, "empty": empty}


@pytest.mark.parametrize("kind", ["csv", "parquet", "json", "sqlite", "empty"])
@pytest.mark.parametrize("read_only", [False, True])
def test_a_file_that_is_not_a_store_is_refused_and_left_as_it_is(tmp_path: Path, kind: str,
                                                                  read_only: bool) -> None:
    path = foreign_files(tmp_path)[kind]
    before = path.read_bytes()
    with pytest.raises(StoreError, match=f"{path.name} is not an electoral results database"):
        Store(path, read_only=read_only)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(path.name)) == [path.name]


def test_a_duckdb_database_of_something_else_is_refused_and_not_given_electorals_tables(
        tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as connection:
        connection.execute("CREATE TABLE readings (n INTEGER)")
    with pytest.raises(StoreError, match=r"other.duckdb is a DuckDB database but not an electoral "
                                         r"results store \(its tables: readings\)"):
        Store(other)
    with duckdb.connect(str(other), read_only=True) as connection:
        assert connection.execute("SELECT table_name FROM information_schema.tables").fetchall() \
            == [("readings",)]


def test_reading_a_missing_store_says_so_and_makes_no_file(db: Path) -> None:
    with pytest.raises(NotFoundError, match=f"no results database at {db}; `electoral import FILE`"):
        Store(db, read_only=True)
    assert not db.exists()


def test_an_empty_duckdb_database_is_read_as_no_store_yet(tmp_path: Path) -> None:
    blank = tmp_path / "blank.duckdb"
    duckdb.connect(str(blank)).close()
    with pytest.raises(StoreError, match="empty database with no elections"):
        Store(blank, read_only=True)
    with Store(blank) as store:  # for writing it becomes a store
        assert store.elections() == []


def test_a_read_only_store_file_can_be_read_and_is_not_changed(tmp_path: Path, db: Path) -> None:
    with Store(db) as store:
        import_path(store, write(tmp_path, "ct.csv", GOOD))
    db.chmod(0o444)
    before = (db.read_bytes(), db.stat().st_mtime_ns)
    with Store(db, read_only=True) as store:
        assert [e.counts for e in store.elections()] == [2]
        assert sum(c.votes or 0 for c in store.load("2004-CT-president").counts) == 205902 + 189605
    assert (db.read_bytes(), db.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ct.csv", "test.duckdb"]  # no WAL left


def test_connections_load_no_extension_and_reach_no_other_file(tmp_path: Path, db: Path) -> None:
    csv = write(tmp_path, "x.csv", GOOD)
    for read_only in (False, True):
        with Store(db, read_only=read_only) as store:
            settings = store.sql("SELECT current_setting('autoinstall_known_extensions'), "
                                 "current_setting('autoload_known_extensions'), "
                                 "current_setting('enable_external_access')")
            assert settings == [(False, False, False)]
            with pytest.raises(duckdb.PermissionException):
                store.sql(f"SELECT * FROM read_csv('{csv}')")


@contextmanager
def held(path: Path, read_only: bool) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the store open for the length of the block."""
    code = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == '1');"
            " print('open', flush=True); time.sleep(60)")
    with subprocess.Popen([sys.executable, "-c", code, str(path), "1" if read_only else "0"],
                          stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
            yield holder
        finally:
            holder.kill()


def test_a_store_locked_by_another_process_is_a_one_line_error(tmp_path: Path, db: Path) -> None:
    with Store(db) as store:
        import_path(store, write(tmp_path, "ct.csv", GOOD))
    with held(db, read_only=False) as holder, pytest.raises(StoreError) as raised:
        Store(db)
    assert str(raised.value) == (
        f"cannot open {db}: another program has it open (process {holder.pid}); close that "
        "program (an `electoral serve` or import still running?) and try again")


def test_readers_in_other_processes_share_the_store(tmp_path: Path, db: Path) -> None:
    with Store(db) as store:
        import_path(store, write(tmp_path, "ct.csv", GOOD))
    with held(db, read_only=True):
        with Store(db, read_only=True) as store:
            assert [e.id for e in store.elections()] == ["2004-CT-president"]
        with pytest.raises(StoreError, match="another program has it open"):
            Store(db)  # DuckDB lets a writer in only when no other process has the file


def test_a_damaged_store_is_a_one_line_error(tmp_path: Path, db: Path) -> None:
    with Store(db) as store:
        import_path(store, write(tmp_path, "ct.csv", GOOD))
    damaged = bytearray(db.read_bytes())
    for at in range(4096, len(damaged), 7):  # past the header: the blocks' checksums fail
        damaged[at] ^= 0x5A
    db.write_bytes(bytes(damaged))
    with pytest.raises(StoreError) as raised, Store(db, read_only=True) as store:
        store.elections()
    assert str(raised.value).startswith(f"cannot open {db}: the file is damaged; restore it")
    assert "\n" not in str(raised.value)


def test_a_full_disk_while_storing_is_a_one_line_error_and_changes_nothing(
        tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(db) as store:
        store.save(state_returns("CT", "Connecticut", 5), source="one.csv", sha256="1", format="csv")
        before = store.load("2004-CT-president")

        def full(connection: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
            raise duckdb.IOException('IO Error: Could not write file "test.duckdb.wal": No space '
                                     "left on device\n\nLINE 1: INSERT INTO counts")

        monkeypatch.setattr(electoral.store, "_insert", full)
        with pytest.raises(StoreError) as raised:
            store.save(state_returns("CT", "Connecticut", 7), source="two.csv", sha256="2",
                       format="csv")
        assert str(raised.value) == (f"could not store two.csv in {db}: the disk is full; nothing "
                                     "was changed; free some space and run the command again")
        monkeypatch.undo()
        assert store.load("2004-CT-president") == before


def test_a_duckdb_error_while_reading_leaves_the_block_as_a_store_error(db: Path) -> None:
    with pytest.raises(StoreError, match=f"failed on {db}: .*no_such_table") as raised, \
            Store(db) as store:
        store.sql("SELECT * FROM no_such_table")
    assert "\n" not in str(raised.value)


def test_an_older_store_read_only_says_how_to_upgrade_and_a_write_upgrades_it(
        tmp_path: Path, db: Path) -> None:
    with Store(db) as store:
        import_path(store, write(tmp_path, "ct.csv", GOOD))
    with duckdb.connect(str(db)) as connection:  # as stores were before units kept their import
        connection.execute("ALTER TABLE units DROP COLUMN import_id")
    with pytest.raises(StoreError, match=r"made by an older electoral.*the next `electoral import "
                                         rf"FILE --db {db}` upgrades it"):
        Store(db, read_only=True)
    Store(db).close()
    with Store(db, read_only=True) as store:
        assert store.unit_sources("2004-CT-president") == {"CT": "ct.csv", "09001": "ct.csv"}


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
