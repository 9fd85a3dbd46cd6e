"""Polls in the store: a poll file is stored in one transaction, reads back equal to the file, a
re-import replaces its own polls, another file's poll ids are refused unless told, and a store made
before the poll tables is read as holding none and upgraded on its next write."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import electoral.store_polls
from electoral import api
from electoral.errors import NotFoundError, StoreError, ValidationError
from electoral.store import Store
from tests.io.test_polls import HEADER_2020, row_2020


def poll_file(folder: Path, name: str, *rows: str) -> Path:
    path = folder / name
    path.write_text("\n".join((HEADER_2020, *rows)) + "\n", encoding="utf-8")
    return path


def two_polls(folder: Path, name: str = "a.csv", first: str = "10", second: str = "11",
              share: str = "46.0") -> Path:
    return poll_file(
        folder, name,
        row_2020("1", first, pct=share), row_2020("1", first, name="Donald Trump", party="REP",
                                                  pct="44.5"),
        row_2020("2", second, state="Ohio", end="9/23/20"),
        row_2020("2", second, state="Ohio", end="9/23/20", name="Donald Trump", party="REP",
                 pct="47"))


def stored(db: Path) -> list[tuple[str, list[str]]]:
    with Store(db, read_only=True) as store:
        return [(source, [p.id for p in polls]) for source, polls in store.polls()]


def test_stored_polls_read_back_equal_to_the_file(tmp_path: Path, db: Path) -> None:
    path = two_polls(tmp_path)
    with Store(db) as store:
        (report,) = api.import_polls(store, [path])
        assert (report.polls, report.answers, report.again) == (2, 4, False)
    with Store(db, read_only=True) as store:
        [(source, polls)] = store.polls()
        (record,) = store.poll_imports()
    assert source == "a.csv" and polls == api.read_polls([path])
    assert str(polls[1].questions[0].answers[1].share) == "47"  # exactly as stated, not 47.0
    assert (record.source, record.polls, record.rows, record.format) == (
        "a.csv", 2, 4, "538-president-polls")


def test_a_reimport_replaces_its_own_polls_and_says_so(tmp_path: Path, db: Path) -> None:
    with Store(db) as store:
        api.import_polls(store, [two_polls(tmp_path)])
        (again,) = api.import_polls(store, [two_polls(tmp_path, share="48.0", second="12")])
        assert again.again and "replacing the polls its earlier import stored" in again.text()
        [(_source, polls)] = store.polls()
        assert len(store.poll_imports()) == 2  # the earlier import stays listed, as history
    assert [p.id for p in polls] == ["10", "12"]
    assert polls[0].questions[0].answers[0].share == 48


def test_another_files_poll_ids_are_refused_unless_replaced_or_skipped(tmp_path: Path,
                                                                       db: Path) -> None:
    first = two_polls(tmp_path, "a.csv")
    second = two_polls(tmp_path, "b.csv", first="11", second="13")
    with Store(db) as store:
        api.import_polls(store, [first])
        with pytest.raises(ValidationError) as refused:
            api.import_polls(store, [second])
    [problem] = refused.value.problems
    assert (problem.code, problem.source, problem.line, problem.field) == (
        "duplicate-poll", "b.csv", 2, "poll_id")
    assert "already stored from a.csv" in problem.message and "--replace" in problem.message
    assert stored(db) == [("a.csv", ["10", "11"])]

    with Store(db) as store:
        (skipped,) = api.import_polls(store, [second], skip_existing=True)
    assert skipped.skipped == ["11"] and stored(db) == [("a.csv", ["10", "11"]), ("b.csv", ["13"])]
    with Store(db) as store:
        (moved,) = api.import_polls(store, [second], replace=True)
    assert moved.replaced == ["11"] and moved.again
    assert stored(db) == [("a.csv", ["10"]), ("b.csv", ["11", "13"])]


def test_duplicates_between_the_files_of_one_command_are_refused(tmp_path: Path, db: Path) -> None:
    with Store(db) as store, pytest.raises(ValidationError, match="already stored from a.csv"):
        api.import_polls(store, [two_polls(tmp_path, "a.csv"), two_polls(tmp_path, "b.csv")])
    assert not db.exists() or stored(db) == []


def test_a_bad_row_in_any_file_stores_nothing(tmp_path: Path, db: Path) -> None:
    good = two_polls(tmp_path)
    bad = poll_file(tmp_path, "bad.csv", row_2020("5", "50", end="10/12/20220"))
    with Store(db) as store, pytest.raises(ValidationError) as refused:
        api.import_polls(store, [good, bad])
    assert [(p.source, p.line, p.field) for p in refused.value.problems] == [("bad.csv", 2, "end_date")]
    assert stored(db) == []


def test_replace_and_skip_existing_exclude_each_other(tmp_path: Path, db: Path) -> None:
    with Store(db) as store, pytest.raises(ValidationError, match="exclude each other"):
        api.import_polls(store, [two_polls(tmp_path)], replace=True, skip_existing=True)


def test_a_failure_midway_rolls_back_every_file(tmp_path: Path, db: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(db) as store:
        api.import_polls(store, [two_polls(tmp_path, "a.csv")])
    real = electoral.store_polls._answers_table
    calls = []

    def failing(import_id: int, file: electoral.store_polls.PollFile) -> object:
        calls.append(file.source)
        if len(calls) == 2:
            raise duckdb.ConstraintException("disk trouble")
        return real(import_id, file)

    monkeypatch.setattr(electoral.store_polls, "_answers_table", failing)
    with Store(db) as store, pytest.raises(StoreError, match="nothing was changed"):
        api.import_polls(store, [two_polls(tmp_path, "a.csv", share="50.0"),
                                 two_polls(tmp_path, "b.csv", first="20", second="21")])
    with Store(db, read_only=True) as store:
        [(_source, polls)] = store.polls()
        assert polls[0].questions[0].answers[0].share == 46 and len(store.poll_imports()) == 1


def test_a_store_made_before_the_poll_tables_reads_none_and_gains_them_on_a_write(
        tmp_path: Path, db: Path) -> None:
    Store(db).close()
    with duckdb.connect(str(db)) as raw:
        for table in electoral.store_polls.POLL_TABLES:
            raw.execute(f"DROP TABLE {table}")
        raw.execute("DROP SEQUENCE poll_import_ids")
    with Store(db, read_only=True) as store:
        assert store.polls() == [] and store.poll_ids() == {} and store.poll_imports() == []
        with pytest.raises(NotFoundError, match="polls import FILE"):
            api.stored_polls(store)
    with Store(db) as store:
        api.import_polls(store, [two_polls(tmp_path)])
    assert stored(db) == [("a.csv", ["10", "11"])]


def test_stored_polls_are_filtered_by_state_pollster_and_date(tmp_path: Path, db: Path) -> None:
    import datetime as dt

    with Store(db) as store:
        api.import_polls(store, [two_polls(tmp_path)])
        assert [p.id for p in api.stored_polls(store, state="oh")] == ["11"]
        assert [p.id for p in api.stored_polls(store, pollster="monmouth")] == ["10", "11"]
        assert [p.id for p in api.stored_polls(store, as_of=dt.date(2020, 9, 22))] == ["10"]
        with pytest.raises(NotFoundError, match="no stored poll with state PA"):
            api.stored_polls(store, state="PA")
