"""The public read path's headers on both servers, and a short load run of benchmarks/live_bench.py
(issue 12): loopback only, a few seconds, skipped when nginx or wrk is absent."""

from __future__ import annotations

import gzip
import importlib.util
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from electoral.report.public import MANIFEST, Publication, publish_version
from electoral.server.nginx import IMMUTABLE, find_nginx, nginx_config, running_nginx
from electoral.server.public import PublicFiles, free_port
from electoral.server.runner import serving
from tests.conftest import ROOT
from tests.report.test_hostile_names import hostile_returns


def _get(url: str, headers: dict[str, str] | None = None, method: str = "GET"):
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, b""


@pytest.fixture
def public(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "public"
    version = publish_version(folder, [Publication(hostile_returns())])
    (folder / f".{int(version) + 1}.tmp-1").mkdir()  # a version being written
    return folder, version


def _servers(kind: str, folder: Path, tmp_path: Path):
    if kind == "api":  # electoral serve --public: the files beside the API
        from electoral.server.app import create_app
        from tests.server.night import make_store

        make_store(tmp_path / "night.duckdb")
        return serving(create_app(tmp_path / "night.duckdb", public=folder), port=free_port())
    if kind == "nginx":
        if find_nginx() is None:
            pytest.skip("nginx is not installed (make system-deps installs Debian's, as root)")
        return running_nginx(folder, tmp_path / "nginx", port=free_port())
    return serving(PublicFiles(folder), port=free_port())


@pytest.mark.parametrize("kind", ["electoral", "api", "nginx"])
def test_pointer_is_revalidated_versions_are_immutable_hidden_is_never_served(
        public, tmp_path, kind) -> None:
    folder, version = public
    with _servers(kind, folder, tmp_path) as running:
        url = running if isinstance(running, str) else running.url
        status, headers, body = _get(url + "current_ver.txt")
        assert status == 200 and body.decode().strip() == version
        assert headers["Cache-Control"] == "no-cache"
        if kind == "nginx":
            # nginx's validators count whole seconds: the pointer is always sent whole (a
            # version published in the same second must never look unchanged)
            assert "ETag" not in headers  # so a browser has no tag to send back
            since = headers.get("Last-Modified", "Mon, 01 Jan 2035 00:00:00 GMT")
            assert _get(url + "current_ver.txt", {"If-Modified-Since": since})[0] == 200
        else:
            assert headers.get("ETag")
            assert _get(url + "current_ver.txt", {"If-None-Match": headers["ETag"]})[0] == 304
        file = f"{url}{version}/2024-CT-president/county.json"
        status, headers, body = _get(file)
        assert status == 200 and headers["Cache-Control"] == IMMUTABLE and b'"rows"' in body
        assert _get(file, {"If-None-Match": headers["ETag"]})[0] == 304
        plain = body
        status, headers, body = _get(file, method="HEAD")
        assert status == 200 and body == b""
        # a browser accepting gzip gets the .gz written at publish, its own ETag and Vary
        status, headers, body = _get(file, {"Accept-Encoding": "br;q=1, gzip;q=0.8"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == plain and len(body) < len(plain) / 3
        assert "Accept-Encoding" in headers["Vary"] and headers["Cache-Control"] == IMMUTABLE
        assert _get(file, {"Accept-Encoding": "gzip;q=0"})[1].get("Content-Encoding") is None
        assert _get(url)[0] == 200  # the live page
        assert _get(f"{url}.{int(version) + 1}.tmp-1/summary.json")[0] == 404
        assert _get(url + ".publish.lock")[0] == 404
        assert (folder / version / MANIFEST).is_file()
        assert _get(f"{url}{version}/{MANIFEST}")[0] == 404  # the reuse manifest
        assert _get(f"{url}{version}/../../etc/passwd")[0] in (400, 404)
        # what a version does not hold is a 404 from every server, never a 500 (a version's
        # folder itself: nginx lists no folder, 403)
        for missing in (f"{version}/nope.json", "1234/summary.json"):
            assert _get(url + missing)[0] == 404, missing
        assert _get(f"{url}{version}/")[0] in (403, 404)


def test_the_nginx_config_listens_on_loopback_and_refuses_paths_it_cannot_quote(tmp_path) -> None:
    text = nginx_config(tmp_path, tmp_path / "n", port=8123)
    assert "listen 127.0.0.1:8123;" in text and "gzip on;" in text and "daemon off;" in text
    assert "gzip_static on;" in text
    from electoral.errors import ElectoralError
    with pytest.raises(ElectoralError, match="config syntax"):
        nginx_config(tmp_path / "a;b", tmp_path / "n", port=8123)


def test_a_short_load_run_while_versions_are_published(tmp_path, monkeypatch) -> None:
    if find_nginx() is None or shutil.which("wrk") is None:
        pytest.skip("nginx and wrk are needed for the load run (make system-deps installs "
                    "Debian's, as root)")
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("live_bench", ROOT / "benchmarks" / "live_bench.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "live_bench", bench)
    spec.loader.exec_module(bench)
    runs = bench.run_all(3.0)
    for run in runs:
        # no error answer, ever; a request wrk gives up on after 2 s is the machine's load (the
        # short run shares the test machine's cores), a few allowed
        assert run.requests > 100 and run.errors == 0 and run.timeouts <= run.requests // 50, run
        assert run.versions >= 2 and run.visible_s and max(run.visible_s) <= 2.0, run
        assert run.peak_mib > 0 and run.p99_ms > 0
    text, _met = bench.report(runs, 3.0)
    assert "| nginx |" in text and "dynamic API" in text


def _event(lines) -> tuple[str, str]:
    """The next Server-Sent Event's (event, data), keep-alive comments skipped."""
    fields: dict[str, str] = {}
    for line in lines:
        if not line:
            if fields:
                return fields.get("event", "message"), fields.get("data", "")
            continue
        name, _, value = line.partition(":")
        if name:  # a line starting with ':' is a comment (sse-starlette's ping)
            fields[name] = value.removeprefix(" ")
    raise AssertionError("the stream ended")


@pytest.mark.parametrize("kind", ["public files", "api"])
def test_each_new_version_is_pushed_as_a_server_sent_event(tmp_path, kind) -> None:
    import httpx

    from electoral.server.app import create_app
    from tests.server.night import make_store

    folder = tmp_path / "public"
    first = publish_version(folder, [Publication(hostile_returns())])
    if kind == "api":
        make_store(tmp_path / "night.duckdb")
        app = create_app(tmp_path / "night.duckdb", public=folder)
    else:
        app = PublicFiles(folder)
    with serving(app, port=free_port()) as url, httpx.Client(timeout=10) as client:
        head = client.head(url + "api/v1/events")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-type"].startswith("text/event-stream")
        with client.stream("GET", url + "api/v1/events") as answer:
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/event-stream")
            assert answer.headers["cache-control"] == "no-store"
            lines = answer.iter_lines()
            assert _event(lines) == ("version", first)
            second = publish_version(folder, [Publication(hostile_returns())])
            assert _event(lines) == ("version", second)
            assert second != first


def test_serving_files_does_not_load_the_report_layer() -> None:
    """The files server's pointer is the publisher's, and importing it stays light."""
    import subprocess

    from electoral.report import public as publisher
    from electoral.server import public as server

    assert server.POINTER == publisher.POINTER
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, electoral.server.public; "
         "print(sorted(m for m in sys.modules if m.startswith('electoral.report')))"],
        capture_output=True, text=True, check=True, env={"PYTHONPATH": str(ROOT / "src")})
    assert loaded.stdout.strip() == "[]"
