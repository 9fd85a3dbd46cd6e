"""A real `electoral serve` on loopback: it owns the store (other commands are told where it is),
`push` reaches it, and a kill -9 during an ingest leaves the ingest wholly there or wholly absent."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from electoral import api
from tests.conftest import ROOT
from tests.server.night import ELECTION, bearer, county_file, make_store


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def electoral(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "electoral", *args], capture_output=True,
                          text=True, env=ENV, timeout=120)


ENV = os.environ | {"PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}


class Server:
    def __init__(self, db: Path, public: Path | None = None):
        self.db, self.port, self.public = db, free_port(), public
        self.url = f"http://127.0.0.1:{self.port}"
        # with --public, front processes serve the port and forward the API to this one
        shown = ["--public", str(public)] if public else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "electoral", "serve", "--db", str(db), "--port", str(self.port),
             *shown], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v1/version", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.process.kill()
        raise AssertionError("electoral serve did not start")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        self.process.send_signal(sig)
        self.process.wait(30)


@pytest.fixture
def secrets(db: Path) -> dict[str, str]:
    return make_store(db)


@pytest.fixture(params=["alone", "with fronts"])
def server(request: pytest.FixtureRequest, db: Path, tmp_path: Path,
           secrets: dict[str, str]) -> Iterator[Server]:
    running = Server(db, tmp_path / "public" if request.param == "with fronts" else None)
    yield running
    if running.process.poll() is None:
        running.stop()


def test_other_commands_are_told_where_the_server_is_and_push_reaches_it(
        db: Path, tmp_path: Path, secrets: dict[str, str], server: Server) -> None:
    said = electoral("elections", "--db", str(db))
    assert said.returncode == 1
    assert (f"{db} is served by electoral serve at {server.url}; read it there "
            f"({server.url}/elections, {server.url}/api/v1/elections/ID/status, the public "
            "folder's files) or after the server stops") in " ".join(said.stderr.split())
    assert "lock" not in said.stderr.lower()
    kent = tmp_path / "kent.csv"
    kent.write_bytes(county_file("10001", 100, 90))
    imported = electoral("import", str(kent), "--db", str(db))
    assert imported.returncode == 1
    assert (f"{db} is served by electoral serve at {server.url}; send files with `electoral push "
            f"FILE… --server {server.url} --token T`; other changes wait until the server "
            "stops") in " ".join(imported.stderr.split())
    pushed = electoral("push", str(kent), "--server", server.url, "--token", secrets["desk"])
    assert pushed.returncode == 0, pushed.stderr
    assert "kent.csv: results version 1" in pushed.stdout
    again = electoral("push", str(kent), "--server", server.url, "--token", secrets["desk"])
    assert "results version 1 (sent before; counted once)" in again.stdout
    refused = electoral("push", str(kent), "--server", server.url, "--token", "nope.nope")
    assert refused.returncode == 1 and "a valid token is needed" in refused.stderr
    server.stop()
    assert not db.with_name(db.name + ".serving").exists()
    listed = electoral("audit", "log", "--db", str(db))
    assert listed.returncode == 0 and "refused:ingest" in listed.stdout
    assert electoral("audit", "verify", "--db", str(db), "--rebuild").returncode == 0


def test_kill_9_during_an_ingest_leaves_it_wholly_there_or_wholly_absent(
        db: Path, secrets: dict[str, str], server: Server) -> None:
    headers = bearer(secrets["desk"]) | {"X-Filename": "big.csv"}
    earlier = county_file("10003", 300, 200, precincts=4000, election="2016-DE-president")
    started = time.monotonic()
    first = httpx.post(f"{server.url}/api/v1/elections/2016-DE-president/results",
                       content=earlier, headers=headers, timeout=120)
    took = time.monotonic() - started
    assert first.status_code == 200, first.text
    answers: list[int] = []

    def send() -> None:
        try:
            answers.append(httpx.post(f"{server.url}/api/v1/elections/{ELECTION}/results",
                                      content=county_file("10003", 310, 190, precincts=4000),
                                      headers=headers, timeout=120).status_code)
        except httpx.HTTPError:
            answers.append(0)

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(took / 2)
    server.stop(signal.SIGKILL)
    sender.join()
    restarted = Server(db, server.public)  # the port of a killed one's fronts is free again
    assert httpx.get(f"{restarted.url}/api/v1/version").json()["version"] in (1, 2)
    restarted.stop()
    with api.open_night_store(db) as store:
        assert api.audit_verify(store, rebuild=True).ok
        ingests = [e for e in json.loads(api.audit_log(store, "json")) if e["action"] == "ingest"]
        present = store.has(ELECTION)
        assert store.version() == (2 if present else 1)
        assert len(ingests) == (2 if present else 1)
        if present:
            counts = store.load(ELECTION).counts
            assert sum(c.votes or 0 for c in counts) == 4000 * 500
        else:
            assert answers != [200]
