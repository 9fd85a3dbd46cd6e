"""The audit chain covers changes made on this machine too (issue 12, point 5): a local
`electoral import` (and `--replace`, several files at once, `group`, `demo`, `polls import`)
into a store with an audit chain is logged as an ingest in its own transaction, so `audit verify
--rebuild` reproduces a store built by a mix of pushes and local imports; a failed import or a
dry run logs nothing; tampering is still found."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from electoral import api
from electoral.cli import app
from electoral.night_log import local_token
from tests.server.night import ELECTION, county_file
from tests.server.test_night import Night

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def entries(db: Path) -> list[dict[str, object]]:
    with api.open_night_store(db) as store:
        return [json.loads(text) for _, text, _ in store.audit_rows()]


def state(db: Path) -> tuple[list[tuple[int, str, str]], str, int]:
    """The log, the results digest and the results version of the store at ``db``."""
    with api.open_night_store(db) as store:
        return store.audit_rows(), store.results_digest(), store.version()


def test_pushes_and_local_imports_rebuild_to_the_same_store(db: Path, tmp_path: Path) -> None:
    night = Night(db)
    assert night.send(county_file("10001", 100, 90)).status_code == 200
    night.app.state.owner.close()  # the server lets go of the store, as when it is stopped
    new_castle = write(tmp_path, "nc.csv", county_file("10003", 300, 100))
    sussex = write(tmp_path, "sussex.csv", county_file("10005", 80, 120))
    code, out = cli("import", str(new_castle), str(sussex), "--db", str(db))
    assert code == 0, out
    assert night.send(county_file("10001", 101, 91), name="kent2.csv",
                      replace="true").status_code == 200
    night.app.state.owner.close()
    fixed = write(tmp_path, "nc-fixed.csv", county_file("10003", 310, 100))
    code, out = cli("import", str(fixed), "--replace", "--db", str(db))
    assert code == 0, out

    log = [e for e in entries(db) if e["action"] == "ingest"]
    assert [e["token"] for e in log] == ["desk", local_token(), "desk", local_token()]
    assert local_token().startswith("local:")
    both = log[1]
    assert both["file"] == "nc.csv" and both["election"] == ELECTION
    assert both["file_sha256"] == hashlib.sha256(new_castle.read_bytes()).hexdigest()
    assert both["detail"]["files"] == [  # type: ignore[index]
        [p.name, hashlib.sha256(p.read_bytes()).hexdigest()] for p in (new_castle, sussex)]
    assert log[3]["detail"]["replace"] is True  # type: ignore[index]
    with api.open_night_store(db) as store:
        # the kept bytes are the file's, as the server keeps an upload's
        assert store.upload(str(both["file_sha256"])) == new_castle.read_bytes()
        assert store.version() == 4
        status = api.night_status(store, ELECTION)
        assert api.audit_verify(store, rebuild=True).ok
    assert status["coverage"]["reporting"] == 3  # type: ignore[index]

    code, out = cli("audit", "verify", "--rebuild", "--db", str(db))
    assert code == 0 and "verified and rebuilt" in out, out
    code, out = cli("audit", "log", "--db", str(db))
    assert code == 0 and out.count(local_token()) == 2


def test_a_failed_local_import_or_a_dry_run_logs_and_changes_nothing(db: Path,
                                                                     tmp_path: Path) -> None:
    night = Night(db)
    night.send(county_file("10001", 100, 90))
    night.app.state.owner.close()
    before = state(db)
    good = write(tmp_path, "nc.csv", county_file("10003", 300, 100))
    bad = write(tmp_path, "sussex.csv", county_file("10005", 80, 120).replace(b",80", b",eighty"))
    code, out = cli("import", str(good), str(bad), "--db", str(db))
    assert code == 1 and "nothing was stored" in out
    assert state(db) == before
    code, _ = cli("import", str(good), "--dry-run", "--db", str(db))
    assert code == 0
    code, _ = cli("audit-import", str(good), "--db", str(db))
    assert code == 0
    assert state(db) == before


def test_a_file_changed_while_it_is_imported_stores_and_logs_nothing(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    night = Night(db)
    night.app.state.owner.close()
    before = state(db)
    path = write(tmp_path, "nc.csv", county_file("10003", 300, 100))
    from electoral.night_log import LocalChange

    read = LocalChange.read

    def swapped(self: LocalChange, *args: object, **options: object) -> None:
        path.write_bytes(county_file("10003", 1, 1))  # between the import's read and the log's
        read(self, *args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(LocalChange, "read", swapped)
    code, out = cli("import", str(path), "--db", str(db))
    assert code == 1 and "changed while it was being imported" in out
    assert state(db) == before


def test_tampering_after_a_local_import_is_still_found(db: Path, tmp_path: Path) -> None:
    night = Night(db)
    night.send(county_file("10001", 100, 90))
    night.app.state.owner.close()
    path = write(tmp_path, "nc.csv", county_file("10003", 300, 100))
    assert cli("import", str(path), "--db", str(db))[0] == 0
    rows, _, _ = state(db)
    seq, text, _ = next(r for r in rows if local_token() in r[1])
    with duckdb.connect(str(db)) as raw:
        raw.execute("UPDATE audit_log SET entry = ? WHERE seq = ?",
                    [text.replace(local_token(), "desk"), seq])
    code, out = cli("audit", "verify", "--db", str(db))
    assert code == 1 and f"audit entry {seq} does not match" in out
    with duckdb.connect(str(db)) as raw:  # the entry put back, the kept file changed instead
        raw.execute("UPDATE audit_log SET entry = ? WHERE seq = ?", [text, seq])
        raw.execute("UPDATE uploads SET data = ? WHERE sha256 = ?",
                    [county_file("10003", 301, 100), json.loads(text)["file_sha256"]])
    assert cli("audit", "verify", "--db", str(db))[0] == 0
    code, out = cli("audit", "verify", "--rebuild", "--db", str(db))
    assert code == 1 and f"audit entry {seq} does not match: redoing it" in out


TOWNS = ("election,unit,unit_name,unit_kind,parent,fips,candidate,party,votes,vote_type\n"
         + "".join(f"2016-CT-president,CT-town-{t},{t.title()},town,CT,,{who},,{votes},total\n"
                   for t, a, b in (("andover", 10, 5), ("ansonia", 1, 7))
                   for who, votes in (("A", a), ("B", b))))
MAPPING = "unit,kind,group\nAndover,county,Tolland County\nAnsonia,county,New Haven County\n"


def test_group_and_demo_into_a_store_with_a_chain_are_logged_and_rebuilt(
        db: Path, tmp_path: Path) -> None:
    Night(db).app.state.owner.close()
    towns = write(tmp_path, "ct_towns.csv", TOWNS.encode())
    mapping = write(tmp_path, "ct_groupings.csv", MAPPING.encode())
    assert cli("import", str(towns), "--db", str(db))[0] == 0
    code, out = cli("group", str(mapping), "--election", "2016-CT-president", "--db", str(db))
    assert code == 0, out
    code, out = cli("demo", "--db", str(db), "--out", str(tmp_path / "pages"))
    assert code == 0, out
    log = entries(db)
    assert [(e["action"], e["token"]) for e in log[-3:]] == [
        ("ingest", local_token()), ("group", local_token()), ("samples", local_token())]
    assert log[-2]["file"] == "ct_groupings.csv"
    assert cli("audit", "verify", "--rebuild", "--db", str(db))[0] == 0


def test_a_store_without_a_chain_is_given_none(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "nc.csv", county_file("10003", 300, 100))
    assert cli("import", str(path), "--db", str(db))[0] == 0
    with duckdb.connect(str(db), read_only=True) as raw:
        tables = {r[0] for r in raw.execute("SELECT table_name FROM information_schema.tables")
                  .fetchall()}
    assert "audit_log" not in tables and "uploads" not in tables


def test_a_polls_import_into_a_store_with_a_chain_is_logged(db: Path, tmp_path: Path) -> None:
    from tests.test_cli_polls import small_file

    Night(db).app.state.owner.close()
    path = small_file(tmp_path)
    code, out = cli("polls", "import", str(path), "--db", str(db))
    assert code == 0, out
    last = entries(db)[-1]
    assert (last["action"], last["token"], last["file"], last["change"]) == (
        "polls", local_token(), path.name, None)
    assert last["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert cli("audit", "verify", "--rebuild", "--db", str(db))[0] == 0


def test_a_local_import_with_aliases_and_a_format_is_redone_with_them(db: Path,
                                                                      tmp_path: Path) -> None:
    night = Night(db)
    night.send(county_file("10001", 100, 90))
    night.app.state.owner.close()
    spelled = county_file("10003", 300, 100).replace(b",Trump,", b",Donald J. Trump,")
    path = write(tmp_path, "nc.csv", spelled)
    aliases = write(tmp_path, "aliases.csv", b"spelling,candidate\nDonald J. Trump,Trump\n")
    code, out = cli("import", str(path), "--aliases", str(aliases), "--format", "csv",
                    "--db", str(db))
    assert code == 0, out
    last = entries(db)[-1]
    assert last["detail"]["format"] == "csv"  # type: ignore[index]
    assert last["detail"]["aliases"] == [  # type: ignore[index]
        "aliases.csv", hashlib.sha256(aliases.read_bytes()).hexdigest()]
    with api.open_night_store(db) as store:
        assert len([c for c in store.candidates(ELECTION) if not c.aggregate]) == 2
    assert cli("audit", "verify", "--rebuild", "--db", str(db))[0] == 0
