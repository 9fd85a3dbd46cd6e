"""Ranked choice against the tools people use today (issue 13), printed as Markdown for
BENCHMARKS.md:

    python benchmarks/rcv_rctab_bench.py            # RCTab and openpyxl
    python benchmarks/rcv_rctab_bench.py --rctab    # RCTab only
    python benchmarks/rcv_rctab_bench.py --ess      # the ES&S workbook only

RCTab: the same million synthetic ballots as ``rcv_bench.py`` (same seed), written in RCTab's
generic CSV layout (a column per candidate holding the rank given), since RCTab reads no
rank-per-column CSV. ``electoral rcv FILE --save-config`` writes the RCTab config that counts the
file as electoral does; RCTab 2.0.1 runs it from the command line (built by
``benchmarks/rcv_rctab_setup.sh`` from Debian's Java packages; ``$RCTAB_HOME`` or
``$TMPDIR/electoral-bench/rctab``), once (it takes minutes), against electoral's best of five,
each a whole fresh process, and the winners are compared. Without a built RCTab, the figure is
compared with the 38 s issue 13 reports for RCTab 2.0.1 on a million ballots.

ES&S: a 100,000-ballot workbook in the ES&S layout (Cast Vote Record, Precinct, Ballot Style, 1st..
5th Choice; blank ranks written "undervote", as the exports do), written once with openpyxl.
Timed in fresh processes: electoral's reader (python-calamine, to a CastVoteRecord per ballot)
against openpyxl only iterating the sheet's values in read-only mode (it makes no records). The
ranked-choice code itself no longer uses openpyxl.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from rcv_bench import CHILD_ENV, DATA, NAMES, REPEATS, SEED, _run, size, synthetic
from run import MISSED  # benchmarks/ is on the path of a bench run as a script

RCTAB_PUBLISHED = 38.0  # s: RCTab 2.0.1 on a million ballots, as issue 13 reports it
ESS_BALLOTS = 100_000
NOT_MET: list[str] = []


def _met(ok: bool, what: str) -> str:
    if not ok:
        NOT_MET.append(what)
    return "met" if ok else "**not met**"


# ---- RCTab ----

def write_generic_csv(path: Path, n: int) -> Path:
    """``rcv_bench.synthetic``'s ballots in RCTab's generic CSV layout (cached)."""
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    grid = np.zeros((n, len(NAMES)), np.int16)  # the rank each candidate got, 0 = none
    for start in range(0, n, 1_000_000):
        block = synthetic(min(1_000_000, n - start), SEED + start)
        rows = np.arange(len(block)) + start
        for rank in range(block.shape[1]):
            marked = block[:, rank] >= 0
            grid[rows[marked], block[marked, rank]] = rank + 1
    columns = {"id": pa.array(np.arange(1, n + 1))}
    columns |= {name: pa.array(grid[:, i], mask=grid[:, i] == 0) for i, name in enumerate(NAMES)}
    partial = path.with_suffix(".partial")
    pacsv.write_csv(pa.table(columns), partial, pacsv.WriteOptions(quoting_style="none"))
    partial.rename(path)
    return path


def rctab_classpath() -> str | None:
    home = Path(os.environ.get("RCTAB_HOME", DATA / "rctab"))
    listed = home / "classpath.txt"
    return listed.read_text() if listed.exists() and shutil.which("java") else None


def _electoral(path: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "electoral", "rcv", str(path), *options]


def _winner_of_rctab(out: Path) -> list[str]:
    reports = sorted(out.glob("*/*_detailed_report.json"), key=lambda p: p.stat().st_mtime)
    report = json.loads(reports[-1].read_text())
    return [t["elected"] for r in report["results"] for t in r["tallyResults"] if "elected" in t]


def rctab() -> list[str]:
    n = size("e2e")
    generic = write_generic_csv(DATA / f"generic_{n}_{SEED}.csv", n)
    config = DATA / f"generic_{n}_{SEED}_rctab.json"
    done = subprocess.run(_electoral(generic, "--save-config", str(config), "--format", "json"),
                          capture_output=True, text=True, env=CHILD_ENV, check=True)
    ours_winner = [t["elected"] for r in json.loads(done.stdout)["results"]
                   for t in r["tallyResults"] if "elected" in t]
    ours = min(_run(_electoral(generic)) for _ in range(REPEATS))
    classpath = rctab_classpath()
    lines = ["### Against RCTab (issue 13)", "",
             f"The same {n:,} ballots in RCTab's generic CSV layout; `electoral rcv FILE` (best of "
             f"{REPEATS}) and RCTab 2.0.1's `--cli` on the config `electoral rcv FILE "
             "--save-config` writes, each a whole fresh process: "
             "`python benchmarks/rcv_rctab_bench.py --rctab`.", "",
             "| process | time | peak memory | winner |", "|---|---:|---:|---|",
             f"| electoral rcv | {ours[0]:.2f} s | {ours[1]:.0f} MB | {', '.join(ours_winner)} |"]
    if classpath is None:
        ratio = RCTAB_PUBLISHED / ours[0]
        lines += [f"| RCTab 2.0.1 (not built here: no `java` or no `{DATA / 'rctab'}`; the 38 s "
                  f"issue 13 reports) | {RCTAB_PUBLISHED:.0f} s | | |", "",
                  f"electoral is {ratio:.0f}x faster (target >= 50x: {_met(ratio >= 50, 'rctab')})."]
        return lines
    out = DATA / "rctab-out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    settings = json.loads(config.read_text())
    settings["outputSettings"]["outputDirectory"] = str(out)
    settings["cvrFileSources"][0]["filePath"] = str(generic)
    config.write_text(json.dumps(settings, indent=2))
    theirs = _run(["java", "-cp", classpath, "RunCli", "--cli", str(config), "--name", "bench"],
                  cwd=out)
    their_winner = _winner_of_rctab(out)
    ratio = theirs[0] / ours[0]
    same = their_winner == ours_winner
    lines += [f"| RCTab 2.0.1 (java {_java_version()}) | {theirs[0]:.1f} s | {theirs[1]:.0f} MB "
              f"| {', '.join(their_winner)} |", "",
              f"electoral is {ratio:.0f}x faster (target >= 50x: "
              f"{_met(ratio >= 50 and same, 'rctab')}); same winner: {'yes' if same else '**no**'}; "
              f"load average (1 min) {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs at the end."]
    return lines


def _java_version() -> str:
    done = subprocess.run(["java", "-version"], capture_output=True, text=True)
    first = (done.stderr or done.stdout).splitlines()[0]
    return first.split('"')[1] if '"' in first else first


# ---- ES&S workbook: electoral (python-calamine) against openpyxl ----

ESS_HEADER = ["Cast Vote Record", "Precinct", "Ballot Style",
              *(f"{n} Choice" for n in ("1st", "2nd", "3rd", "4th", "5th"))]


def write_ess(path: Path, n: int) -> Path:
    """``n`` synthetic ballots as an ES&S workbook (cached; openpyxl's write-only mode)."""
    if path.exists():
        return path
    import openpyxl

    DATA.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(ESS_HEADER)
    block = synthetic(n, SEED)
    for i, row in enumerate(block.tolist()):
        marks = [NAMES[c] if c >= 0 else "undervote" for c in row]
        sheet.append([i + 1, f"Precinct {i % 97 + 1}", f"Style {i % 7 + 1}", *marks])
    partial = path.with_suffix(".partial.xlsx")
    book.save(partial)
    partial.rename(path)
    return path


ESS_ELECTORAL = """
import sys, time
from electoral.rcv.cvr.common import CvrOptions
from electoral.rcv.cvr.ess import read_ess
options = CvrOptions(first_vote_column=4, first_vote_row=2, id_column=1, precinct_column=2)
start = time.perf_counter()
with open(sys.argv[1], "rb") as stream:
    records = read_ess(stream, "book.xlsx", options)
print(time.perf_counter() - start, len(records))
"""
ESS_OPENPYXL = """
import sys, time
import openpyxl
start = time.perf_counter()
book = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
print(time.perf_counter() - start, rows - 1)
"""


def _timed(script: str, path: Path) -> tuple[float, int]:
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                          text=True, env=CHILD_ENV, check=True)
    seconds, rows = done.stdout.split()
    return float(seconds), int(rows)


def ess() -> list[str]:
    n = max(1000, int(ESS_BALLOTS * float(os.environ.get("RCV_BENCH_SCALE", "1"))))
    book = write_ess(DATA / f"ess_{n}_{SEED}.xlsx", n)
    ours = min(_timed(ESS_ELECTORAL, book) for _ in range(3))
    theirs = min(_timed(ESS_OPENPYXL, book) for _ in range(2))
    whole = min(_run(_electoral(book)) for _ in range(3))
    ratio = theirs[0] / ours[0]
    return ["### ES&S workbook read (issue 13)", "",
            f"A {n:,}-ballot ES&S workbook ({book.stat().st_size / 1e6:.1f} MB): "
            "`python benchmarks/rcv_rctab_bench.py --ess`, each reader in a fresh process, "
            "timed inside it after its imports.", "",
            "| reader | ballots | time |", "|---|---:|---:|",
            f"| electoral `read_ess` (python-calamine, a CastVoteRecord per ballot) | {ours[1]:,} "
            f"| {ours[0]:.2f} s |",
            f"| openpyxl read-only, values only (no records) | {theirs[1]:,} | {theirs[0]:.2f} s |",
            f"| `electoral rcv book.xlsx`, whole process (layout found, read, counted) | {n:,} "
            f"| {whole[0]:.2f} s |", "",
            f"electoral reads it {ratio:.1f}x faster than openpyxl (target >= 5x: "
            f"{_met(ratio >= 5, 'ess')}); load average (1 min) {os.getloadavg()[0]:.2f} on "
            f"{os.cpu_count()} CPUs at the end."]


if __name__ == "__main__":
    wanted = set(sys.argv[1:]) or {"--rctab", "--ess"}
    parts = ([*rctab(), ""] if "--rctab" in wanted else []) + (ess() if "--ess" in wanted else [])
    print("\n".join(parts))
    sys.exit(MISSED if NOT_MET else 0)
