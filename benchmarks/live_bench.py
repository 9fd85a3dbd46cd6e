"""The public read path under load while results arrive (issue 12, "Measured"), as Markdown for
BENCHMARKS.md.

    python benchmarks/live_bench.py [SECONDS]

While a replayed election night (the bundled 2004-MO-president, ``demo.replay_night``) stores a
batch and publishes a new version every 2 s, wrk (Debian's) reads one version's
``2004-MO-president/county.json`` (61 KB) at 64 connections for SECONDS (default 10): first
through nginx (``server.nginx``), then through electoral's own server (``server.public``, uvicorn,
one process). A reader polls ``current_ver.txt`` every 20 ms through the server under test and
records when each new version becomes visible after its publish returned. Peak memory is the
high-water resident set (VmHWM) of the server's processes. Everything listens on loopback only and
stops by itself.

Targets: nginx ≥ 15,000 requests/s with p99 ≤ 20 ms; electoral's own server within 2× of nginx's
requests/s; every version visible ≤ 2 s after its publish.
"""

from __future__ import annotations

import contextlib
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "src")]

from run import MISSED  # noqa: E402  benchmarks/ is on the path of a bench run as a script

from electoral import api  # noqa: E402
from electoral.demo import replay_night  # noqa: E402
from electoral.server.nginx import find_nginx, running_nginx  # noqa: E402
from electoral.server.public import free_port  # noqa: E402

COMMAND = "python benchmarks/live_bench.py"
ELECTION = "2004-MO-president"
CONNECTIONS = 64
INTERVAL = 2.0  # seconds between published versions
TARGET_RPS, TARGET_P99_MS, TARGET_RATIO, TARGET_VISIBLE_S = 15_000, 20.0, 2.0, 2.0
SERVE = ("import sys, uvicorn; from electoral.server.public import PublicFiles; "
         "uvicorn.run(PublicFiles(sys.argv[1]), host='127.0.0.1', port=int(sys.argv[2]), "
         "log_level='warning', access_log=False, lifespan='off')")


@dataclass
class Run:
    """One server's figures."""

    name: str
    rps: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    errors: int = 0
    versions: int = 0
    visible_s: list[float] = field(default_factory=list)
    peak_mib: float = 0.0


def wrk(url: str, seconds: float) -> tuple[float, float, int, int]:
    """(requests/s, p99 ms, requests, non-2xx or socket errors) of wrk at CONNECTIONS."""
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return rps, float(p99.group(1)) * scale[p99.group(2)] if p99 else 0.0, requests, errors


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
def own_server(public: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVE, str(public), str(port)],
                               env={"PYTHONPATH": str(HERE.parent / "src"), "PATH": "/usr/bin:/bin"})
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/current_ver.txt", timeout=1)
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


def watch(url: str, stop: threading.Event, seen: dict[str, float]) -> None:
    """Poll the pointer every 20 ms; note when each version is first seen."""
    while not stop.is_set():
        with contextlib.suppress(OSError), \
                urllib.request.urlopen(url + "current_ver.txt", timeout=1) as answer:
            seen.setdefault(answer.read().decode().strip(), time.monotonic())
        time.sleep(0.02)


def measure(name: str, url: str, pids: list[int], public: Path, seconds: float) -> Run:
    """Load ``url``'s current county file while a night is published; the figures of ``name``."""
    version = (public / "current_ver.txt").read_text().strip()
    published: dict[str, float] = {}
    seen: dict[str, float] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(url, stop, seen), daemon=True)
    publisher = night(public, seconds, published)
    watcher.start()
    publisher.start()
    rps, p99, requests, errors = wrk(f"{url}{version}/{ELECTION}/county.json", seconds)
    publisher.join()
    time.sleep(0.2)
    stop.set()
    watcher.join()
    lag = [seen[v] - published[v] for v in published if v in seen]
    lag += [float("inf")] * sum(1 for v in published if v not in seen)
    return Run(name, rps, p99, requests, errors, len(published), lag,
               peak_mib([p for pid in pids for p in children(pid)]))


def run_all(seconds: float) -> tuple[Run, Run]:
    with tempfile.TemporaryDirectory(prefix="live-bench-") as tmp:
        public = Path(tmp) / "public"
        with api.open_store(Path(tmp) / "night.duckdb", write=True) as store:
            replay_night(store, public, batches=1, interval=0)
        with running_nginx(public, Path(tmp) / "nginx", port=free_port()) as nginx:
            served = measure("nginx", nginx.url, [nginx.process.pid], public, seconds)
        with own_server(public) as (url, pid):
            own = measure("electoral (uvicorn, 1 process)", url, [pid], public, seconds)
    return served, own


def report(nginx: Run, own: Run, seconds: float) -> tuple[str, bool]:
    ratio = nginx.rps / own.rps if own.rps else float("inf")
    worst = max([*nginx.visible_s, *own.visible_s], default=float("inf"))
    checks = [(f"nginx ≥ {TARGET_RPS:,} requests/s", nginx.rps >= TARGET_RPS),
              (f"nginx p99 ≤ {TARGET_P99_MS:g} ms", nginx.p99_ms <= TARGET_P99_MS),
              (f"electoral's server within {TARGET_RATIO:g}× of nginx ({ratio:.1f}×)",
               ratio <= TARGET_RATIO),
              (f"every version visible ≤ {TARGET_VISIBLE_S:g} s after its publish",
               worst <= TARGET_VISIBLE_S)]
    rows = "\n".join(
        f"| {r.name} | {r.rps:,.0f} | {r.p99_ms:.2f} | {r.requests:,} | {r.errors} | {r.versions} | "
        f"{max(r.visible_s, default=float('nan')):.3f} | {r.peak_mib:.1f} |" for r in (nginx, own))
    text = f"""## Live results: the public read path under load (issue 12)

`{COMMAND}` — wrk, {CONNECTIONS} connections, {seconds:g} s per server, on
`{{ver}}/{ELECTION}/county.json` while a version is published every {INTERVAL:g} s; loopback;
{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, nginx and
wrk from Debian, sharing the machine's cores with the load generator.

| server | requests/s | p99 ms | requests | errors | versions | slowest visible (s) | peak memory (MiB) |
|---|---:|---:|---:|---:|---:|---:|---:|
{rows}

""" + "\n".join(f"- {label}: {'met' if ok else 'not met'}" for label, ok in checks) + "\n"
    return text, all(ok for _, ok in checks)


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    if find_nginx() is None or shutil.which("wrk") is None:
        print("nginx and wrk are needed (make system-deps installs Debian's)", file=sys.stderr)
        return 1
    nginx, own = run_all(seconds)
    text, met = report(nginx, own, seconds)
    print(text)
    return 0 if met else MISSED


if __name__ == "__main__":
    sys.exit(main())
