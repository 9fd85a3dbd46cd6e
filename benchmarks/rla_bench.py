"""RAIRE over real IRV contests (issue #15), printed as Markdown for BENCHMARKS.md.

    python benchmarks/rla_bench.py

The contests: every single-winner IRV contest of ``../shared/data/rcv/blt_irv_elections_2006_2011``
(OpenSTV ``.blt`` files from SF, Oakland, Berkeley, San Leandro, Pierce County, Burlington and
Aspen, 2006–2011) that ``electoral rcv`` reads (Aspen's two-seat council is not IRV; a file the
reader rejects is listed with its reason), and Minneapolis's 2013 and 2017 mayoral CVRs, whose
three choice columns are copied into a plain ``rank1,rank2,rank3`` CSV (their own layout needs
an RCTab config). Each is first written as a RAIRE problem file
(raire-rs's JSON: the distinct rankings with their counts, read from the CVR as ``electoral rcv``
reads it). Then, as whole processes (start-up, reading, IRV count, search, JSON out):

- all problems in one ``electoral rla raire P1.json P2.json … --format json`` (OneOnMargin): the
  target, at most 10 s on 2 cores; the best of ``RUNS`` runs;
- each contest straight from its CVR file, ``electoral rla raire FILE.blt.gz``, two processes at
  a time (2 cores): reading the CVRs is most of this time.

Exits with ``MISSED`` when the target is missed.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from run import MISSED  # benchmarks/ is on the path of a bench run as a script

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
DATA = ROOT.parent / "shared" / "data" / "rcv" / "blt_irv_elections_2006_2011"
NOT_IRV = ("2009-Aspen-City_Council",)  # two seats
RUNS = int(os.environ.get("RLA_BENCH_RUNS", "3"))
TARGET = 10.0
MINNEAPOLIS = [ROOT.parent / "shared" / "data" / "rcv" / f"minneapolis_{year}_mayor" /
              f"{year}_minneapolis_mayor_cvr.csv.gz" for year in (2013, 2017)]
ELECTORAL = [sys.executable, "-c", "import sys; sys.argv[0] = 'electoral'; "
             "from electoral.cli import main; main()"]
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPATH"] = f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"


def ranks_csv(source: Path, folder: Path) -> Path:
    """Minneapolis's ``Precinct,1st,2nd,3rd,Count`` CVR (Count always 1) as a ranks CSV."""
    target = folder / source.name.replace("_cvr.csv.gz", "_ranks.csv.gz")
    with gzip.open(source, "rt", newline="") as read, \
            gzip.open(target, "wt", newline="") as write:
        rows = csv.reader(read)
        next(rows)
        out = csv.writer(write)
        out.writerow(["rank1", "rank2", "rank3"])
        out.writerows(row[1:4] for row in rows)
    return target


def problems(folder: Path) -> tuple[list[Path], list[Path], list[str]]:
    """Write each readable contest as a RAIRE problem in ``folder``; the CVR files, the problem
    files, and the files skipped with their reasons."""
    sys.path.insert(0, str(SRC))
    from electoral import ValidationError, api

    cvrs, written, skipped = [], [], []
    sources = [p for p in sorted(DATA.glob("*.blt.gz")) if not p.name.startswith(NOT_IRV)]
    sources += [ranks_csv(p, folder) for p in MINNEAPOLIS if p.exists()]
    for path in sources:
        try:
            names, rankings = api.rcv_rankings([path])
        except ValidationError as exc:
            skipped.append(f"{path.name}: {exc.problems[0]} ({len(exc.problems)} problems)")
            continue
        problem = {"metadata": {"candidates": list(names), "contest": path.name},
                   "num_candidates": len(names),
                   "votes": [{"n": n, "prefs": list(r)} for r, n in rankings.items()]}
        target = folder / (path.name.split(".")[0] + ".json")
        target.write_text(json.dumps(problem))
        cvrs.append(path)
        written.append(target)
    return cvrs, written, skipped


def cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far: on a shared machine
    a neighbour's load stretches wall time, not this."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[-3:])} failed: {done.stderr}")
    return elapsed, done.stdout


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cvrs, files, skipped = problems(Path(tmp))
        command = [*ELECTORAL, "rla", "raire", *map(str, files), "--format", "json"]
        before = cpu()
        runs = [timed(command) for _ in range(RUNS)]
        one_cpu = (cpu() - before) / RUNS
        best = min(t for t, _ in runs)
        contests = json.loads(runs[0][1])["contests"]
        start, before = time.perf_counter(), cpu()
        with ThreadPoolExecutor(max_workers=2) as pool:
            each = list(pool.map(lambda p: timed([*ELECTORAL, "rla", "raire", str(p)])[0], cvrs))
        from_cvrs, cvrs_cpu = time.perf_counter() - start, cpu() - before
    ballots = sum(c["ballots"] for c in contests)
    widest = max(len(c["candidates"]) for c in contests)
    hardest = max(contests, key=lambda c: c["difficulty"])
    met = best <= TARGET
    print("## Risk-limiting audits: RAIRE (issue #15)\n")
    print(f"Command: `python benchmarks/rla_bench.py` (run by `make bench`). Machine: "
          f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
          f"{platform.system()}.\n")
    print(f"{len(contests)} real IRV contests: those of `shared/data/rcv/blt_irv_elections_2006_2011` "
          "and Minneapolis's 2013 and 2017 mayoral races "
          f"(2 to {widest} candidates, {ballots:,} ballots in all), each as a RAIRE problem "
          "file written from its CVR; OneOnMargin difficulty. Whole processes.\n")
    print("| measurement | wall | CPU |\n|---|---:|---:|")
    print(f"| `electoral rla raire` on all {len(contests)} problem files, one process "
          f"(best of {RUNS}; CPU: mean) | {best:.2f} s | {one_cpu:.2f} s |")
    print(f"| `electoral rla raire CVR` for each contest from its CVR file, 2 processes at a "
          f"time | {from_cvrs:.2f} s | {cvrs_cpu:.2f} s |")
    print(f"| (slowest single contest from its CVR) | {max(each):.2f} s | |\n")
    print(f"Target: all problems in at most {TARGET:.0f} s on 2 cores: "
          f"{'met' if met else 'not met'}. From the CVRs, most of the time is reading the "
          "`.blt` files (`electoral rcv`'s reader), not the search. The hardest contest: "
          f"{hardest['source'].rsplit('/', 1)[-1]}, difficulty {hardest['difficulty']:.1f} "
          f"(margin {hardest['margin']:,}), {len(hardest['assertions'])} assertions.\n")
    for line in skipped:
        print(f"- skipped: {line}")
    return 0 if met else MISSED


if __name__ == "__main__":
    sys.exit(main())
