"""The poll tables of the results store: each imported poll file and its polls, one row per answer.

A poll (``electoral.model.Poll``) is written denormalised, one row per answer of each of its
questions, with the poll's and the question's fields repeated on the row and the file and line the
question came from, so that a plain ``SELECT`` shows a poll the way 538's ``president_polls.csv``
does. Shares, sample sizes, grades and margins of error are kept as the exact decimal text the file
states (``42.0``, ``712.5``): a poll reads back equal to the one read from the file, never
rounded by a column type (``CAST(share AS DECIMAL(18, 4))`` to compute in SQL).

``Store`` (``electoral.store``) opens these tables with the rest of its schema and writes them in
one transaction; only ``api`` decides what a file may replace. Nothing here opens a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from electoral.model import Party, Poll, PollAnswer, PollQuestion, Pollster, Population

# Added by issue 14; a store made before it gains these tables on its next write open
# (``CREATE … IF NOT EXISTS``, as every table of ``store.SCHEMA``) and reads as holding no poll
# until then.
POLL_SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS poll_import_ids START 1;
CREATE TABLE IF NOT EXISTS poll_imports (
    id BIGINT PRIMARY KEY, source VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
    format VARCHAR NOT NULL, imported_at TIMESTAMP NOT NULL, polls BIGINT NOT NULL,
    rows BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS poll_answers (
    import_id BIGINT NOT NULL, source VARCHAR NOT NULL, line INTEGER NOT NULL,
    poll_position INTEGER NOT NULL, poll_id VARCHAR NOT NULL, pollster_id VARCHAR NOT NULL,
    pollster VARCHAR NOT NULL, grade VARCHAR, numeric_grade VARCHAR, sponsors VARCHAR[] NOT NULL,
    geography VARCHAR NOT NULL, start_date DATE NOT NULL, end_date DATE NOT NULL,
    methodology VARCHAR NOT NULL, margin_of_error VARCHAR, partisan VARCHAR,
    internal BOOLEAN NOT NULL, question_position INTEGER NOT NULL, question_id VARCHAR NOT NULL,
    population VARCHAR NOT NULL, sample_size VARCHAR, answer_position INTEGER NOT NULL,
    candidate VARCHAR NOT NULL, party_id VARCHAR, party VARCHAR, share VARCHAR NOT NULL);
"""
POLL_TABLES = ("poll_imports", "poll_answers")

_COLUMNS = ("import_id", "source", "line", "poll_position", "poll_id", "pollster_id", "pollster",
            "grade", "numeric_grade", "sponsors", "geography", "start_date", "end_date",
            "methodology", "margin_of_error", "partisan", "internal", "question_position",
            "question_id", "population", "sample_size", "answer_position", "candidate", "party_id",
            "party", "share")
_AT = {name: i for i, name in enumerate(_COLUMNS)}  # a column's place in a row of ``read_polls``
_TYPES = {"import_id": pa.int64(), "line": pa.int32(), "poll_position": pa.int32(),
          "sponsors": pa.list_(pa.string()), "start_date": pa.date32(), "end_date": pa.date32(),
          "internal": pa.bool_(), "question_position": pa.int32(), "answer_position": pa.int32()}


@dataclass(frozen=True, slots=True)
class PollFile:
    """One poll file for ``Store.save_polls``: its polls in file order, where it came from, and the
    poll ids of other files it replaces (``drop``: their rows go first)."""

    source: str
    sha256: str
    format: str
    polls: tuple[Poll, ...]
    drop: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PollImport:
    """A stored poll file: ``polls`` polls in ``rows`` answer rows."""

    id: int
    source: str
    sha256: str
    format: str
    imported_at: dt.datetime
    polls: int
    rows: int


def has_poll_tables(db: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store has the poll tables (a store made before them, opened read-only, has not)."""
    found = {str(r[0]) for r in db.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_catalog = current_database()").fetchall()}
    return found >= set(POLL_TABLES)


def write_polls(db: duckdb.DuckDBPyConnection, files: Sequence[PollFile],
                now: dt.datetime) -> list[PollImport]:
    """Write each file's polls inside the caller's transaction: the rows an earlier import of the
    same source stored go first, then the rows of the poll ids ``drop`` names, then the file's
    rows are inserted with a new import record.

    Returns:
        One ``PollImport`` per file, in the order given.
    """
    records = []
    for file in files:
        db.execute("DELETE FROM poll_answers WHERE source = ?", [file.source])
        if file.drop:
            db.execute("DELETE FROM poll_answers WHERE list_contains(?, poll_id)", [list(file.drop)])
        (new_id,), = db.execute("SELECT nextval('poll_import_ids')").fetchall()
        table = _answers_table(int(new_id), file)
        record = PollImport(int(new_id), file.source, file.sha256, file.format, now,
                            len(file.polls), table.num_rows)
        db.execute("INSERT INTO poll_imports VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [record.id, record.source, record.sha256, record.format, record.imported_at,
                    record.polls, record.rows])
        if table.num_rows:
            db.register("_poll_rows", table)
            db.execute("INSERT INTO poll_answers BY NAME SELECT * FROM _poll_rows")
            db.unregister("_poll_rows")
        records.append(record)
    return records


def _answers_table(import_id: int, file: PollFile) -> pa.Table:
    rows: list[tuple[object, ...]] = []
    for p_at, poll in enumerate(file.polls):
        for q_at, q in enumerate(poll.questions):
            for a_at, a in enumerate(q.answers):
                rows.append((
                    import_id, file.source, q.line, p_at, poll.id, poll.pollster.id,
                    poll.pollster.name, poll.pollster.grade, _text(poll.pollster.numeric_grade),
                    list(poll.sponsors), poll.geography, poll.start, poll.end, poll.methodology,
                    _text(poll.margin_of_error), poll.partisan, poll.internal, q_at, q.id,
                    str(q.population), _text(q.sample_size), a_at, a.candidate,
                    a.party.id if a.party else None, a.party.name if a.party else None,
                    str(a.share)))
    columns: list[tuple[object, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in _COLUMNS]
    return pa.table({name: pa.array(list(values), _TYPES.get(name, pa.string()))
                     for name, values in zip(_COLUMNS, columns, strict=True)})


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def poll_imports(db: duckdb.DuckDBPyConnection) -> list[PollImport]:
    """Every poll import, first first (earlier imports of a file stay listed, as history)."""
    if not has_poll_tables(db):
        return []
    return [PollImport(int(r[0]), str(r[1]), str(r[2]), str(r[3]), r[4], int(r[5]), int(r[6]))
            for r in db.execute("SELECT * FROM poll_imports ORDER BY id").fetchall()]


def stored_poll_ids(db: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each stored poll id → the source it is stored from."""
    if not has_poll_tables(db):
        return {}
    return {str(i): str(s) for i, s in db.execute(
        "SELECT DISTINCT poll_id, source FROM poll_answers").fetchall()}


def read_polls(db: duckdb.DuckDBPyConnection) -> list[tuple[str, list[Poll]]]:
    """The stored polls of each source, in the order the sources were first imported and each
    source's polls in its file order: ``[(source, polls), …]``."""
    if not has_poll_tables(db):
        return []
    rows = db.execute(f"""
        SELECT {', '.join('a.' + c for c in _COLUMNS)} FROM poll_answers a
        JOIN (SELECT source, min(id) AS first FROM poll_imports GROUP BY source) f
            ON f.source = a.source
        ORDER BY f.first, a.import_id, a.poll_position, a.question_position,
            a.answer_position""").fetchall()
    out: list[tuple[str, list[Poll]]] = []
    for source, of_source in groupby(rows, key=lambda r: r[_AT["source"]]):
        polls = [_poll(list(of_poll))
                 for _key, of_poll in groupby(of_source, key=lambda r: r[_AT["poll_position"]])]
        out.append((str(source), polls))
    return out


def _poll(rows: list[tuple[object, ...]]) -> Poll:
    """One poll from its answer rows (in question and answer order)."""
    first = dict(zip(_COLUMNS, rows[0], strict=True))
    questions = []
    for _at, of_question in groupby(rows, key=lambda r: r[_AT["question_position"]]):
        answers = [dict(zip(_COLUMNS, r, strict=True)) for r in of_question]
        q = answers[0]
        questions.append(PollQuestion(
            str(q["question_id"]), Population(str(q["population"])), _decimal(q["sample_size"]),
            tuple(PollAnswer(str(a["candidate"]),
                             Party(str(a["party_id"]), str(a["party"])) if a["party_id"] else None,
                             Decimal(str(a["share"]))) for a in answers),
            int(q["line"])))  # type: ignore[call-overload]
    grade = first["grade"]
    return Poll(
        str(first["poll_id"]),
        Pollster(str(first["pollster_id"]), str(first["pollster"]),
                 None if grade is None else str(grade), _decimal(first["numeric_grade"])),
        str(first["geography"]), first["start_date"], first["end_date"],  # type: ignore[arg-type]
        tuple(questions), tuple(first["sponsors"] or ()),  # type: ignore[arg-type]
        str(first["methodology"]), _decimal(first["margin_of_error"]),
        None if first["partisan"] is None else str(first["partisan"]), bool(first["internal"]),
        str(first["source"]))


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))
