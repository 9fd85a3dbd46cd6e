"""A certified election stays as certified (issue 12): every change to it — a server ingest with
or without ``--replace``, a file naming it among others, its expected vote, a new race call, a
local ``electoral import`` or ``group`` — is refused whole (409 ``certified`` over HTTP, exit 1
with one line locally), logged as a refusal, and leaves the store as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from electoral import api
from electoral.night_log import local_token
from tests.server.night import ELECTION, HEADER, bearer, county_file
from tests.server.test_audit_local import TOWNS, cli, entries, state, write
from tests.server.test_night import STATUS, Night

EARLIER = "2016-DE-president"


def certified(db: Path) -> Night:
    """A night over ``db`` whose three counties report and whose race is certified."""
    night = Night(db)
    for fips, name in (("10001", "k.csv"), ("10003", "nc.csv"), ("10005", "sx.csv")):
        assert night.send(county_file(fips, 100, 90), name=name).status_code == 200
    signed = night.client.post(f"/api/v1/elections/{ELECTION}/certification",
                               headers=bearer(night.tokens["board"]))
    assert signed.status_code == 200, signed.text
    return night


def both(election_file: bytes, other: bytes) -> bytes:
    """Two elections' rows in one native CSV file."""
    return election_file + other.removeprefix(HEADER.encode())


@pytest.mark.parametrize("case", ["replace", "add", "named by the file", "with another election",
                                  "expected", "call"])
def test_every_change_to_a_certified_election_over_the_api_is_refused_and_logged(
        db: Path, case: str) -> None:
    night = certified(db)
    before, logged = night.digest(), len(night.log())
    with night.app.state.owner.store() as store:
        version = store.version()
    fixed = county_file("10001", 101, 90)
    answer = {
        "replace": lambda: night.send(fixed, name="k2.csv", replace="true"),
        "add": lambda: night.send(fixed, name="k2.csv"),
        "named by the file": lambda: night.client.post(
            "/api/v1/results", content=fixed, params={"replace": "true"},
            headers=bearer(night.tokens["desk"]) | {"X-Filename": "k2.csv"}),
        "with another election": lambda: night.client.post(
            "/api/v1/results", content=both(county_file("10001", 5, 5, election=EARLIER), fixed),
            headers=bearer(night.tokens["root"]) | {"X-Filename": "two.csv"}),
        "expected": lambda: night.client.put(
            f"/api/v1/elections/{ELECTION}/expected", content=b"unit,votes\n10001,500\n",
            headers=bearer(night.tokens["desk"]) | {"X-Filename": "expected.csv"}),
        "call": lambda: night.client.post(
            f"/api/v1/elections/{ELECTION}/calls", json={"candidate": "Trump", "basis": "x"},
            headers=bearer(night.tokens["caller"])),
    }[case]()
    assert answer.status_code == 409, answer.text
    body = answer.json()
    assert set(body) == {"error", "code", "problems"} and body["code"] == "certified"
    assert f"{ELECTION} is certified" in body["error"] and "no way to undo" in body["error"]
    assert night.digest() == before
    log = night.log()
    assert len(log) == logged + 1 and log[-1]["action"].startswith("refused:")
    assert log[-1]["detail"]["code"] == "certified"  # type: ignore[index]
    status = night.client.get(STATUS).json()
    assert status["status"] == "certified" and status["certification"]["results"] == before
    with night.app.state.owner.store() as store:
        assert store.version() == version and not store.has(EARLIER)
        assert store.call(ELECTION) is None and store.expected(ELECTION) == ({}, None)
        assert api.audit_verify(store, rebuild=True).ok


@pytest.mark.parametrize("replace", [True, False])
def test_a_local_import_into_a_certified_election_is_refused_in_one_line(
        db: Path, tmp_path: Path, replace: bool) -> None:
    night = certified(db)
    night.app.state.owner.close()
    before = state(db)
    path = write(tmp_path, "fixed.csv", county_file("10001", 101, 90))
    code, out = cli("import", str(path), "--db", str(db), *(["--replace"] if replace else []))
    assert code == 1
    (line,) = out.strip().splitlines()
    assert line.startswith(f"error: {ELECTION} is certified (by board, ") and \
        "no way to undo a certification" in line
    rows, digest, version = state(db)
    assert (rows[:-1], digest, version) == before
    last = json.loads(rows[-1][1])
    assert (last["action"], last["token"], last["election"], last["detail"]["code"]) == (
        "refused:ingest", local_token(), ELECTION, "certified")
    assert cli("audit", "verify", "--rebuild", "--db", str(db))[0] == 0


def test_a_file_holding_a_certified_election_and_another_stores_neither(db: Path,
                                                                        tmp_path: Path) -> None:
    night = certified(db)
    night.app.state.owner.close()
    before = state(db)
    path = write(tmp_path, "two.csv", both(county_file("10003", 7, 7, election=EARLIER),
                                           county_file("10003", 300, 100)))
    code, out = cli("import", str(path), "--replace", "--db", str(db))
    assert code == 1 and f"{ELECTION} is certified" in out and EARLIER not in out
    assert state(db)[1:] == before[1:]
    with api.open_night_store(db) as store:
        assert not store.has(EARLIER)


def test_grouping_a_certified_election_is_refused(db: Path, tmp_path: Path) -> None:
    night = Night(db)
    towns = "2016-CT-president"
    assert night.send(TOWNS.encode(), name="ct.csv", election=towns).status_code == 200
    signed = night.client.post(f"/api/v1/elections/{towns}/certification",
                               headers=bearer(night.tokens["board"]))
    assert signed.status_code == 200, signed.text
    night.app.state.owner.close()
    before = state(db)
    mapping = write(tmp_path, "groups.csv", b"unit,kind,group\nAndover,county,Tolland County\n"
                    b"Ansonia,county,New Haven County\n")
    code, out = cli("group", str(mapping), "--election", towns, "--db", str(db))
    assert code == 1 and f"{towns} is certified" in out, out
    assert state(db)[1:] == before[1:]
    assert entries(db)[-1]["action"] == "refused:group"
