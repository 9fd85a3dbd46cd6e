"""Election night under load while results arrive (issue 12, "Measured"), as Markdown for
BENCHMARKS.md.

    python benchmarks/live_bench.py [SECONDS]     (or: python benchmarks/run.py live)

While a replayed election night (the bundled 2004-MO-president, ``demo.night_batches``) lands a
batch every 2 s, wrk (Debian's) loads one server at a time at 64 connections for SECONDS
(default 10) each, asking for gzip as a browser does:

1. nginx (``server.nginx``) serving one version's ``2004-MO-president/county.json`` (61 KB; 8 KB
   as the ``.gz`` written at publish), while a version is stored and published every 2 s beside
   it (nginx owns no store);
2. ``electoral serve --public`` (``server.app`` under granian: the process that owns the store,
   on a Unix socket, and its two front processes on the port, ``server.front``) serving the
   same file of its own public folder, while each batch arrives as a native
   CSV file POSTed to its ingest route with an ingest token (each ingest publishes a version
   before it is answered);
3. the same server's dynamic API, ``/api/v1/elections/2004-MO-president/results?by=county``,
   answered from the store, the same ingests arriving.

A reader polls the version every 20 ms through the server under test (``current_ver.txt``; for
the API ``/api/v1/version``) and records when each new version becomes visible after its publish
or its ingest answer returned. Peak memory is the high-water resident set (VmHWM) of the
server's processes. Everything listens on loopback only and stops by itself.

Targets: nginx ≥ 15,000 requests/s with p99 ≤ 20 ms; electoral's own server's files within 2× of
nginx's requests/s; every version visible ≤ 2 s after its publish or ingest. The dynamic API's figures are
reported, with no target.
"""

from __future__ import annotations

import contextlib
import json
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "src")]

from run import MISSED  # noqa: E402  benchmarks/ is on the path of a bench run as a script

from electoral import api  # noqa: E402
from electoral.demo import night_batches, replay_night  # noqa: E402
from electoral.io.export import export  # noqa: E402
from electoral.server.nginx import find_nginx, running_nginx  # noqa: E402
from electoral.server.public import free_port  # noqa: E402

COMMAND = "python benchmarks/live_bench.py"
ELECTION = "2004-MO-president"
CONNECTIONS = 64
THREADS = 2  # wrk's threads: one per core of the 2-core machine the figures are recorded on
ACCEPT = "Accept-Encoding: gzip"  # what every browser sends
INTERVAL = 2.0  # seconds between published versions
TARGET_RPS, TARGET_P99_MS, TARGET_RATIO, TARGET_VISIBLE_S = 15_000, 20.0, 2.0, 2.0
HEADER = ("| server | path | requests/s | p99 ms | requests | errors | versions | "
          "slowest visible (s) | peak memory (MiB) |\n|---|---|---:|---:|---:|---:|---:|---:|---:|")
SHOWN = f"{{ver}}/{ELECTION}/county.json"
API_PATH = f"api/v1/elections/{ELECTION}/results?by=county"
# what `electoral serve --db DB --public DIR --port PORT` runs
SERVE_API = ("import sys; from pathlib import Path; from electoral.server.app import run; "
             "run(sys.argv[1], '127.0.0.1', int(sys.argv[2]), Path(sys.argv[3]))")


@dataclass
class Run:
    """One server's figures."""

    name: str
    path: str
    rps: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    errors: int = 0  # non-2xx answers and connect/read/write errors
    timeouts: int = 0  # requests wrk gave up on after its 2 s timeout (a loaded machine)
    versions: int = 0
    visible_s: list[float] = field(default_factory=list)
    peak_mib: float = 0.0
    shown: str = ""  # the path as the table shows it


def wrk(url: str, seconds: float) -> tuple[float, float, int, int, int]:
    """(requests/s, p99 ms, requests, non-2xx or socket errors, timeouts) of wrk at
    CONNECTIONS."""
    out = subprocess.run(["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s",
                          "--latency", "-H", ACCEPT, url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write) (\d+)", out))
    timeouts = sum(int(n) for n in re.findall(r"timeout (\d+)", out))
    return (rps, float(p99.group(1)) * scale[p99.group(2)] if p99 else 0.0, requests, errors,
            timeouts)


def peak_mib(pids: list[int]) -> float:
    """Sum of the processes' peak resident memory (VmHWM), MiB."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{pid}/status").read_text()
            found = re.search(r"VmHWM:\s+(\d+) kB", status)
            total += int(found.group(1)) if found else 0
    return total / 1024


def children(pid: int) -> list[int]:
    found = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            found += [int(p) for p in text]
    return found


@contextlib.contextmanager
def server_process(code: str, *args: str, ready: str) -> Iterator[tuple[str, int]]:
    """A python process running ``code`` (electoral's server) on a free loopback port; yields its
    URL and process id once ``ready`` answers, and stops it when the block ends."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", code, args[0], str(port), *args[1:]],
                               env={"PYTHONPATH": str(HERE.parent / "src"), "PATH": "/usr/bin:/bin"})
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/{ready}", timeout=1)
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("electoral's server did not start")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/", process.pid
    finally:
        process.terminate()
        process.wait(10)


def night(public: Path, seconds: float, published: dict[str, float]) -> threading.Thread:
    """A thread storing a batch and publishing a version every INTERVAL seconds for ``seconds``."""
    def replay() -> None:
        with api.open_store(public.parent / "night.duckdb", write=True) as store:
            replay_night(store, public, batches=max(2, int(seconds / INTERVAL) + 1),
                         interval=INTERVAL,
                         told=lambda batch: published.setdefault(batch.version, time.monotonic()))
    return threading.Thread(target=replay, daemon=True)


def batch_files(seconds: float) -> list[bytes]:
    """The night's batches as native CSV files, as a county desk would push them: one to load
    before the run, then as many as the public files' runs publish."""
    return [export(returns, "csv").encode()
            for _, _, returns in night_batches(ELECTION, max(2, int(seconds / INTERVAL) + 1) + 1)]


def pushes(url: str, token: str, files: list[bytes], published: dict[str, float],
           pointer: Path | None = None) -> threading.Thread:
    """A thread POSTing one file every INTERVAL seconds to the API's ingest route (each replaces
    the election, as the night's cumulative files do); notes when each answer arrived, by the
    results version it made, or with ``pointer`` by the public version it published (the
    server publishes before it answers)."""
    def push() -> None:
        for number, data in enumerate(files):
            request = urllib.request.Request(
                f"{url}api/v1/elections/{ELECTION}/results?replace=true", data=data,
                method="POST", headers={"Authorization": f"Bearer {token}",
                                        "X-Filename": f"batch-{number}.csv",
                                        "Content-Type": "text/csv"})
            with urllib.request.urlopen(request, timeout=60) as answer:
                version = str(json.loads(answer.read())["version"])
            if pointer is not None:
                version = pointer.read_text().strip()
            published.setdefault(version, time.monotonic())
            if number < len(files) - 1:
                time.sleep(INTERVAL)
    return threading.Thread(target=push, daemon=True)


def pointer_text(body: bytes) -> str:
    return body.decode().strip()


def api_version(body: bytes) -> str:
    return str(json.loads(body)["version"])


def watch(url: str, read: Callable[[bytes], str], stop: threading.Event,
          seen: dict[str, float]) -> None:
    """Poll ``url`` every 20 ms; note when each version is first seen."""
    while not stop.is_set():
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as answer:
            seen.setdefault(read(answer.read()), time.monotonic())
        time.sleep(0.02)


def measure(run: Run, url: str, pids: list[int], seconds: float, pointer: str,
            read: Callable[[bytes], str],
            writer: Callable[[dict[str, float]], threading.Thread]) -> Run:
    """Load ``url + run.path`` with wrk while ``writer`` lands new versions; ``run`` filled in."""
    published: dict[str, float] = {}
    seen: dict[str, float] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(url + pointer, read, stop, seen), daemon=True)
    landing = writer(published)
    watcher.start()
    landing.start()
    run.rps, run.p99_ms, run.requests, run.errors, run.timeouts = wrk(url + run.path, seconds)
    landing.join()
    time.sleep(0.2)
    stop.set()
    watcher.join()
    run.versions = len(published)
    run.visible_s = [seen[v] - published[v] for v in published if v in seen]
    run.visible_s += [float("inf")] * sum(1 for v in published if v not in seen)
    run.peak_mib = peak_mib([p for pid in pids for p in children(pid)])
    return run


def nginx_run(tmp: Path, seconds: float) -> Run:
    public = tmp / "public"
    with api.open_store(tmp / "night.duckdb", write=True) as store:
        replay_night(store, public, batches=1, interval=0)
    version = (public / "current_ver.txt").read_text().strip()

    def writer(published: dict[str, float]) -> threading.Thread:
        return night(public, seconds, published)

    with running_nginx(public, tmp / "nginx", port=free_port()) as nginx:
        return measure(Run("nginx", f"{version}/{ELECTION}/county.json", shown=SHOWN), nginx.url,
                       [nginx.process.pid], seconds, "current_ver.txt", pointer_text, writer)


def serve_runs(tmp: Path, seconds: float) -> tuple[Run, Run]:
    """The files, then the dynamic API, of one ``electoral serve --public`` while files are
    POSTed to it."""
    db, public = tmp / "api.duckdb", tmp / "api-public"
    with api.open_night_store(db, write=True) as store:
        token = api.add_token(store, "bench", "ingest")
    files = batch_files(seconds)
    with server_process(SERVE_API, str(db), str(public), ready="api/v1/version") as (url, pid):
        pushes(url, token, files[:1], {}).run()  # the route has results before the load
        version = (public / "current_ver.txt").read_text().strip()

        def to_files(published: dict[str, float]) -> threading.Thread:
            return pushes(url, token, files[1:], published, public / "current_ver.txt")

        def to_api(published: dict[str, float]) -> threading.Thread:
            return pushes(url, token, files[1:], published)

        served = measure(Run("electoral serve: public files", f"{version}/{ELECTION}/county.json",
                             shown=SHOWN), url, [pid], seconds, "current_ver.txt", pointer_text,
                         to_files)
        dynamic = measure(Run("electoral serve: dynamic API", API_PATH), url, [pid], seconds,
                          "api/v1/version", api_version, to_api)
    return served, dynamic


def run_all(seconds: float) -> list[Run]:
    with tempfile.TemporaryDirectory(prefix="live-bench-") as folder:
        tmp = Path(folder)
        return [nginx_run(tmp, seconds), *serve_runs(tmp, seconds)]


def report(runs: list[Run], seconds: float, before: str = "unknown") -> tuple[str, bool]:
    nginx, own = runs[0], runs[1]
    ratio = nginx.rps / own.rps if own.rps else float("inf")
    worst = max((v for r in runs for v in r.visible_s), default=float("inf"))
    checks = [(f"nginx ≥ {TARGET_RPS:,} requests/s", nginx.rps >= TARGET_RPS),
              (f"nginx p99 ≤ {TARGET_P99_MS:g} ms", nginx.p99_ms <= TARGET_P99_MS),
              (f"electoral serve's public files within {TARGET_RATIO:g}× of nginx "
               f"({ratio:.1f}×)",
               ratio <= TARGET_RATIO),
              (f"every version visible ≤ {TARGET_VISIBLE_S:g} s after its publish or ingest",
               worst <= TARGET_VISIBLE_S)]
    rows = "\n".join(
        f"| {r.name} | `/{r.shown or r.path}` | "
        f"{r.rps:,.0f} | {r.p99_ms:.2f} | {r.requests:,} | {r.errors} ({r.timeouts} timed out) | "
        f"{r.versions} | "
        f"{max(r.visible_s, default=float('nan')):.3f} | {r.peak_mib:.1f} |" for r in runs)
    text = f"""## Live results: election night under load (issue 12)

`{COMMAND}` (or `python benchmarks/run.py live`) — wrk -t{THREADS} -c{CONNECTIONS}, {seconds:g} s
per run, `{ACCEPT}`, while a new version lands every {INTERVAL:g} s: for nginx a batch stored
and published beside it, for `electoral serve --public` (the process owning the store and its
two front processes, which answer the public folder and forward the API to it) a native CSV
file POSTed to its ingest route through them. Loopback; {platform.machine()},
{platform.python_implementation()} {platform.python_version()}, nginx and wrk from Debian, all
sharing the machine's {_cores()} cores with the load generator. Load average (1 min) {before}
before the run and {_load()} after it, the bench's own load included: other work on the machine
shows in the p99s.

{HEADER}
{{rows}}

""".replace("{rows}", rows) + "\n".join(
        f"- {label}: {'met' if ok else 'not met'}" for label, ok in checks) + (
        f"\n- the dynamic API's p99 while ingests land: {runs[-1].p99_ms:.1f} ms "
        f"(reported, no target)\n")
    return text, all(ok for _, ok in checks)


def _load() -> str:
    import os

    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "unknown"


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    if find_nginx() is None or shutil.which("wrk") is None:
        print("nginx and wrk are needed (make system-deps installs Debian's)", file=sys.stderr)
        return 1
    before = _load()
    runs = run_all(seconds)
    text, met = report(runs, seconds, before)
    print(text)
    return 0 if met else MISSED


if __name__ == "__main__":
    sys.exit(main())
