"""Election night over the API (issue 12): authenticated ingest, refusals that change nothing and
are logged, calls and certification, the race status, the audit chain, and serving hygiene."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import duckdb
import pytest

from electoral import api
from electoral.server.app import create_app
from tests.server.night import ELECTION, Client, bearer, county_file, make_store

RESULTS = f"/api/v1/elections/{ELECTION}/results"
STATUS = f"/api/v1/elections/{ELECTION}/status"


class Night:
    """An app over a fresh store with one token of each role."""

    def __init__(self, db: Path, **options: object):
        self.tokens = make_store(db)
        self.app = create_app(db, **options)  # type: ignore[arg-type]
        self.client = Client(self.app)

    def send(self, data: bytes, token: str | None = "desk", name: str = "kent.csv",
             key: str | None = None, election: str = ELECTION, **params: str) -> object:
        headers = {"X-Filename": name} | (bearer(self.tokens.get(token, token)) if token else {})
        if key:
            headers["Idempotency-Key"] = key
        return self.client.post(f"/api/v1/elections/{election}/results", content=data,
                                headers=headers, params=params)

    def digest(self) -> str:
        with self.app.state.owner.store() as store:
            return store.results_digest()

    def log(self) -> list[dict[str, object]]:
        with self.app.state.owner.store() as store:
            return json.loads(api.audit_log(store, "json"))


@pytest.fixture
def night(db: Path) -> Night:
    return Night(db)


def test_per_county_files_add_up_and_each_makes_a_version(night: Night) -> None:
    first = night.send(county_file("10001", 100, 90))
    assert first.status_code == 200 and first.json()["version"] == 1
    status = night.client.get(STATUS).json()
    assert status["status"] == "partial"
    assert status["coverage"] == {"level": "county", "reporting": 1, "expected": 3,
                                  "missing": ["New Castle", "Sussex"]}
    assert status["vote_types"] == {"absentee_by_mail": 63, "election_day": 127}
    assert [(u["unit"], u["reporting"]) for u in status["units"]] == [
        ("Kent", True), ("New Castle", False), ("Sussex", False)]
    assert status["winner"] is None and night.client.get(RESULTS).json()["winner"] is None
    night.send(county_file("10003", 300, 100), name="newcastle.csv")
    third = night.send(county_file("10005", 50, 80), name="sussex.csv")
    assert third.json()["version"] == 3
    status = night.client.get(STATUS).json()
    assert status["status"] == "all units reporting" and status["votes"] == 720
    winner = status["winner"]
    assert (winner["candidate"], winner["party"], winner["party_id"], winner["electors"],
            winner["called"]) == ("Biden", "Democratic", "DEM", 3, False)
    # the night's winner says the party as the results contract does (docs/import-json.md §3)
    contract = night.client.get(f"/elections/{ELECTION}/results").json()["winner"]
    assert (contract["party"], contract["party_id"]) == (winner["party"], winner["party_id"])
    ingests = [e for e in night.log() if e["action"] == "ingest"]
    assert [e["file"] for e in ingests] == ["kent.csv", "newcastle.csv", "sussex.csv"]
    assert ingests[0]["file_sha256"] == first.json()["sha256"]


@pytest.mark.parametrize("case", ["no token", "wrong token", "revoked", "wrong role",
                                  "wrong scope", "malformed", "oversized", "traversal",
                                  "replayed key"])
def test_each_refusal_changes_nothing_and_is_logged(db: Path, case: str) -> None:
    night = Night(db, limit=4000)
    assert night.send(county_file("10001", 100, 90), key="k1").status_code == 200
    before, logged = night.digest(), len(night.log())
    good = county_file("10003", 300, 100)
    if case == "revoked":
        with night.app.state.owner.store() as store:
            api.revoke_token(store, "desk")
        logged += 1
    answer = {
        "no token": lambda: night.send(good, token=None),
        "wrong token": lambda: night.send(good, token=night.tokens["desk"][:-2] + "xx"),
        "revoked": lambda: night.send(good),
        "wrong role": lambda: night.send(good, token="caller"),
        "wrong scope": lambda: night.send(good, token="kent"),
        "malformed": lambda: night.send(good.replace(b"Biden,DEM,200", b"Biden,DEM,lots", 1)),
        "oversized": lambda: night.send(good + b"x" * 5000),
        "traversal": lambda: night.send(good, name="../../etc/passwd"),
        "replayed key": lambda: night.send(good, key="k1"),
    }[case]()
    status = {"no token": 401, "wrong token": 401, "revoked": 401, "wrong role": 403,
              "wrong scope": 403, "malformed": 422, "oversized": 413, "traversal": 422,
              "replayed key": 409}[case]
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["error"] and body["code"] and str(db) not in answer.text
    assert night.digest() == before
    entries = night.log()
    assert len(entries) == logged + 1 and entries[-1]["action"] == "refused:ingest"
    if case == "wrong scope":
        assert "New Castle" in body["error"] and body["code"] == "out-of-scope"
    if case == "malformed":
        (problem,) = [p for e in body["report"]["elections"] for p in e["problems"]] or \
            body["report"]["problems"]
        assert problem["file"] == "kent.csv" and problem["line"] == 2
    with night.app.state.owner.store() as store:
        assert store.version() == 1


def _counted(seen: list[int], chunks: int = 64, size: int = 1024) -> AsyncIterator[bytes]:
    """An upload streamed in ``chunks`` pieces (no Content-Length), counting the pieces read."""
    async def pieces() -> AsyncIterator[bytes]:
        for _ in range(chunks):
            seen.append(size)
            yield b"x" * size
    return pieces()


@pytest.mark.parametrize(("token", "status"), [(None, 401), ("bad.token", 401), ("caller", 403)])
@pytest.mark.parametrize("route", ["results", "expected"])
def test_a_stranger_upload_is_refused_before_its_body_is_read(
        night: Night, token: str | None, status: int, route: str) -> None:
    seen: list[int] = []
    headers = {"X-Filename": "kent.csv"} | (bearer(night.tokens.get(token, token)) if token else {})
    path = f"/api/v1/elections/{ELECTION}/{route}"
    answer = night.client.request("POST" if route == "results" else "PUT", path,
                                  content=_counted(seen), headers=headers)
    assert answer.status_code == status and seen == [], (answer.text, len(seen))
    assert night.log()[-1]["action"] == f"refused:{'ingest' if route == 'results' else route}"


def test_an_oversized_upload_is_refused_unread_or_read_no_further_than_the_limit(
        db: Path) -> None:
    night = Night(db, limit=4000)
    before = night.digest()
    seen: list[int] = []
    declared = night.client.post(
        f"/api/v1/elections/{ELECTION}/results", content=_counted(seen),
        headers={"X-Filename": "kent.csv", "Content-Length": str(10**9)} | bearer(
            night.tokens["desk"]))
    assert declared.status_code == 413 and seen == [], declared.text
    streamed = night.send(_counted(seen))  # type: ignore[arg-type]
    assert streamed.status_code == 413 and 0 < sum(seen) <= 4000 + 1024
    seen.clear()
    expected = night.client.put(f"/api/v1/elections/{ELECTION}/expected", content=_counted(seen),
                                headers={"X-Filename": "e.csv"} | bearer(night.tokens["desk"]))
    assert expected.status_code == 413 and 0 < sum(seen) <= 4000 + 1024
    assert [e["action"] for e in night.log()][-3:] == ["refused:ingest"] * 2 + [
        "refused:expected"]
    assert night.digest() == before


def test_reads_are_kept_per_version_and_dropped_by_a_change_even_unpublished(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    night = Night(db, public=tmp_path / "public")
    night.send(county_file("10001", 100, 90))
    asked: list[str] = []
    status = api.night_status
    monkeypatch.setattr(api, "night_status", lambda s, e: asked.append(e) or status(s, e))
    assert night.client.get(STATUS).json()["votes"] == 190
    assert night.client.get(STATUS).json()["votes"] == 190 and asked == [ELECTION]

    def fail(*_args: object, **_options: object) -> str:
        from electoral.io.outfile import OutputError
        raise OutputError("disk full")

    monkeypatch.setattr(api, "publish", fail)
    assert night.send(county_file("10003", 300, 100), name="nc.csv").status_code >= 400
    assert night.client.get(STATUS).json()["votes"] == 590 and len(asked) == 2


def test_a_repeated_key_returns_the_first_answer_and_counts_once(night: Night) -> None:
    data = county_file("10001", 100, 90)
    first = night.send(data, key="kent-1")
    again = night.send(data, key="kent-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert night.client.get(STATUS).json()["votes"] == 190
    assert [e["action"] for e in night.log()].count("ingest") == 1


def test_a_call_declares_the_winner_of_a_partial_race(night: Night) -> None:
    night.send(county_file("10001", 100, 90))
    calls = f"/api/v1/elections/{ELECTION}/calls"
    refused = night.client.post(calls, json={"candidate": "Biden", "basis": "x"},
                                headers=bearer(night.tokens["desk"]))
    assert refused.status_code == 403
    called = night.client.post(calls, json={"candidate": "biden", "basis": "vote analysis"},
                               headers=bearer(night.tokens["caller"]))
    assert called.status_code == 200 and called.json()["called_by"] == "caller"
    status = night.client.get(STATUS).json()
    assert status["status"] == "partial"
    assert status["call"]["basis"] == "vote analysis" and status["call"]["called_by"] == "caller"
    assert status["winner"]["candidate"] == "Biden" and status["winner"]["called"] is True
    assert status["winner"]["party_id"] == "DEM"
    called = night.client.get(RESULTS).json()["winner"]
    assert called["called"] is True and (called["party"], called["party_id"]) == ("Democratic",
                                                                               "DEM")
    # the plain report route keeps the count's rule: no winner while units are missing
    assert night.client.get(f"/elections/{ELECTION}/results").json()["winner"] is None


def test_certification_waits_for_every_unit_and_closes_calls(night: Night) -> None:
    certify = f"/api/v1/elections/{ELECTION}/certification"
    board = bearer(night.tokens["board"])
    night.send(county_file("10001", 100, 90))
    early = night.client.post(certify, headers=board)
    assert early.status_code == 409 and "New Castle" in early.json()["error"]
    night.send(county_file("10003", 300, 100), name="nc.csv")
    night.send(county_file("10005", 50, 80), name="sx.csv")
    signed = night.client.post(certify, headers=board)
    assert signed.status_code == 200 and signed.json()["results"] == night.digest()
    assert night.client.get(STATUS).json()["status"] == "certified"
    late = night.client.post(f"/api/v1/elections/{ELECTION}/calls", headers=bearer(
        night.tokens["caller"]), json={"candidate": "Trump", "basis": "x"})
    assert late.status_code == 409


def test_expected_vote_from_an_earlier_election(night: Night) -> None:
    night.send(county_file("10001", 50, 50, election="2016-DE-president"), name="k16.csv",
               election="2016-DE-president")
    night.send(county_file("10001", 30, 20))
    status = night.client.get(STATUS).json()
    assert status["expected"] == {"votes": 100, "units": 1, "source": "2016-DE-president",
                                  "counted_percent": "50.00"}
    assert status["units"][0]["expected"] == 100 and status["units"][0]["counted_percent"] == "50.00"


def test_expected_vote_from_a_file(night: Night) -> None:
    night.send(county_file("10001", 30, 20))
    where = f"/api/v1/elections/{ELECTION}/expected"
    headers = bearer(night.tokens["desk"]) | {"X-Filename": "expected.csv"}
    bad = night.client.put(where, content=b"unit,votes\nKent,many\nNowhere,5\n", headers=headers)
    assert bad.status_code == 422
    assert bad.json()["problems"] == ["expected.csv:2 [votes]: 'many' is not a whole number of votes",
                                      "expected.csv:3 [unit]: no stored unit 'Nowhere'"]
    good = night.client.put(where, content=b"unit,votes\n10001,200\n", headers=headers)
    assert good.status_code == 200
    status = night.client.get(STATUS).json()
    assert status["expected"] == {"votes": 200, "units": 1, "source": "expected.csv",
                                  "counted_percent": "25.00"}


def test_the_audit_chain_verifies_rebuilds_and_finds_a_tampered_entry(db: Path) -> None:
    night = Night(db)
    night.send(county_file("10001", 100, 90))
    night.send(county_file("10003", 300, 100), name="nc.csv")
    night.send(county_file("10003", 1, 1), token="kent", name="nc2.csv")  # a logged refusal
    night.app.state.owner.close()
    with api.open_night_store(db) as store:
        assert api.audit_verify(store, rebuild=True).ok
        entries = store.audit_rows()
    seq, text, _ = entries[6]
    forged = text.replace('"token":"desk"', '"token":"root"')
    assert forged != text
    with duckdb.connect(str(db)) as raw:
        raw.execute("UPDATE audit_log SET entry = ? WHERE seq = ?", [forged, seq])
    with api.open_night_store(db) as store:
        verdict = api.audit_verify(store)
    assert (verdict.ok, verdict.bad) == (False, seq)


def test_rebuild_finds_results_changed_outside_the_log(db: Path) -> None:
    night = Night(db)
    night.send(county_file("10001", 100, 90))
    night.app.state.owner.close()
    with duckdb.connect(str(db)) as raw:
        raw.execute("UPDATE counts SET votes = votes + 1 WHERE candidate_id = (SELECT min("
                    "candidate_id) FROM counts)")
    with api.open_night_store(db) as store:
        assert api.audit_verify(store).ok
        verdict = api.audit_verify(store, rebuild=True)
    assert not verdict.ok and "differ from the rebuilt" in verdict.reason


# ---- serving hygiene ---------------------------------------------------------------------------


def test_head_etag_and_304(night: Night) -> None:
    night.send(county_file("10001", 100, 90))
    got = night.client.get(STATUS)
    assert got.headers["cache-control"] == "no-cache" and got.headers["etag"]
    head = night.client.request("HEAD", STATUS)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-length"] == str(len(got.content))
    same = night.client.get(STATUS, headers={"If-None-Match": got.headers["etag"]})
    assert same.status_code == 304 and same.content == b""
    night.send(county_file("10003", 1, 2), name="nc.csv")
    assert night.client.get(STATUS, headers={"If-None-Match": got.headers["etag"]}).status_code == 200


def test_errors_carry_a_code_and_no_internals(night: Night) -> None:
    missing = night.client.get("/api/v1/elections/1999-CT-president/status")
    assert missing.status_code == 404 and missing.json()["code"] == "not-found"
    assert night.client.get("/nowhere").json()["code"] == "not-found"
    wrong = night.client.request("DELETE", RESULTS)
    assert wrong.status_code == 405 and wrong.json()["code"] == "method-not-allowed"


@pytest.mark.parametrize("store", ["missing", "a folder", "damaged"])
def test_no_error_body_shows_a_path_or_a_process_id(tmp_path: Path, store: str) -> None:
    db = tmp_path / "deep" / "results.duckdb"
    if store == "a folder":
        db.mkdir(parents=True)
    elif store == "damaged":
        db.parent.mkdir()
        db.write_bytes(b"not a database" * 100)
    client = Client(create_app(db))
    answers = [client.get(path) for path in (
        "/elections", "/api/v1/version", STATUS, RESULTS, "/elections/x/results.zzz",
        "/nowhere", f"/elections/{ELECTION}/imports")]
    answers += [client.post(f"/api/v1/elections/{ELECTION}/results", content=b"x"),
                client.post(f"/api/v1/elections/{ELECTION}/calls", json={"x": 1}),
                client.put(f"/api/v1/elections/{ELECTION}/expected", content=b"x")]
    assert answers[0].status_code == 503
    assert answers[0].json()["code"] == ("no-store" if store == "missing" else
                                         "store-unavailable")
    for answer in answers:
        body = answer.json()
        assert answer.status_code >= 400 and set(body) <= {"error", "code", "problems"}, body
        assert str(tmp_path) not in answer.text and "/deep/" not in answer.text, answer.text
        assert not re.search(r"(?i)\bpid\b|\.duckdb|\.py\b|Traceback", answer.text), answer.text


def test_scrub_takes_out_paths_and_process_ids_and_keeps_routes() -> None:
    from electoral.server.hygiene import scrub

    said = ('IO Error: Could not set lock on file "/srv/e/results.duckdb": Conflicting lock is '
            "held in /usr/bin/python3.11 (PID 4242) by user x; see ./data/x.csv or C:\\e\\r.db")
    clean = scrub(said)
    assert "/srv" not in clean and "4242" not in clean and "/usr" not in clean
    assert "./data" not in clean and "C:" not in clean and "Conflicting lock" in clean
    routes = "use GET /elections, /elections/{id}/results or /api/v1/version"
    assert scrub(routes) == routes


def test_busy_store_is_503_with_retry_after(db: Path) -> None:
    night = Night(db, busy_after=0.05)
    held, done = threading.Event(), threading.Event()

    def hold() -> None:
        with night.app.state.owner.store():
            held.set()
            done.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        held.wait(5)
        answer = night.client.get(STATUS)
    finally:
        done.set()
        holder.join()
    assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
    assert answer.json()["code"] == "busy"


def test_a_file_of_another_election_than_the_address_is_refused(night: Night) -> None:
    other = county_file("10001", 1, 2, election="2016-DE-president")
    answer = night.send(other)
    assert answer.status_code == 422 and answer.json()["code"] == "other-election"
    assert "2016-DE-president" in answer.json()["error"]
    with night.app.state.owner.store() as store:
        assert not store.has("2016-DE-president")


def test_each_accepted_change_publishes_a_version_of_the_public_folder(db: Path, tmp_path: Path) -> None:
    """Issue 12 item 6: after each ingest (and call) the server writes a new immutable version and
    only then moves current_ver.txt; the live page is in the folder from the start."""
    public = tmp_path / "public"
    night = Night(db, public=public)
    assert night.client.get("/elections").status_code == 200  # the store opens: a first version
    first_pointer = (public / "current_ver.txt").read_text().strip()
    assert (public / "index.html").exists()
    assert night.send(county_file("10001", 100, 90)).status_code == 200
    second = (public / "current_ver.txt").read_text().strip()
    assert second != first_pointer
    summary = json.loads((public / second / "summary.json").read_text())
    (entry,) = [e for e in summary["elections"] if e["id"] == ELECTION]
    assert entry["status"] == "partial" and entry["winner"] is None
    assert night.client.get("/current_ver.txt").text.strip() == second  # served beside the API
