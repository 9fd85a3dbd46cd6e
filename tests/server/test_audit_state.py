"""`audit verify` checks the store against its log, not only the chain (issue 12, point 5): the
calls, certifications and expected votes must be what the log's entries say, the certified
results must be the ones certified, the log must not end before the last entry the store
appended (its head, its results versions), and every election stored after the log began must
be covered by it; elections stored before it are named, not failed. Each store here is
tampered with DuckDB directly, as a user could."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.server.night import ELECTION, bearer, county_file
from tests.server.test_audit_local import cli, entries, write
from tests.server.test_certified import EARLIER, certified
from tests.server.test_night import Night


def tamper(db: Path, *statements: str) -> None:
    with duckdb.connect(str(db)) as raw:
        for statement in statements:
            raw.execute(statement)


def verify(db: Path, *options: str) -> tuple[int, str]:
    return cli("audit", "verify", "--db", str(db), *options)


def last_of(db: Path, action: str) -> int:
    return max(int(e["seq"]) for e in entries(db) if e["action"] == action)  # type: ignore[call-overload]


@pytest.fixture
def called(db: Path) -> Path:
    """A store with a call of a partial race (Kent only) and an expected vote."""
    night = Night(db)
    assert night.send(county_file("10001", 100, 90)).status_code == 200
    assert night.client.post(f"/api/v1/elections/{ELECTION}/calls", headers=bearer(
        night.tokens["caller"]), json={"candidate": "Biden", "basis": "model"}).status_code == 200
    assert night.client.put(f"/api/v1/elections/{ELECTION}/expected",
                            content=b"unit,votes\n10001,400\n", headers=bearer(
                                night.tokens["desk"]) | {"X-Filename": "e.csv"}).status_code == 200
    night.app.state.owner.close()
    assert verify(db, "--rebuild")[0] == 0
    return db


@pytest.mark.parametrize(("change", "says"), [
    ("UPDATE calls SET candidate_id = (SELECT max(id) FROM candidates WHERE id <> "
     "calls.candidate_id AND NOT aggregate)", "and the calls table says"),
    ("UPDATE calls SET called_by = 'root'", "(by root, entry"),
    ("DELETE FROM calls", "the calls table has no call of it"),
    ("UPDATE expected_votes SET votes = 900", "is not the one it set"),
])
@pytest.mark.parametrize("rebuild", [(), ("--rebuild",)])
def test_a_call_or_expected_vote_changed_beside_the_log_is_found(
        called: Path, change: str, says: str, rebuild: tuple[str, ...]) -> None:
    tamper(called, change)
    code, out = verify(called, *rebuild)
    action = "expected" if "expected" in change else "call"
    assert code == 1 and f"audit entry {last_of(called, action)} does not match" in out, out
    assert says in out


@pytest.mark.parametrize(("change", "says"), [
    (f"UPDATE certifications SET results = '{'0' * 64}'", "certifications table says 000000000000"),
    ("DELETE FROM certifications", "has no certification of it"),
    ("UPDATE counts SET votes = votes + 1 WHERE unit_id = (SELECT min(unit_id) FROM counts)",
     f"the stored results of {ELECTION} are not the ones it certified"),
])
def test_a_certification_or_certified_results_changed_beside_the_log_are_found(
        db: Path, change: str, says: str) -> None:
    certified(db).app.state.owner.close()
    assert verify(db)[0] == 0
    tamper(db, change)
    code, out = verify(db)
    assert code == 1 and f"audit entry {last_of(db, 'certify')} does not match" in out, out
    assert says in out


def test_a_call_no_entry_makes_is_found(called: Path) -> None:
    tamper(called, "UPDATE calls SET election_id = '2016-DE-president'")
    code, out = verify(called)
    assert code == 1 and "2020-DE-president, and the calls table has no call of it" in out, out


@pytest.fixture
def two(db: Path) -> Path:
    """A store whose last entries are a refusal and, before it, the first ingest of another
    election."""
    night = Night(db)
    assert night.send(county_file("10001", 100, 90)).status_code == 200
    assert night.send(county_file("10001", 5, 5, election=EARLIER), name="k16.csv",
                      election=EARLIER).status_code == 200
    assert night.send(county_file("10003", 1, 1), token="kent", name="x.csv").status_code == 403
    night.app.state.owner.close()
    assert verify(db, "--rebuild")[0] == 0
    return db


def test_the_last_entries_deleted_are_found_by_the_head(two: Path) -> None:
    last = entries(two)[-1]["seq"]
    tamper(two, f"DELETE FROM audit_log WHERE seq >= {last - 1}")
    code, out = verify(two)
    assert code == 1 and f"the log ends before entry {last - 1}: 2 entries are missing" in out, out


def test_a_deleted_refusal_is_found_by_the_head(two: Path) -> None:
    last = entries(two)[-1]["seq"]
    tamper(two, f"DELETE FROM audit_log WHERE seq = {last}")
    code, out = verify(two, "--rebuild")
    assert code == 1 and f"the log ends before entry {last}: 1 entry is missing" in out, out


def test_the_last_ingest_deleted_with_the_head_is_found_by_the_versions(two: Path) -> None:
    ingest = last_of(two, "ingest")
    tamper(two, f"DELETE FROM audit_log WHERE seq >= {ingest}", "DELETE FROM night_state")
    code, out = verify(two)
    assert code == 1 and f"the log ends before entry {ingest}: 1 entry is missing" in out, out
    assert "results version 2 was made by entry" in out


def test_the_last_ingest_deleted_with_its_version_and_head_leaves_its_election_uncovered(
        two: Path) -> None:
    ingest = last_of(two, "ingest")
    kept = entries(two)[ingest - 2]
    tamper(two, f"DELETE FROM audit_log WHERE seq >= {ingest}",
           "DELETE FROM versions WHERE version = 2",
           f"UPDATE night_state SET value = '{kept['seq']} ' || (SELECT hash FROM audit_log "
           f"WHERE seq = {kept['seq']})")
    code, out = verify(two)
    assert code == 1 and f"the results of {EARLIER} were stored" in out, out
    assert "after the log began, and no entry covers them" in out


def test_a_version_no_entry_made_is_found(two: Path) -> None:
    tamper(two, "DELETE FROM versions WHERE version = 1")
    code, out = verify(two)
    assert code == 1 and "results version 1 is missing" in out, out


def test_elections_stored_before_the_log_began_are_named_not_failed(db: Path,
                                                                   tmp_path: Path) -> None:
    before = write(tmp_path, "k16.csv", county_file("10001", 5, 5, election=EARLIER))
    assert cli("import", str(before), "--db", str(db))[0] == 0  # a store without a log yet
    night = Night(db)  # its first token gives it the log
    assert night.send(county_file("10001", 100, 90)).status_code == 200
    night.app.state.owner.close()
    for options in ((), ("--rebuild",)):
        code, out = verify(db, *options)
        assert code == 0, out
        assert f"not covered by the audit log (stored before it began): {EARLIER}\n" in out
