"""The server runner (``server.runner``, granian's embedded server): an address in use is a
one-line error, never a traceback; open event streams do not hold a shutdown."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from electoral.errors import ElectoralError
from electoral.server.public import PublicFiles, free_port
from electoral.server.runner import SHUTDOWN_GRACE, serving
from tests.server.night import make_store
from tests.server.test_faults import electoral


@pytest.fixture
def taken() -> tuple[socket.socket, int]:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    yield holder, int(holder.getsockname()[1])
    holder.close()


def test_serving_on_a_taken_port_says_so(tmp_path: Path, taken) -> None:
    _, port = taken
    with pytest.raises(ElectoralError, match=f"cannot serve on 127.0.0.1:{port}: .*in use"), \
            serving(PublicFiles(tmp_path), port=port):
        pass


def test_a_second_server_on_a_port_is_refused_not_sharing_it(tmp_path: Path) -> None:
    # granian listens with SO_REUSEPORT: without the check both would answer, by turns
    port = free_port()
    with serving(PublicFiles(tmp_path), port=port), \
            pytest.raises(ElectoralError, match=f"cannot serve on 127.0.0.1:{port}: .*in use"), \
            serving(PublicFiles(tmp_path), port=port):
        pass


def test_serve_on_a_taken_port_is_one_line_and_exit_1(tmp_path: Path, taken) -> None:
    _, port = taken
    db = tmp_path / "night.duckdb"
    make_store(db)
    done = electoral("serve", "--db", str(db), "--port", str(port))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: cannot serve on 127.0.0.1:{port}: Address already in use; choose another --port "
        "or --host"]
    assert not (tmp_path / "night.duckdb.serving").exists()  # the note is not left behind


def test_an_open_event_stream_ends_at_shutdown(tmp_path: Path) -> None:
    (tmp_path / "current_ver.txt").write_text("1\n", encoding="utf-8")
    received: list[str] = []
    ended = threading.Event()

    def listen(url: str) -> None:
        with httpx.stream("GET", url + "api/v1/events", timeout=30) as stream:
            for line in stream.iter_lines():
                received.append(line)
        ended.set()

    with serving(PublicFiles(tmp_path), port=free_port()) as url:
        listener = threading.Thread(target=listen, args=(url,), daemon=True)
        listener.start()
        deadline = time.monotonic() + 10
        while "data: 1" not in received and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "data: 1" in received
        stopped = time.monotonic()
    assert time.monotonic() - stopped < SHUTDOWN_GRACE + 1
    assert ended.wait(5)  # the stream was ended, not cut off mid-event
    # and a later server in the same process streams again (the shutdown flag was put back)
    with serving(PublicFiles(tmp_path), port=free_port()) as url, \
            httpx.stream("GET", url + "api/v1/events", timeout=10) as stream:
        assert any(line == "data: 1" for line in stream.iter_lines())


@pytest.mark.parametrize("public", [False, True])
def test_serve_says_where_it_serves_once_it_does(tmp_path: Path, public: bool) -> None:
    import subprocess
    import sys

    from tests.server.test_faults import ENV

    db, port = tmp_path / "night.duckdb", free_port()
    make_store(db)
    shown = ["--public", str(tmp_path / "live")] if public else []
    process = subprocess.Popen([sys.executable, "-m", "electoral", "serve", "--db", str(db),
                                "--port", str(port), *shown], env=ENV, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline().strip()
        assert line == (f"electoral serve: {db} at http://127.0.0.1:{port}"
                        + (f"; public folder {tmp_path / 'live'}" if public else "")
                        + " (Ctrl-C stops)")
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/version").status_code == 200
    finally:
        process.terminate()
        process.communicate(timeout=30)  # and the pipe closed
