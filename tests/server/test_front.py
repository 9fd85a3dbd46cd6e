"""The front processes of `electoral serve --public` (``server.front``): the public folder
answered by them, the rest forwarded to the owner, and nothing left behind when the owner dies."""

from __future__ import annotations

import asyncio
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from electoral.server.front import Front
from tests.server.night import bearer, county_file, make_store
from tests.server.test_faults import Server


def test_without_its_owner_a_front_still_serves_the_public_folder_and_says_503(
        tmp_path: Path) -> None:
    (tmp_path / "current_ver.txt").write_text("7\n", encoding="utf-8")

    async def ask() -> tuple[httpx.Response, httpx.Response]:
        front = Front(tmp_path, tmp_path / "no-owner.sock")
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=front),
                                         base_url="http://front") as client:
                return (await client.get("/current_ver.txt"),
                        await client.get("/api/v1/elections/x/status"))
        finally:
            await front.aclose()

    pointer, api = asyncio.run(ask())
    assert (pointer.status_code, pointer.text) == (200, "7\n")
    assert api.status_code == 503 and api.headers["retry-after"] == "2"
    assert api.json() == {"error": "the results server is not answering; try again shortly",
                          "code": "unavailable", "problems": []}
    assert str(tmp_path) not in api.text  # no path in an error body


@pytest.fixture
def served(tmp_path: Path) -> tuple[Server, dict[str, str]]:
    db = tmp_path / "night.duckdb"
    secrets = make_store(db)
    running = Server(db, tmp_path / "public")
    yield running, secrets
    if running.process.poll() is None:
        running.stop()


def test_the_api_is_forwarded_whole_and_the_files_answered_by_the_fronts(served) -> None:
    server, secrets = served
    url = server.url
    refused = httpx.post(f"{url}/api/v1/elections/2020-DE-president/results",
                         content=county_file("10001", 100, 90),
                         headers=bearer("nope.nope") | {"X-Filename": "kent.csv"})
    assert refused.status_code == 401 and refused.json()["code"]
    taken = httpx.post(f"{url}/api/v1/elections/2020-DE-president/results",
                       content=county_file("10001", 100, 90),
                       headers=bearer(secrets["desk"]) | {"X-Filename": "kent.csv",
                                                          "Idempotency-Key": "k1"})
    assert taken.status_code == 200, taken.text
    again = httpx.post(f"{url}/api/v1/elections/2020-DE-president/results",
                       content=county_file("10001", 100, 90),
                       headers=bearer(secrets["desk"]) | {"X-Filename": "kent.csv",
                                                          "Idempotency-Key": "k1"})
    assert again.json() == taken.json()  # the key's first answer, through another connection
    pointer = httpx.get(f"{url}/current_ver.txt")
    assert pointer.headers["cache-control"] == "no-cache"
    version = pointer.text.strip()
    county = httpx.get(f"{url}/{version}/summary.json", headers={"Accept-Encoding": "gzip"})
    assert county.status_code == 200 and "immutable" in county.headers["cache-control"]
    head = httpx.head(f"{url}/api/v1/elections/2020-DE-president/status")
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"]


def test_killing_the_owner_takes_its_fronts_and_frees_the_port(served) -> None:
    server, _ = served
    server.stop(signal.SIGKILL)
    deadline = time.monotonic() + 5
    while True:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", server.port))
                break
            except OSError:
                assert time.monotonic() < deadline, "a front process still holds the port"
                time.sleep(0.05)
